import { FakeServer, basicCredentials, type RecordedRequest, type Reply } from '../../tickets/servers/base.js';

/**
 * Confluence as documented. Cloud, under /wiki: REST v2 `GET /api/v2/spaces?keys=`,
 * `GET /api/v2/spaces/{id}/pages?body-format=storage` (cursor pagination: `_links.next` holds the
 * next URL with an opaque `cursor`, also sent as a Link header), `GET /api/v2/pages/{id}/labels`,
 * `GET /api/v2/pages/{id}/attachments` (cursor pagination; `downloadLink` relative to /wiki),
 * and v1 `GET /rest/api/content/{id}/restriction/byOperation/read`; basic auth e-mail + API token.
 * Data Center, at the root: `GET /rest/api/content?spaceKey=&expand=...` with start/limit and
 * `_links.next`; bearer personal access token.
 */
export const CF_CLOUD = { email: 'kb.bot@example.org', apiToken: 'cf-Cl0ud-token' };
export const CF_DC_PAT = 'dc-pat-0123456789';

export interface CfPage {
  id: string;
  spaceKey: string;
  title: string;
  html: string;
  version: number;
  labels: string[];
  groups: string[];
  status: 'current' | 'trashed';
  /** File names attached to the page. */
  attachments?: string[];
}

const SPACES = [
  { id: '98301', key: 'IT', name: 'IT Help' },
  { id: '98302', key: 'HR', name: 'People' },
];

