import { z } from 'zod';
import { langFromLocale, type Lang } from '../engine/lang.js';
import { basicAuth, basicAuthSecrets, expectShape } from '../tickets/http.js';
import { pathAndQuery, SourceHttp } from './http.js';
import { baseUrl, list, secret, timeoutMs } from './options.js';
import type { FetchContext, FetchResult, KnowledgeSource, KnowledgeSourceDescriptor, SourceArticle, SourceDeps } from './types.js';

/**
 * Zendesk Guide through the Help Center API. Changes come from the incremental article export
 * (`/api/v2/help_center/incremental/articles?start_time=`; its `end_time` is the next run's
 * cursor); each changed article's English and French translations are read from
 * `/articles/{id}/translations` and linked with `translation_of` to the source-locale version.
 * Drafts are left out (and retired when they were imported); archived and deleted articles no
 * longer appear in `/api/v2/help_center/articles`, which every run lists to retire them.
 * An article limited to a user segment gets that segment's name as its audience, unless the
 * segment is simply "signed-in users" with no group or tag restriction (every employee).
 * Needs an agent or admin account (the incremental export requires it) and an API token.
 */

export const zendeskConfig = z.object({
  url: baseUrl,
  email: secret('email'),
  apiToken: secret('API token'),
  /** Locales to import; a translation in another locale is skipped. */
  locales: list.transform((v) => (v.length ? v.map((l) => l.toLowerCase()) : ['en-us', 'en', 'en-gb', 'fr', 'fr-fr', 'fr-ca'])),
  timeoutMs,
});
export type ZendeskConfig = z.infer<typeof zendeskConfig>;

const article = z
  .object({
    id: z.number(),
    title: z.string().nullable().optional(),
    body: z.string().nullable().optional(),
    locale: z.string(),
    source_locale: z.string().optional(),
    draft: z.boolean().optional().default(false),
    html_url: z.string().optional(),
    updated_at: z.string().optional(),
    section_id: z.number().nullable().optional(),
    user_segment_id: z.number().nullable().optional(),
    label_names: z.array(z.string()).optional(),
  })
  .passthrough();
const incremental = z.object({ articles: z.array(article), next_page: z.string().nullable().optional(), end_time: z.number().nullable().optional() });
const listing = z.object({ articles: z.array(z.object({ id: z.number() }).passthrough()), next_page: z.string().nullable().optional() });
const translation = z
  .object({
    id: z.number(),
    source_id: z.number(),
    locale: z.string(),
    title: z.string().nullable().optional(),
    body: z.string().nullable().optional(),
    draft: z.boolean().optional().default(false),
    html_url: z.string().optional(),
    updated_at: z.string().optional(),
  })
  .passthrough();
const translations = z.object({ translations: z.array(translation), next_page: z.string().nullable().optional() });
const segment = z.object({
  user_segment: z
    .object({
      id: z.number(),
      name: z.string(),
      user_type: z.string(),
      group_ids: z.array(z.number()).optional().default([]),
      organization_ids: z.array(z.number()).optional().default([]),
      tags: z.array(z.string()).optional().default([]),
    })
    .passthrough(),
});

type ZdArticle = z.infer<typeof article>;

export class ZendeskGuide implements KnowledgeSource {
  readonly system = 'zendesk';
  private readonly http: SourceHttp;

  constructor(private readonly config: ZendeskConfig, deps: SourceDeps = {}) {
    const user = `${config.email}/token`;
    this.http = new SourceHttp({
      service: 'Zendesk',
      baseUrl: config.url,
      timeoutMs: config.timeoutMs,
      headers: () => ({ Authorization: basicAuth(user, config.apiToken) }),
      secrets: basicAuthSecrets(user, config.apiToken),
      describeError: (data) => {
        const d = data as { error?: unknown; description?: string } | undefined;
        return typeof d?.error === 'string' ? [d.error, d.description].filter(Boolean).join(': ') : undefined;
      },
      fetch: deps.fetch,
      sleep: deps.sleep,
    });
  }

  /** Follows `next_page` links (absolute URLs on the same host) until there is none. */
  private async pages<T extends { next_page?: string | null }>(path: string, query: Record<string, string | number>, schema: z.ZodType<T, z.ZodTypeDef, unknown>, what: string): Promise<T[]> {
    const out: T[] = [];
    let p = path;
    let q: Record<string, string | number> = query;
    for (let guard = 0; guard < 100_000; guard++) {
      const res = await this.http.get(p, q);
      const body = expectShape(schema, res.data, what);
      out.push(body);
      if (!body.next_page) break;
      ({ path: p, query: q } = pathAndQuery(body.next_page, this.config.url));
    }
    return out;
  }

