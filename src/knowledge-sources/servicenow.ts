import { createHash } from 'node:crypto';
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
 * Who may read: the article's Can Read / Cannot Read user criteria (`can_read_user_criteria`,
 * `cannot_read_user_criteria`) and its knowledge base's (`kb_uc_can_read_mtom`,
 * `kb_uc_cannot_read_mtom`), by criteria name as audience. ServiceNow requires both levels to
 * allow a reader; one audience list can only say "any of", so when both levels name readers only
 * criteria named at both levels are kept, and any Cannot Read criterion (other than the guest
 * ones: the bot's users are signed in) hides the article from everyone. Criteria that match every
 * signed-in user (out of the box "Any User") restrict nothing. What the criteria contain (users,
 * groups, roles, scripts) is not evaluated: readers are who is in a group named like the criterion.
 * Read access to kb_knowledge, kb_category, kb_knowledge_base, user_criteria, kb_uc_can_read_mtom
 * and kb_uc_cannot_read_mtom is needed (e.g. the knowledge role + read ACLs on the last three).
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
  /** User criteria (names or sys_ids) that every signed-in employee matches: in Can Read they restrict nothing. */
  everyoneCriteria: list.transform((v) => (v.length ? v : ['Any User'])),
  /** User criteria that match unauthenticated users only: ignored in Cannot Read (the bot's users are signed in). */
  guestCriteria: list.transform((v) => (v.length ? v : ['Guest User'])),
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
    kb_knowledge_base: z.string().optional(),
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
const kbCriteriaPage = z.object({ result: z.array(z.object({ kb_knowledge_base: z.string(), user_criteria: z.string() }).passthrough()) });
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
  private async all<T>(query: Record<string, string | number>, schema: z.ZodType<{ result: T[] }, z.ZodTypeDef, unknown>, table = 'kb_knowledge'): Promise<T[]> {
    const out: T[] = [];
    let path = `/api/now/table/${table}`;
    let q: Record<string, string | number> = { ...query, sysparm_limit: this.config.pageSize, sysparm_offset: 0 };
    for (let guard = 0; guard < 100_000; guard++) {
      const res = await this.http.get(path, q);
      const rows = expectShape(schema, res.data, `ServiceNow ${table}`).result;
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
    // Knowledge base criteria are read first, every run: changing them moves no article's sys_updated_on,
    // so a change (a base newly restricted) makes this run read every published article again.
    const bases = this.config.knowledgeBases.length ? this.config.knowledgeBases : undefined;
    const kb = { canRead: await this.baseCriteria('kb_uc_can_read_mtom', bases), cannotRead: await this.baseCriteria('kb_uc_cannot_read_mtom', bases) };
    const kbAcl = createHash('sha256').update(JSON.stringify([kb.canRead, kb.cannotRead].map((m) => [...m].map(([k, v]) => [k, [...v].sort()]).sort()))).digest('hex').slice(0, 16);
    const [since, previousAcl] = (context.cursor ?? '').split('|kb-criteria:');
    const incremental = since && previousAcl === kbAcl ? since : undefined;
    const changedQuery = incremental
      ? `sys_updated_on>=${incremental}${scope ? `^${scope}` : ''}^ORDERBYsys_updated_on`
      : `workflow_state=published${scope ? `^${scope}` : ''}^ORDERBYsys_updated_on`;
    const records = await this.all(
      { sysparm_query: changedQuery, sysparm_fields: FIELDS, sysparm_display_value: 'false', sysparm_exclude_reference_link: 'true' },
      page,
    );
    const live = await this.all(
      { sysparm_query: `workflow_state=published${scope ? `^${scope}` : ''}`, sysparm_fields: 'sys_id', sysparm_exclude_reference_link: 'true' },
      idsPage,
    );
    const criteria = await this.criteriaNames([
      ...records.flatMap((r) => [...ids(r.can_read_user_criteria), ...ids(r.cannot_read_user_criteria)]),
      ...[...kb.canRead.values(), ...kb.cannotRead.values()].flat(),
    ]);

    const today = new Date().toISOString().slice(0, 10);
    const result: FetchResult = { articles: [], skipped: [], failed: [], liveIds: new Set(live.map((r) => r.sys_id)) };
    let cursor = since || undefined;
    for (const r of records) {
      if (r.sys_updated_on && (!cursor || r.sys_updated_on > cursor)) cursor = r.sys_updated_on;
      result.articles.push(this.toArticle(r, criteria, kb, today));
    }
    result.cursor = cursor ? `${cursor}|kb-criteria:${kbAcl}` : undefined;
    return result;
  }

  /** A knowledge base's Can Read or Cannot Read user criteria (sys_ids), from its many-to-many table. */
  private async baseCriteria(table: 'kb_uc_can_read_mtom' | 'kb_uc_cannot_read_mtom', bases: string[] | undefined): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    const rows = await this.all({ sysparm_query: bases ? `kb_knowledge_baseIN${bases.join(',')}` : '', sysparm_fields: 'kb_knowledge_base,user_criteria', sysparm_exclude_reference_link: 'true' }, kbCriteriaPage, table);
    for (const row of rows) out.set(row.kb_knowledge_base, [...(out.get(row.kb_knowledge_base) ?? []), row.user_criteria]);
    return out;
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

  /** Audience from both levels of user criteria (see the file comment for what is and is not honoured). */
  private audienceOf(r: SnRecord, criteria: Map<string, string>, kb: { canRead: Map<string, string[]>; cannotRead: Map<string, string[]> }): string[] | undefined {
    const name = (id: string) => criteria.get(id) ?? `servicenow-criteria-${id}`;
    const is = (list: string[], id: string) => list.includes(id) || list.includes(name(id));
    const base = r.kb_knowledge_base ?? '';
    const cannot = [...ids(r.cannot_read_user_criteria), ...(kb.cannotRead.get(base) ?? [])].filter((id) => !is(this.config.guestCriteria, id));
    // "Everyone except X" cannot be said with an audience list: such an article is kept from everyone.
    if (cannot.length) return ['servicenow-restricted'];
    const level = (list: string[]) => (list.length === 0 || list.some((id) => is(this.config.everyoneCriteria, id)) ? undefined : list.map(name));
    const article = level(ids(r.can_read_user_criteria));
    const knowledgeBase = level(kb.canRead.get(base) ?? []);
    if (article && knowledgeBase) {
      const both = article.filter((n) => knowledgeBase.includes(n));
      return both.length ? both : ['servicenow-restricted'];
    }
    return article ?? knowledgeBase;
  }

  private toArticle(r: SnRecord, criteria: Map<string, string>, kb: { canRead: Map<string, string[]>; cannotRead: Map<string, string[]> }, today: string): SourceArticle {
    const audience = this.audienceOf(r, criteria, kb);
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
