import { decodeHTML } from 'entities';
import { z } from 'zod';
import { langFromLocale } from '../engine/lang.js';
import { expectShape } from '../tickets/http.js';
import { SourceHttp } from './http.js';
import { baseUrl, secret, timeoutMs } from './options.js';
import type { FetchContext, FetchResult, KnowledgeSource, KnowledgeSourceDescriptor, SourceArticle, SourceDeps } from './types.js';

/**
 * GLPI knowledge base items through the legacy REST API (apirest.php): `initSession` with the
 * user's API token (and the API client's App-Token), `GET /KnowbaseItem` in `range` pages (the
 * total comes back in Content-Range), `killSession` at the end. Visibility comes from the item's
 * targets: `Entity_KnowbaseItem` (everyone of an entity: every employee here),
 * `Group_KnowbaseItem` and `KnowbaseItem_Profile` (that group's or profile's members only) and
 * `KnowbaseItem_User` (named users only). An item with no target at all is unpublished in GLPI
 * and is not imported; one past its end_date is retired. Targets are read for every item on every
 * run: changing them does not move the item's date_mod, and a missed restriction would show an
 * article to people it was taken from (the files are still rewritten only when they change).
 * Translations (`/KnowbaseItem/{id}/KnowbaseItemTranslation`, when "Translation of knowledge base"
 * is on in GLPI) in English or French become articles of their own, `translation_of` the item, with
 * the item's visibility and end date; one in another language is skipped, one removed is retired.
 * Needs a user allowed to read the knowledge base (profile right "Knowledge base: read" and
 * "Publish in the FAQ" to see FAQ items).
 */

export const glpiConfig = z.object({
  url: baseUrl.refine((v) => /\/apirest\.php$/.test(v), 'expected the URL of apirest.php, e.g. https://glpi.example.org/apirest.php'),
  appToken: z.string().optional(),
  userToken: secret('user token'),
  pageSize: z.number().int().min(1).max(1000).default(50),
  timeoutMs,
});
export type GlpiConfig = z.infer<typeof glpiConfig>;

const session = z.object({ session_token: z.string() });
const item = z
  .object({
    id: z.number(),
    name: z.string().nullable().optional(),
    answer: z.string().nullable().optional(),
    is_faq: z.union([z.number(), z.boolean()]).optional(),
    date_mod: z.string().nullable().optional(),
    begin_date: z.string().nullable().optional(),
    end_date: z.string().nullable().optional(),
    knowbaseitemcategories_id: z.union([z.string(), z.number()]).nullable().optional(),
  })
  .passthrough();
const items = z.array(item);
const translations = z.array(
  z.object({ id: z.number(), language: z.string().nullable().optional(), name: z.string().nullable().optional(), answer: z.string().nullable().optional(), date_mod: z.string().nullable().optional() }).passthrough(),
);
const targets = z.array(z.record(z.unknown()));

type Item = z.infer<typeof item>;

/** GLPI stores rich text HTML-encoded in some versions ("&lt;p&gt;"); decode it once, never twice. */
function htmlOf(answer: string): string {
  return /<[a-z]/i.test(answer) ? answer : decodeHTML(answer);
}

export class GlpiKnowledge implements KnowledgeSource {
  readonly system = 'glpi';
  private readonly http: SourceHttp;

  constructor(private readonly config: GlpiConfig, deps: SourceDeps = {}) {
    this.http = new SourceHttp({
      service: 'GLPI',
      baseUrl: config.url,
      timeoutMs: config.timeoutMs,
      headers: (): Record<string, string> => (config.appToken ? { 'App-Token': config.appToken } : {}),
      secrets: [config.userToken, config.appToken],
      // GLPI answers errors as ["ERROR_CODE", "message"].
      describeError: (data) => (Array.isArray(data) ? data.map(String).join(': ') : undefined),
      fetch: deps.fetch,
      sleep: deps.sleep,
    });
  }

  async fetch(context: FetchContext): Promise<FetchResult> {
    const res = await this.http.get('/initSession', undefined, { Authorization: `user_token ${this.config.userToken}` });
    const token = expectShape(session, res.data, 'GLPI initSession').session_token;
    this.http.client.addSecret(token);
    try {
      return await this.read(token, context);
    } finally {
      await this.http.get('/killSession', undefined, { 'Session-Token': token }).catch(() => undefined);
    }
  }

