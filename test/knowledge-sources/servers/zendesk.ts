import { FakeServer, basicCredentials, type Reply } from '../../tickets/servers/base.js';

/**
 * Zendesk Guide's Help Center API as documented: the incremental article export
 * (GET /api/v2/help_center/incremental/articles?start_time=<epoch>, pages of articles whose
 * metadata changed at or after start_time, with `next_page` and `end_time`), the article list
 * (GET /api/v2/help_center/articles, offset pages with `next_page`; archived articles are not in
 * it), per-article translations (GET /api/v2/help_center/articles/{id}/translations) and user
 * segments (GET /api/v2/help_center/user_segments/{id}). Basic auth as `{email}/token:{api_token}`.
 */
export const ZD_CREDENTIALS = { email: 'kb.bot@example.org', apiToken: 'zd-T0ken-abcdef' };

export interface ZdTranslation {
  locale: string;
  title: string;
  body: string;
  draft: boolean;
  updated_at: number;
}

export interface ZdArticle {
  id: number;
  source_locale: string;
  draft: boolean;
  archived: boolean;
  user_segment_id: number | null;
  label_names: string[];
  updated_at: number;
  translations: Map<string, ZdTranslation>;
}

const iso = (epoch: number) => new Date(epoch * 1000).toISOString().replace('.000Z', 'Z');

export function createZendeskGuideServer(pageSize = 2) {
  const articles = new Map<number, ZdArticle>();
  const segments = new Map<number, Record<string, unknown>>([
    [1, { id: 1, name: 'Signed-in users', user_type: 'signed_in_users', group_ids: [], organization_ids: [], tags: [] }],
    [2, { id: 2, name: 'IT staff', user_type: 'staff', group_ids: [360001], organization_ids: [], tags: [] }],
  ]);
  let clock = 1_790_000_000;
  let seq = 3600_000;

  const articleJson = (base: string, a: ZdArticle) => {
    const t = a.translations.get(a.source_locale)!;
    return {
      id: a.id,
      url: `${base}/api/v2/help_center/${a.source_locale}/articles/${a.id}.json`,
      html_url: `${base}/hc/${a.source_locale}/articles/${a.id}`,
      title: t.title,
      body: t.body,
      locale: a.source_locale,
      source_locale: a.source_locale,
      draft: a.draft,
      section_id: 42,
      user_segment_id: a.user_segment_id,
      label_names: a.label_names,
      outdated: false,
      created_at: iso(a.updated_at),
      updated_at: iso(a.updated_at),
      edited_at: iso(a.updated_at),
    };
  };

  const server: FakeServer = new FakeServer((req): Reply => {
    const c = basicCredentials(req.headers);
    if (c?.user !== `${ZD_CREDENTIALS.email}/token` || c.password !== ZD_CREDENTIALS.apiToken) return { status: 401, body: { error: "Couldn't authenticate you" } };
    const base = server.url;
    if (req.path === '/api/v2/help_center/incremental/articles') {
      const raw = req.query.get('start_time');
      if (raw === null || !/^\d+$/.test(raw)) return { status: 400, body: { error: 'InvalidValue', description: 'start_time is required' } };
      const start = Number(raw);
      const changed = [...articles.values()].filter((a) => a.updated_at >= start).sort((a, b) => a.updated_at - b.updated_at || a.id - b.id);
      const page = changed.slice(0, pageSize);
      const more = changed.length > pageSize;
      const end = page.length ? page[page.length - 1]!.updated_at : start;
      // The next page starts at the last item's time: that item comes again, as the real export does.
      return {
        status: 200,
        body: {
          articles: page.map((a) => articleJson(base, a)),
          count: page.length,
          end_time: end,
          next_page: more ? `${base}/api/v2/help_center/incremental/articles?start_time=${end + (page.every((a) => a.updated_at === end) ? 1 : 0)}` : null,
        },
      };
    }
    if (req.path === '/api/v2/help_center/articles') {
      const per = Number(req.query.get('per_page') ?? 30);
      const pageNo = Number(req.query.get('page') ?? 1);
      const listed = [...articles.values()].filter((a) => !a.archived).sort((a, b) => a.id - b.id);
      const slice = listed.slice((pageNo - 1) * per, pageNo * per);
      const next = pageNo * per < listed.length ? `${base}/api/v2/help_center/articles.json?page=${pageNo + 1}&per_page=${per}` : null;
      return { status: 200, body: { articles: slice.map((a) => articleJson(base, a)), next_page: next, count: listed.length, page: pageNo, per_page: per } };
    }
    let m = /^\/api\/v2\/help_center\/articles\/(\d+)\/translations$/.exec(req.path);
    if (m) {
      const a = articles.get(Number(m[1]));
      if (!a || a.archived) return { status: 404, body: { error: 'RecordNotFound', description: 'Not found' } };
      const translations = [...a.translations.values()].map((t, i) => ({
        id: a.id * 10 + i,
        source_id: a.id,
        source_type: 'Article',
        locale: t.locale,
        title: t.title,
        body: t.body,
        draft: t.draft,
        outdated: false,
        html_url: `${base}/hc/${t.locale}/articles/${a.id}`,
        updated_at: iso(t.updated_at),
      }));
      return { status: 200, body: { translations, next_page: null } };
    }
    m = /^\/api\/v2\/help_center\/user_segments\/(\d+)$/.exec(req.path);
    if (m) {
      const s = segments.get(Number(m[1]));
      return s ? { status: 200, body: { user_segment: s } } : { status: 404, body: { error: 'RecordNotFound', description: 'Not found' } };
    }
    return { status: 404, body: { error: 'InvalidEndpoint', description: 'Not found' } };
  });

  return {
    server,
    articles,
    /** Creates or edits an article (its source-locale translation) and moves its updated_at forward. */
    put(fields: { id?: number; title: string; body: string; locale?: string; draft?: boolean; user_segment_id?: number | null; archived?: boolean }): ZdArticle {
      clock += 60;
      const existing = fields.id ? articles.get(fields.id) : undefined;
      const locale = fields.locale ?? existing?.source_locale ?? 'en-us';
      const a: ZdArticle = existing ?? { id: ++seq, source_locale: locale, draft: false, archived: false, user_segment_id: null, label_names: ['it'], updated_at: clock, translations: new Map() };
      a.draft = fields.draft ?? a.draft;
      a.archived = fields.archived ?? a.archived;
      if (fields.user_segment_id !== undefined) a.user_segment_id = fields.user_segment_id;
      a.updated_at = clock;
      a.translations.set(locale, { locale, title: fields.title, body: fields.body, draft: a.draft, updated_at: clock });
      articles.set(a.id, a);
      return a;
    },
    translate(id: number, locale: string, title: string, body: string): void {
      clock += 60;
      const a = articles.get(id)!;
      a.translations.set(locale, { locale, title, body, draft: false, updated_at: clock });
      a.updated_at = clock;
    },
  };
}
