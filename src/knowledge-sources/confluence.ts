import { decodeHTML as decodeEntities } from 'entities';
import { z } from 'zod';
import { basicAuth, basicAuthSecrets, expectShape } from '../tickets/http.js';
import { pathAndQuery, SourceHttp } from './http.js';
import { baseUrl, list, secret, timeoutMs } from './options.js';
import type { FetchContext, FetchResult, KnowledgeSource, KnowledgeSourceDescriptor, SourceArticle, SourceDeps } from './types.js';

/**
 * Confluence pages of chosen spaces, in storage format.
 * Cloud (REST v2): spaces by key from `/wiki/api/v2/spaces?keys=`, their current pages from
 * `/wiki/api/v2/spaces/{id}/pages?body-format=storage`, cursor pagination through `_links.next`;
 * labels from `/wiki/api/v2/pages/{id}/labels`; attachments from `/wiki/api/v2/pages/{id}/attachments`
 * (their `downloadLink`, so a storage-format reference by file name becomes a link; nothing is
 * downloaded or inlined); read restrictions (groups) from the v1
 * `/wiki/rest/api/content/{id}/restriction/byOperation/read`, which v2 has no equivalent for.
 * Data Center: `/rest/api/content?spaceKey=&type=page&expand=body.storage,version,metadata.labels,
 * restrictions.read.restrictions.group`, offset pagination (`start`, `_links.next`); attachments are
 * linked at their documented download path `/download/attachments/{pageId}/{file name}`.
 * The cursor is each page's version number: labels and restrictions are read again only for pages
 * whose version moved. A page no longer listed (trashed, deleted, moved out) is retired.
 * Needs a user who can read the spaces (Cloud: e-mail + API token; Data Center: a personal access token).
 */

export const confluenceConfig = z
  .object({
    url: baseUrl,
    deployment: z.enum(['cloud', 'datacenter']).default('cloud'),
    email: z.string().optional(),
    apiToken: secret('API token'),
    spaces: list.refine((v) => v.length > 0, 'at least one space key is required'),
    pageSize: z.number().int().min(1).max(250).default(100),
    timeoutMs,
  })
  .refine((c) => c.deployment === 'datacenter' || !!c.email, { message: 'email is required for Confluence Cloud', path: ['email'] });
export type ConfluenceConfig = z.infer<typeof confluenceConfig>;

const links = z.object({ next: z.string().optional(), webui: z.string().optional(), base: z.string().optional() }).passthrough();
const spacesV2 = z.object({ results: z.array(z.object({ id: z.union([z.string(), z.number()]).transform(String), key: z.string(), name: z.string().optional() }).passthrough()), _links: links.optional() });
const pageV2 = z
  .object({
    id: z.union([z.string(), z.number()]).transform(String),
    title: z.string(),
    status: z.string().optional(),
    version: z.object({ number: z.number(), createdAt: z.string().optional() }).passthrough().optional(),
    body: z.object({ storage: z.object({ value: z.string() }).passthrough().optional() }).passthrough().optional(),
    _links: links.optional(),
  })
  .passthrough();
const pagesV2 = z.object({ results: z.array(pageV2), _links: links.optional() });
const labelsV2 = z.object({ results: z.array(z.object({ name: z.string() }).passthrough()), _links: links.optional() });
const attachmentsV2 = z.object({
  results: z.array(
    z.object({ title: z.string(), status: z.string().optional(), downloadLink: z.string().optional(), _links: z.object({ download: z.string().optional() }).passthrough().optional() }).passthrough(),
  ),
  _links: links.optional(),
});
const readRestrictions = z
  .object({ restrictions: z.object({ group: z.object({ results: z.array(z.object({ name: z.string() }).passthrough()) }).passthrough().optional() }).passthrough().optional() })
  .passthrough();
const pageDc = z
  .object({
    id: z.union([z.string(), z.number()]).transform(String),
    title: z.string(),
    version: z.object({ number: z.number(), when: z.string().optional() }).passthrough().optional(),
    body: z.object({ storage: z.object({ value: z.string() }).passthrough().optional() }).passthrough().optional(),
    metadata: z.object({ labels: z.object({ results: z.array(z.object({ name: z.string() }).passthrough()) }).passthrough().optional() }).passthrough().optional(),
    restrictions: z.object({ read: readRestrictions.optional() }).passthrough().optional(),
    _links: links.optional(),
  })
  .passthrough();