  private wanted(locale: string): Lang | undefined {
    const l = locale.toLowerCase();
    return this.config.locales.includes(l) ? langFromLocale(l) : undefined;
  }

  async fetch(context: FetchContext): Promise<FetchResult> {
    const start = context.cursor ?? '0';
    const exportPages = await this.pages('/api/v2/help_center/incremental/articles', { start_time: start }, incremental, 'Zendesk incremental articles');
    // The incremental export repeats an article on the page boundary; the last version wins.
    const changed = new Map<number, ZdArticle>();
    for (const p of exportPages) for (const a of p.articles) changed.set(a.id, a);
    const endTimes = exportPages.map((p) => p.end_time).filter((t): t is number => typeof t === 'number');
    const cursor = endTimes.length ? String(Math.max(...endTimes)) : context.cursor;

    const liveArticles = new Set<number>();
    for (const p of await this.pages('/api/v2/help_center/articles', { per_page: 100 }, listing, 'Zendesk articles')) for (const a of p.articles) liveArticles.add(a.id);

    const result: FetchResult = { articles: [], skipped: [], failed: [], cursor };
    const segments = new Map<number, string[] | undefined>();
    for (const a of changed.values()) {
      if (!liveArticles.has(a.id)) {
        // Archived or deleted: its translations cannot be read any more; every imported one goes.
        for (const sid of context.known) {
          if (sid.startsWith(`${a.id}-`)) result.articles.push({ sourceId: sid, title: '', body: { html: '' }, retired: 'archived or deleted' });
        }
        continue;
      }
      try {
        const audience = await this.audienceOf(a.user_segment_id ?? null, segments);
        const sourceLang = this.wanted(a.source_locale ?? a.locale);
        const sourceKey = (lang: Lang) => `${a.id}-${lang}`;
        const trs = (await this.pages(`/api/v2/help_center/articles/${a.id}/translations`, {}, translations, 'Zendesk translations')).flatMap((p) => p.translations);
        for (const t of trs) {
          const lang = this.wanted(t.locale);
          if (!lang) {
            result.skipped.push({ sourceId: `${a.id}-${t.locale}`, reason: `locale ${t.locale} not imported` });
            continue;
          }
          const isSource = t.locale.toLowerCase() === (a.source_locale ?? a.locale).toLowerCase();
          const draft = a.draft && isSource ? true : t.draft;
          const item: SourceArticle = {
            sourceId: sourceKey(lang),
            title: t.title ?? '',
            lang,
            body: { html: t.body ?? '' },
            url: t.html_url ?? a.html_url,
            updated: t.updated_at ?? a.updated_at,
            tags: a.label_names?.length ? a.label_names : undefined,
            audience,
            translationOf: !isSource && sourceLang && sourceLang !== lang ? sourceKey(sourceLang) : undefined,
            retired: draft ? 'draft' : undefined,
          };
          result.articles.push(item);
        }
      } catch (err) {
        result.failed.push({ sourceId: String(a.id), reason: err instanceof Error ? err.message : String(err) });
      }
    }
    // Known translations of articles that are no longer listed (archived, deleted) are retired.
    const failedIds = new Set(result.failed.map((f) => f.sourceId));
    result.liveIds = new Set([...context.known].filter((sid) => {
      const id = sid.split('-')[0]!;
      return liveArticles.has(Number(id)) || failedIds.has(id);
    }));
    for (const a of result.articles) if (!a.retired) result.liveIds.add(a.sourceId);
    return result;
  }

  /** Undefined = everyone; a segment restricted to groups, organisations or tags, or to agents, is an audience. */
  private async audienceOf(segmentId: number | null, cache: Map<number, string[] | undefined>): Promise<string[] | undefined> {
    if (segmentId === null) return undefined;
    if (cache.has(segmentId)) return cache.get(segmentId);
    const res = await this.http.get(`/api/v2/help_center/user_segments/${segmentId}`);
    const s = expectShape(segment, res.data, 'Zendesk user segment').user_segment;
    const open = s.user_type === 'signed_in_users' && s.group_ids.length === 0 && s.organization_ids.length === 0 && s.tags.length === 0;
    const audience = open ? undefined : [s.name];
    cache.set(segmentId, audience);
    return audience;
  }
}

export const zendeskSource: KnowledgeSourceDescriptor<ZendeskConfig> = {
  name: 'zendesk',
  description: 'Zendesk Guide (Help Center API, incremental export)',
  configSchema: zendeskConfig,
  create: (config, deps) => new ZendeskGuide(config, deps),
};
