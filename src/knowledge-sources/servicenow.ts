import { z } from 'zod';
import { langFromLocale } from '../engine/lang.js';
import { basicAuth, basicAuthSecrets, expectShape } from '../tickets/http.js';
import { nextLink, pathAndQuery, SourceHttp } from './http.js';
import { baseUrl, list, secret, timeoutMs } from './options.js';
import type { FetchContext, FetchResult, KnowledgeSource, KnowledgeSourceDescriptor, SourceArticle, SourceDeps } from './types.js';

/**
 * ServiceNow Knowledge through the Table API (`/api/now/table/kb_knowledge`). The first run reads
 * the published articles of the chosen knowledge bases; later runs read what changed since the
 * last `sys_updated_on` seen, in any workflow state, so an unpublished or retired article is seen
 * and retired here. Every run also lists the sys_ids still published (ids only) to notice deletions.
 * Pages with sysparm_offset/sysparm_limit, following the Link header's "next".
 * Read access to kb_knowledge, kb_category and user_criteria is needed (e.g. the knowledge role + a
 * read ACL on user_criteria).
 */

export const servicenowConfig = z.object({
  url: baseUrl,
  username: secret('username'),
  password: secret('password'),
  /** sys_ids of the knowledge bases to import; empty = all the account can read. */
  knowledgeBases: list,
  /** Article languages to import (ServiceNow `language` codes). */
  languages: list.transform((v) => (v.length ? v : ['en', 'fr'])),
  pageSize: z.number().int().min(1).max(10_000).default(100),
  timeoutMs,
});
export type ServiceNowConfig = z.infer<typeof servicenowConfig>;

const FIELDS = [
  'sys_id', 'number', 'short_description', 'text', 'workflow_state', 'kb_knowledge_base', 'kb_category.label',
  'language', 'sys_updated_on', 'valid_to', 'can_read_user_criteria', 'cannot_read_user_criteria', 'translated_from',
].join(',');

const record = z
  .object({
    sys_id: z.string(),
    number: z.string().optional(),
    short_description: z.string().optional().default(''),
    text: z.string().optional().default(''),
    workflow_state: z.string().optional().default(''),
    'kb_category.label': z.string().optional(),
    language: z.string().optional(),
    sys_updated_on: z.string().optional().default(''),
    valid_to: z.string().optional(),
    can_read_user_criteria: z.string().optional(),
    cannot_read_user_criteria: z.string().optional(),
    translated_from: z.string().optional(),
  })
  .passthrough();
const page = z.object({ result: z.array(record) });
const idsPage = z.object({ result: z.array(z.object({ sys_id: z.string() }).passthrough()) });
const criteriaPage = z.object({ result: z.array(z.object({ sys_id: z.string(), name: z.string() }).passthrough()) });

type SnRecord = z.infer<typeof record>;

const ids = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

export class ServiceNowKnowledge implements KnowledgeSource {
  readonly system = 'servicenow';
  private readonly http: SourceHttp;

  constructor(private readonly config: ServiceNowConfig, deps: SourceDeps = {}) {
    this.http = new SourceHttp({
      service: 'ServiceNow',
      baseUrl: config.url,
      timeoutMs: config.timeoutMs,
      headers: () => ({ Authorization: basicAuth(config.username, config.password) }),
      secrets: basicAuthSecrets(config.username, config.password),
      describeError: (data) => {
        const e = (data as { error?: { message?: string; detail?: string } } | undefined)?.error;
        return e ? [e.message, e.detail].filter(Boolean).join(': ') : undefined;
      },
      fetch: deps.fetch,
      sleep: deps.sleep,
    });
  }

  private scope(): string {
    const parts: string[] = [];
    if (this.config.knowledgeBases.length) parts.push(`kb_knowledge_baseIN${this.config.knowledgeBases.join(',')}`);
    if (this.config.languages.length) parts.push(`languageIN${this.config.languages.join(',')}`);
    return parts.join('^');
  }