export function createConfluenceServer(pageSize = 2) {
  const pages = new Map<string, CfPage>();
  let seq = 500_000;

  const cursorPage = <T>(req: RecordedRequest, items: T[], basePath: string): { results: T[]; next?: string } => {
    const limit = Math.min(Number(req.query.get('limit') ?? 25), pageSize);
    const offset = req.query.get('cursor') ? Number(Buffer.from(req.query.get('cursor')!, 'base64url').toString()) : 0;
    const results = items.slice(offset, offset + limit);
    if (offset + limit >= items.length) return { results };
    const q = new URLSearchParams(req.query);
    q.set('cursor', Buffer.from(String(offset + limit)).toString('base64url'));
    return { results, next: `${basePath}?${q.toString()}` };
  };

  const pageJson = (p: CfPage) => ({
    id: p.id,
    status: p.status,
    title: p.title,
    spaceId: SPACES.find((s) => s.key === p.spaceKey)!.id,
    version: { number: p.version, createdAt: `2026-11-${String(p.version).padStart(2, '0')}T10:00:00.000Z` },
    body: { storage: { value: p.html, representation: 'storage' } },
    _links: { webui: `/spaces/${p.spaceKey}/pages/${p.id}`, editui: `/pages/resumedraft.action?draftId=${p.id}` },
  });

  const server: FakeServer = new FakeServer((req): Reply => {
    const auth = req.headers.authorization ?? '';
    const cloud = req.path.startsWith('/wiki/');
    const c = basicCredentials(req.headers);
    const ok = cloud ? c?.user === CF_CLOUD.email && c.password === CF_CLOUD.apiToken : auth === `Bearer ${CF_DC_PAT}`;
    if (!ok) return { status: 401, body: { statusCode: 401, message: 'Unauthorized; scope does not match' } };

    if (req.path === '/wiki/api/v2/spaces') {
      const keys = (req.query.get('keys') ?? '').split(',');
      return { status: 200, body: { results: SPACES.filter((s) => keys.includes(s.key)), _links: {} } };
    }
    let m = /^\/wiki\/api\/v2\/spaces\/(\d+)\/pages$/.exec(req.path);
    if (m) {
      const space = SPACES.find((s) => s.id === m![1]);
      if (!space) return { status: 404, body: { errors: [{ status: 404, code: 'NOT_FOUND', title: 'Not Found' }] } };
      const items = [...pages.values()].filter((p) => p.spaceKey === space.key && p.status === 'current').map(pageJson);
      const { results, next } = cursorPage(req, items, req.path);
      return { status: 200, body: { results, _links: { ...(next ? { next } : {}), base: `${server.url}/wiki` } }, headers: next ? { Link: `<${next}>; rel="next"` } : {} };
    }
    m = /^\/wiki\/api\/v2\/pages\/(\d+)\/labels$/.exec(req.path);
    if (m) {
      const p = pages.get(m[1]!);
      return p ? { status: 200, body: { results: p.labels.map((name, i) => ({ id: String(i + 1), name, prefix: 'global' })), _links: {} } } : { status: 404, body: { errors: [] } };
    }
    m = /^\/wiki\/api\/v2\/pages\/(\d+)\/attachments$/.exec(req.path);
    if (m) {
      const p = pages.get(m[1]!);
      if (!p) return { status: 404, body: { errors: [{ status: 404, code: 'NOT_FOUND', title: 'Not Found' }] } };
      const items = (p.attachments ?? []).map((title, i) => {
        const download = `/download/attachments/${p.id}/${encodeURIComponent(title)}?version=1&modificationDate=1764669600000&api=v2`;
        const webui = `/pages/viewpageattachments.action?pageId=${p.id}&preview=${encodeURIComponent(`/${p.id}/${title}`)}`;
        return { id: `att${p.id}${i}`, status: 'current', title, pageId: p.id, mediaType: title.endsWith('.png') ? 'image/png' : 'application/pdf', fileSize: 2048, downloadLink: download, webuiLink: webui, _links: { download, webui } };
      });
      const { results, next } = cursorPage(req, items, req.path);
      return { status: 200, body: { results, _links: { ...(next ? { next } : {}), base: `${server.url}/wiki` } } };
    }
    m = /^\/wiki\/rest\/api\/content\/(\d+)\/restriction\/byOperation\/read$/.exec(req.path);
    if (m) {
      const p = pages.get(m[1]!);
      if (!p) return { status: 404, body: { statusCode: 404, message: 'No content found' } };
      return { status: 200, body: { operation: 'read', restrictions: { user: { results: [], size: 0 }, group: { results: p.groups.map((name) => ({ type: 'group', name })), size: p.groups.length } } } };
    }
    if (req.path === '/rest/api/content') {
      const key = req.query.get('spaceKey');
      const start = Number(req.query.get('start') ?? 0);
      const limit = Math.min(Number(req.query.get('limit') ?? 25), pageSize);
      const items = [...pages.values()].filter((p) => p.spaceKey === key && p.status === 'current');
      const results = items.slice(start, start + limit).map((p) => ({
        id: p.id,
        type: 'page',
        status: 'current',
        title: p.title,
        version: { number: p.version, when: `2026-11-${String(p.version).padStart(2, '0')}T10:00:00.000+01:00` },
        body: { storage: { value: p.html, representation: 'storage' } },
        metadata: { labels: { results: p.labels.map((name) => ({ prefix: 'global', name })), size: p.labels.length } },
        restrictions: { read: { operation: 'read', restrictions: { group: { results: p.groups.map((name) => ({ type: 'group', name })) } } } },
        _links: { webui: `/display/${p.spaceKey}/${encodeURIComponent(p.title.replace(/ /g, '+'))}` },
      }));
      const q = new URLSearchParams(req.query);
      q.set('start', String(start + limit));
      return {
        status: 200,
        body: { results, start, limit, size: results.length, _links: { base: server.url, context: '', ...(start + limit < items.length ? { next: `/rest/api/content?${q.toString()}` } : {}) } },
      };
    }
    return { status: 404, body: { statusCode: 404, message: 'Not found' } };
  });

  return {
    server,
    pages,
    put(fields: Partial<CfPage> & { title: string; html: string }): CfPage {
      const existing = fields.id ? pages.get(fields.id) : undefined;
      const p: CfPage = { id: String(++seq), spaceKey: 'IT', version: 0, labels: [], groups: [], status: 'current', ...existing, ...fields } as CfPage;
      p.version = (existing?.version ?? 0) + 1;
      pages.set(p.id, p);
      return p;
    },
  };
}