const pagesDc = z.object({ results: z.array(pageDc), _links: links.optional() });

interface Page {
  id: string;
  space: string;
  title: string;
  version: number;
  updated?: string;
  html: string;
  webui?: string;
  labels?: string[];
  groups?: string[];
  /** File name → download URL. */
  attachments?: Record<string, string>;
}

export class ConfluenceKnowledge implements KnowledgeSource {
  readonly system = 'confluence';
  private readonly http: SourceHttp;

  constructor(private readonly config: ConfluenceConfig, deps: SourceDeps = {}) {
    const cloud = config.deployment === 'cloud';
    this.http = new SourceHttp({
      service: 'Confluence',
      baseUrl: config.url,
      timeoutMs: config.timeoutMs,
      headers: () => ({ Authorization: cloud ? basicAuth(config.email!, config.apiToken) : `Bearer ${config.apiToken}` }),
      secrets: cloud ? basicAuthSecrets(config.email!, config.apiToken) : [config.apiToken],
      fetch: deps.fetch,
      sleep: deps.sleep,
    });
  }

  /** Follows `_links.next` (relative to the site, e.g. "/wiki/api/v2/...?cursor=..." or "/rest/api/content?...&start=50"). */
  private async pages<T extends { _links?: { next?: string } }>(path: string, query: Record<string, string | number>, schema: z.ZodType<T, z.ZodTypeDef, unknown>, what: string): Promise<T[]> {
    const out: T[] = [];
    let p = path;
    let q = query;
    const origin = new URL(this.config.url).origin;
    for (let guard = 0; guard < 100_000; guard++) {
      const body = expectShape(schema, (await this.http.get(p, q)).data, what);
      out.push(body);
      const next = body._links?.next;
      if (!next) break;
      // Data Center links are relative to the context path ("/rest/api/..."), Cloud ones include "/wiki".
      const basePath = new URL(this.config.url).pathname.replace(/\/$/, '');
      const absolute = next.startsWith('/') && basePath && !next.startsWith(`${basePath}/`) ? `${this.config.url}${next}` : new URL(next, origin).toString();
      ({ path: p, query: q } = pathAndQuery(absolute, this.config.url));
    }
    return out;
  }

  private async cloudPages(): Promise<Page[]> {
    const spaces = (await this.pages('/api/v2/spaces', { keys: this.config.spaces.join(','), limit: 250 }, spacesV2, 'Confluence spaces')).flatMap((p) => p.results);
    const missing = this.config.spaces.filter((k) => !spaces.some((s) => s.key === k));
    if (missing.length) throw new Error(`Confluence: space(s) ${missing.join(', ')} not found or not readable by this account`);
    const out: Page[] = [];
    for (const space of spaces) {
      const pages = await this.pages(`/api/v2/spaces/${space.id}/pages`, { 'body-format': 'storage', status: 'current', limit: this.config.pageSize }, pagesV2, 'Confluence pages');
      for (const p of pages.flatMap((x) => x.results)) {
        out.push({ id: p.id, space: space.key, title: p.title, version: p.version?.number ?? 0, updated: p.version?.createdAt, html: p.body?.storage?.value ?? '', webui: p._links?.webui });
      }
    }
    return out;
  }