  /** Every record of a query, page by page (Link rel="next", else offset until a short page). */
  private async all<T>(query: Record<string, string | number>, schema: z.ZodType<{ result: T[] }, z.ZodTypeDef, unknown>): Promise<T[]> {
    const out: T[] = [];
    let path = '/api/now/table/kb_knowledge';
    let q: Record<string, string | number> = { ...query, sysparm_limit: this.config.pageSize, sysparm_offset: 0 };
    for (let guard = 0; guard < 100_000; guard++) {
      const res = await this.http.get(path, q);
      const rows = expectShape(schema, res.data, 'ServiceNow kb_knowledge').result;
      out.push(...rows);
      const link = res.headers.get('link');
      const next = nextLink(link);
      if (next) {
        ({ path, query: q } = pathAndQuery(next, this.config.url));
        continue;
      }
      // A Link header without "next" is the last page; without any Link header, a short page is.
      if (link || rows.length < this.config.pageSize) break;
      q = { ...q, sysparm_offset: Number(q.sysparm_offset ?? 0) + rows.length };
    }
    return out;
  }

  async fetch(context: FetchContext): Promise<FetchResult> {
    const scope = this.scope();
    const changedQuery = context.cursor
      ? `sys_updated_on>=${context.cursor}${scope ? `^${scope}` : ''}^ORDERBYsys_updated_on`
      : `workflow_state=published${scope ? `^${scope}` : ''}^ORDERBYsys_updated_on`;
    const records = await this.all(
      { sysparm_query: changedQuery, sysparm_fields: FIELDS, sysparm_display_value: 'false', sysparm_exclude_reference_link: 'true' },
      page,
    );
    const live = await this.all(
      { sysparm_query: `workflow_state=published${scope ? `^${scope}` : ''}`, sysparm_fields: 'sys_id', sysparm_exclude_reference_link: 'true' },
      idsPage,
    );
    const criteria = await this.criteriaNames(records.flatMap((r) => ids(r.can_read_user_criteria)));

    const today = new Date().toISOString().slice(0, 10);
    const result: FetchResult = { articles: [], skipped: [], failed: [], liveIds: new Set(live.map((r) => r.sys_id)) };
    let cursor = context.cursor;
    for (const r of records) {
      if (r.sys_updated_on && (!cursor || r.sys_updated_on > cursor)) cursor = r.sys_updated_on;
      result.articles.push(this.toArticle(r, criteria, today));
    }
    result.cursor = cursor;
    return result;
  }

  private async criteriaNames(sysIds: string[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    const unique = [...new Set(sysIds)];
    if (unique.length === 0) return names;
    const res = await this.http.get('/api/now/table/user_criteria', {
      sysparm_query: `sys_idIN${unique.join(',')}`,
      sysparm_fields: 'sys_id,name',
      sysparm_limit: unique.length,
    });
    for (const c of expectShape(criteriaPage, res.data, 'ServiceNow user_criteria').result) names.set(c.sys_id, c.name);
    return names;
  }

  private toArticle(r: SnRecord, criteria: Map<string, string>, today: string): SourceArticle {
    const canRead = ids(r.can_read_user_criteria).map((id) => criteria.get(id) ?? `servicenow-criteria-${id}`);
    // "Cannot read" criteria cannot be expressed as an audience: such an article is kept from everyone but the listed readers.
    const audience = canRead.length ? canRead : ids(r.cannot_read_user_criteria).length ? ['servicenow-restricted'] : undefined;
    const validTo = r.valid_to?.slice(0, 10);
    const retired =
      r.workflow_state !== 'published'
        ? `workflow state "${r.workflow_state || 'unknown'}"`
        : validTo && validTo < today
          ? `expired (valid to ${validTo})`
          : undefined;
    return {
      sourceId: r.sys_id,
      title: r.short_description,
      lang: langFromLocale(r.language),
      body: { html: r.text },
      url: `${this.config.url}/kb_view.do?sysparm_article=${encodeURIComponent(r.number ?? r.sys_id)}`,
      updated: r.sys_updated_on ? `${r.sys_updated_on.replace(' ', 'T')}Z` : undefined,
      category: r['kb_category.label'] || undefined,
      audience,
      translationOf: r.translated_from || undefined,
      retired,
    };
  }
}

export const servicenowSource: KnowledgeSourceDescriptor<ServiceNowConfig> = {
  name: 'servicenow',
  description: 'ServiceNow Knowledge (Table API, kb_knowledge)',
  configSchema: servicenowConfig,
  create: (config, deps) => new ServiceNowKnowledge(config, deps),
};
