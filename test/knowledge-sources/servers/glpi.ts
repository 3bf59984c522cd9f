import { FakeServer, type RecordedRequest, type Reply } from '../../tickets/servers/base.js';

/**
 * GLPI's legacy REST API (apirest.php) for the knowledge base, as documented: GET initSession with
 * `Authorization: user_token …` and App-Token, Session-Token on every other call, killSession,
 * GET /KnowbaseItem with `range=a-b` (206 Partial Content and `Content-Range: a-b/total` while more
 * remain), `expand_dropdowns=true` turning dropdown ids into names, sub-items
 * /KnowbaseItem/{id}/Entity_KnowbaseItem, Group_KnowbaseItem, KnowbaseItem_Profile,
 * KnowbaseItem_User, KnowbaseItemTranslation (language as GLPI's locale code, e.g. fr_FR), and
 * errors as ["ERROR_CODE", "message"]. Rich text comes HTML-encoded, as
 * GLPI 9.5 stores it.
 */
export const GLPI_KB_TOKENS = { appToken: 'glpi-app-kb-token', userToken: 'glpi-user-kb-token' };

export interface GlpiKbItem {
  id: number;
  name: string;
  answer: string;
  is_faq: number;
  date_mod: string;
  end_date: string | null;
  category: string;
  entities: number[];
  groups: string[];
  profiles: string[];
  users: number[];
  /** Language code (GLPI's, e.g. fr_FR) → translated name and answer. */
  translations?: Record<string, { name: string; answer: string; date_mod?: string }>;
}

const err = (status: number, code: string, message: string): Reply => ({ status, body: [code, message] });
const encode = (html: string) => html.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function createGlpiKbServer() {
  const items = new Map<number, GlpiKbItem>();
  const sessions = new Set<string>();
  let seq = 0;
  let clock = Date.UTC(2026, 10, 2, 9, 0, 0);

  const server: FakeServer = new FakeServer((req: RecordedRequest): Reply => {
    if (req.headers['app-token'] !== GLPI_KB_TOKENS.appToken) return err(400, 'ERROR_WRONG_APP_TOKEN_PARAMETER', 'parameter app_token seems wrong');
    const path = req.path.replace(/^\/apirest\.php/, '');
    if (path === '/initSession') {
      if (req.headers.authorization !== `user_token ${GLPI_KB_TOKENS.userToken}`) return err(401, 'ERROR_GLPI_LOGIN_USER_TOKEN', 'parameter user_token seems invalid');
      const token = `sess-${sessions.size + 1}-kb`;
      sessions.add(token);
      return { status: 200, body: { session_token: token } };
    }
    const session = String(req.headers['session-token'] ?? '');
    if (!sessions.has(session)) return err(401, 'ERROR_SESSION_TOKEN_INVALID', 'session_token seems invalid');
    if (path === '/killSession') {
      sessions.delete(session);
      return { status: 200, body: '' };
    }
    if (path === '/KnowbaseItem') {
      const [from, to] = (req.query.get('range') ?? '0-49').split('-').map(Number) as [number, number];
      const all = [...items.values()].sort((a, b) => a.id - b.id);
      const slice = all.slice(from, to + 1);
      const expand = req.query.get('expand_dropdowns') === 'true';
      const rows = slice.map((i) => ({
        id: i.id,
        entities_id: expand ? 'Root entity' : 0,
        name: i.name,
        answer: encode(i.answer),
        is_faq: i.is_faq,
        knowbaseitemcategories_id: expand ? i.category : 3,
        date_mod: i.date_mod,
        begin_date: null,
        end_date: i.end_date,
      }));
      const last = from + slice.length - 1;
      return { status: last + 1 < all.length ? 206 : 200, body: rows, headers: { 'Content-Range': `${from}-${Math.max(from, last)}/${all.length}`, 'Accept-Range': 'KnowbaseItem 1000' } };
    }
    const m = /^\/KnowbaseItem\/(\d+)\/(Entity_KnowbaseItem|Group_KnowbaseItem|KnowbaseItem_Profile|KnowbaseItem_User|KnowbaseItemTranslation)$/.exec(path);
    if (m) {
      const i = items.get(Number(m[1]));
      if (!i) return err(404, 'ERROR_ITEM_NOT_FOUND', 'Item not found');
      const id = i.id;
      switch (m[2]) {
        case 'Entity_KnowbaseItem':
          return { status: 200, body: i.entities.map((e, n) => ({ id: n + 1, knowbaseitems_id: id, entities_id: e === 0 ? 'Root entity' : `Entity ${e}`, is_recursive: 1 })) };
        case 'Group_KnowbaseItem':
          return { status: 200, body: i.groups.map((g, n) => ({ id: n + 1, knowbaseitems_id: id, groups_id: g, entities_id: 'Root entity', is_recursive: 1, no_entity_restriction: 0 })) };
        case 'KnowbaseItem_Profile':
          return { status: 200, body: i.profiles.map((p, n) => ({ id: n + 1, knowbaseitems_id: id, profiles_id: p, entities_id: 'Root entity', is_recursive: 1, no_entity_restriction: 0 })) };
        case 'KnowbaseItemTranslation':
          return {
            status: 200,
            body: Object.entries(i.translations ?? {}).map(([language, t], n) => ({
              id: n + 1,
              knowbaseitems_id: id,
              language,
              name: t.name,
              answer: encode(t.answer),
              users_id: 2,
              date_mod: t.date_mod ?? i.date_mod,
              date_creation: i.date_mod,
            })),
          };
        default:
          return { status: 200, body: i.users.map((u, n) => ({ id: n + 1, knowbaseitems_id: id, users_id: u })) };
      }
    }
    return err(400, 'ERROR_RESOURCE_NOT_FOUND_NOR_COMMONDBTM', 'resource not found or not an instance of CommonDBTM');
  });

  return {
    server,
    items,
    sessions,
    put(fields: Partial<GlpiKbItem> & { name: string; answer: string }): GlpiKbItem {
      clock += 60_000;
      const existing = fields.id ? items.get(fields.id) : undefined;
      const i: GlpiKbItem = { id: ++seq, is_faq: 1, end_date: null, category: 'Network', entities: [0], groups: [], profiles: [], users: [], ...existing, ...fields, date_mod: new Date(clock).toISOString().slice(0, 19).replace('T', ' ') } as GlpiKbItem;
      items.set(i.id, i);
      return i;
    },
  };
}