  private async cloudDetails(page: Page): Promise<void> {
    page.labels = (await this.pages(`/api/v2/pages/${page.id}/labels`, { limit: 250 }, labelsV2, 'Confluence labels')).flatMap((p) => p.results.map((l) => l.name));
    // Only when the body refers to an attachment: most pages have none, and this saves a call per page.
    if (page.html.includes('ri:attachment')) {
      page.attachments = {};
      const list = (await this.pages(`/api/v2/pages/${page.id}/attachments`, { limit: 250 }, attachmentsV2, 'Confluence attachments')).flatMap((p) => p.results);
      for (const a of list) {
        const link = a.downloadLink ?? a._links?.download;
        // Links are relative to the site's /wiki base, which config.url ends with.
        if (link && a.status !== 'trashed') page.attachments[a.title] = link.startsWith('/') ? `${this.config.url}${link}` : link;
      }
    }
    const r = expectShape(readRestrictions, (await this.http.get(`/rest/api/content/${page.id}/restriction/byOperation/read`, { expand: 'restrictions.group' })).data, 'Confluence restrictions');
    page.groups = r.restrictions?.group?.results.map((g) => g.name) ?? [];
  }

  private async dataCenterPages(): Promise<Page[]> {
    const out: Page[] = [];
    for (const key of this.config.spaces) {
      const pages = await this.pages(
        '/rest/api/content',
        { spaceKey: key, type: 'page', status: 'current', expand: 'body.storage,version,metadata.labels,restrictions.read.restrictions.group', start: 0, limit: this.config.pageSize },
        pagesDc,
        'Confluence content',
      );
      for (const p of pages.flatMap((x) => x.results)) {
        out.push({
          id: p.id,
          space: key,
          title: p.title,
          version: p.version?.number ?? 0,
          updated: p.version?.when,
          html: p.body?.storage?.value ?? '',
          webui: p._links?.webui,
          labels: p.metadata?.labels?.results.map((l) => l.name) ?? [],
          groups: p.restrictions?.read?.restrictions?.group?.results.map((g) => g.name) ?? [],
          attachments: attachmentLinks(this.config.url, p.id, p.body?.storage?.value ?? ''),
        });
      }
    }
    return out;
  }

  async fetch(context: FetchContext): Promise<FetchResult> {
    const cloud = this.config.deployment === 'cloud';
    const seen = parseCursor(context.cursor);
    const all = cloud ? await this.cloudPages() : await this.dataCenterPages();
    const result: FetchResult = { articles: [], skipped: [], failed: [], liveIds: new Set(all.map((p) => p.id)) };
    const versions: Record<string, number> = {};
    for (const page of all) {
      // Unchanged version and already imported: nothing to read again.
      if (seen[page.id] === page.version && context.known.has(page.id)) {
        versions[page.id] = page.version;
        continue;
      }
      try {
        if (cloud) await this.cloudDetails(page);
        versions[page.id] = page.version;
        const article: SourceArticle = {
          sourceId: page.id,
          title: page.title,
          body: { html: page.html, ...(page.attachments ? { attachments: page.attachments } : {}) },
          url: page.webui ? `${this.config.url}${page.webui}` : undefined,
          updated: page.updated,
          category: page.space,
          tags: page.labels?.length ? page.labels : undefined,
          audience: page.groups?.length ? page.groups : undefined,
        };
        result.articles.push(article);
      } catch (err) {
        result.failed.push({ sourceId: page.id, reason: err instanceof Error ? err.message : String(err) });
      }
    }
    result.cursor = JSON.stringify(versions);
    return result;
  }
}

/** Data Center: each attachment the body names, at the documented download path (read with the same permissions as the page). */
function attachmentLinks(siteUrl: string, pageId: string, html: string): Record<string, string> | undefined {
  const names = [...html.matchAll(/<ri:attachment\b[^>]*\bri:filename="([^"]+)"/g)].map((m) => decodeEntities(m[1]!));
  if (names.length === 0) return undefined;
  return Object.fromEntries(names.map((n) => [n, `${siteUrl}/download/attachments/${encodeURIComponent(pageId)}/${encodeURIComponent(n)}`]));
}

function parseCursor(cursor: string | undefined): Record<string, number> {
  if (!cursor) return {};
  try {
    const v = JSON.parse(cursor) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, number>) : {};
  } catch {
    return {};
  }
}

export const confluenceSource: KnowledgeSourceDescriptor<ConfluenceConfig> = {
  name: 'confluence',
  description: 'Confluence Cloud (REST v2) or Data Center (REST) pages of chosen spaces',
  configSchema: confluenceConfig,
  create: (config, deps) => new ConfluenceKnowledge(config, deps),
};