  private async all(token: string): Promise<Item[]> {
    const out: Item[] = [];
    for (let start = 0; ; start += this.config.pageSize) {
      const res = await this.http.get('/KnowbaseItem', { range: `${start}-${start + this.config.pageSize - 1}`, expand_dropdowns: 'true' }, { 'Session-Token': token });
      const rows = expectShape(items, res.data ?? [], 'GLPI KnowbaseItem');
      out.push(...rows);
      const total = Number(/\/(\d+)$/.exec(res.headers.get('content-range') ?? '')?.[1] ?? NaN);
      if (rows.length === 0 || (Number.isFinite(total) ? start + rows.length >= total : rows.length < this.config.pageSize)) break;
    }
    return out;
  }

  private async targets(token: string, id: number, itemtype: string): Promise<Record<string, unknown>[]> {
    const res = await this.http.get(`/KnowbaseItem/${id}/${itemtype}`, { expand_dropdowns: 'true' }, { 'Session-Token': token });
    return expectShape(targets, res.data ?? [], `GLPI ${itemtype}`);
  }

  private async read(token: string, context: FetchContext): Promise<FetchResult> {
    const all = await this.all(token);
    const result: FetchResult = { articles: [], skipped: [], failed: [], liveIds: new Set() };
    const now = new Date().toISOString().replace('T', ' ').slice(0, 19);
    let cursor = context.cursor;
    for (const it of all) {
      const sourceId = String(it.id);
      result.liveIds!.add(sourceId);
      const mod = it.date_mod ?? '';
      if (mod > (cursor ?? '')) cursor = mod;
      try {
        const entities = await this.targets(token, it.id, 'Entity_KnowbaseItem');
        const groups = await this.targets(token, it.id, 'Group_KnowbaseItem');
        const profiles = await this.targets(token, it.id, 'KnowbaseItem_Profile');
        const users = await this.targets(token, it.id, 'KnowbaseItem_User');
        const everyone = entities.length > 0;
        const audience = everyone
          ? undefined
          : [
              ...groups.map((g) => String(g.groups_id)),
              ...profiles.map((p) => String(p.profiles_id)),
              ...users.map((u) => `glpi-user-${String(u.users_id)}`),
            ];
        const category = typeof it.knowbaseitemcategories_id === 'string' && it.knowbaseitemcategories_id.trim() ? it.knowbaseitemcategories_id : undefined;
        const article: SourceArticle = {
          sourceId,
          title: it.name ?? '',
          body: { html: htmlOf(it.answer ?? '') },
          url: `${this.config.url.replace(/\/apirest\.php$/, '')}/front/knowbaseitem.form.php?id=${it.id}`,
          updated: mod ? `${mod.replace(' ', 'T')}Z` : undefined,
          category,
          tags: it.is_faq ? ['faq'] : undefined,
          audience: audience && audience.length ? audience : undefined,
          retired:
            !everyone && audience?.length === 0
              ? 'not published to anyone (no target)'
              : it.end_date && it.end_date < now
                ? `expired (end date ${it.end_date.slice(0, 10)})`
                : it.begin_date && it.begin_date > now
                  ? 'not visible yet (begin date in the future)'
                  : undefined,
        };
        result.articles.push(article);
        for (const t of expectShape(translations, (await this.http.get(`/KnowbaseItem/${it.id}/KnowbaseItemTranslation`, undefined, { 'Session-Token': token })).data ?? [], 'GLPI KnowbaseItemTranslation')) {
          // One article per language: GLPI keeps one translation per item and language.
          const lang = langFromLocale(t.language);
          const translationId = `${sourceId}-${lang ?? (t.language || 'unknown').toLowerCase()}`;
          if (!lang) {
            result.skipped.push({ sourceId: translationId, reason: `translation in ${t.language || 'no language'}: only English and French are served` });
            continue;
          }
          result.liveIds!.add(translationId);
          const tmod = t.date_mod ?? '';
          if (tmod > (cursor ?? '')) cursor = tmod;
          result.articles.push({
            ...article,
            sourceId: translationId,
            title: t.name ?? '',
            lang,
            body: { html: htmlOf(t.answer ?? '') },
            updated: tmod ? `${tmod.replace(' ', 'T')}Z` : article.updated,
            translationOf: sourceId,
          });
        }
      } catch (err) {
        result.failed.push({ sourceId, reason: err instanceof Error ? err.message : String(err) });
      }
    }
    result.cursor = cursor;
    return result;
  }
}

export const glpiSource: KnowledgeSourceDescriptor<GlpiConfig> = {
  name: 'glpi',
  description: 'GLPI knowledge base items (REST API, apirest.php)',
  configSchema: glpiConfig,
  create: (config, deps) => new GlpiKnowledge(config, deps),
};
