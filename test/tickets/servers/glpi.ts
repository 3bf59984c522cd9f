import { randomBytes } from 'node:crypto';
import { FakeServer, type RecordedRequest, type Reply } from './base.js';

/**
 * GLPI legacy REST API (apirest.php) as documented: initSession with `Authorization: user_token …`
 * and App-Token, Session-Token on every other call, killSession, POST /:itemtype with {input},
 * GET /:itemtype/ with searchText[field], GET /:itemtype/:id, GET /:itemtype/:id/:sub_itemtype,
 * GET /search/:itemtype with criteria/forcedisplay, and errors as ["ERROR_CODE", "message"].
 */
export const GLPI_TOKENS = { appToken: 'app-token-abcdef', userToken: 'user-token-123456' };

export interface GlpiTicket {
  id: number;
  name: string;
  content: string;
  status: number;
  urgency: number;
  impact: number;
  priority: number;
  type: number;
  externalid: string;
  entities_id: number;
  itilcategories_id: number;
  requester?: number;
  requesterNotif?: unknown;
  date_mod: string;
}

export interface GlpiFollowup {
  id: number;
  itemtype: string;
  items_id: number;
  content: string;
  is_private: number;
}

const err = (status: number, code: string, message: string): Reply => ({ status, body: [code, message] });

export function createGlpiServer() {
  const users = [{ id: 7, name: 'lmartin', email: 'lea.martin@example.org' }];
  const tickets: GlpiTicket[] = [];
  const followups: GlpiFollowup[] = [];
  const sessions = new Set<string>();
  const killed: string[] = [];
  let seq = 1200;

  const handler = (req: RecordedRequest): Reply => {
    const base = '/apirest.php';
    if (!req.path.startsWith(base)) return err(400, 'ERROR_ITEMTYPE_NOT_FOUND_NOR_COMMONDBTM', 'resource not found');
    const path = req.path.slice(base.length).replace(/\/$/, '');
    if (req.headers['app-token'] !== GLPI_TOKENS.appToken) return err(400, 'ERROR_WRONG_APP_TOKEN_PARAMETER', 'parameter app_token seems wrong');
    if (req.method === 'GET' && path === '/initSession') {
      if (req.headers.authorization !== `user_token ${GLPI_TOKENS.userToken}`) {
        return err(401, 'ERROR_GLPI_LOGIN_USER_TOKEN', 'parameter user_token seems invalid');
      }
      const token = randomBytes(13).toString('hex');
      sessions.add(token);
      return { status: 200, body: { session_token: token } };
    }
    const session = req.headers['session-token'];
    if (typeof session !== 'string' || !sessions.has(session)) return err(401, 'ERROR_SESSION_TOKEN_INVALID', 'session_token seems invalid');
    if (req.method === 'GET' && req.body) return err(400, 'ERROR_JSON_PAYLOAD_FORBIDDEN', 'GET Request should not have json payload (http body)');
    if (req.method === 'GET' && path === '/killSession') {
      sessions.delete(session);
      killed.push(session);
      return { status: 200, body: true };
    }
    if (req.method === 'POST' && path === '/Ticket') {
      const input = (req.json as { input?: Record<string, unknown> } | undefined)?.input;
      if (!input || typeof input.name !== 'string' || typeof input.content !== 'string') return err(400, 'ERROR_BAD_ARRAY', 'input parameter must be an array of objects');
      const t: GlpiTicket = {
        id: ++seq,
        name: input.name,
        content: input.content,
        status: 1,
        urgency: Number(input.urgency),
        impact: Number(input.impact),
        priority: Number(input.priority),
        type: Number(input.type),
        externalid: String(input.externalid ?? ''),
        entities_id: Number(input.entities_id ?? 0),
        itilcategories_id: Number(input.itilcategories_id ?? 0),
        requester: input._users_id_requester as number | undefined,
        requesterNotif: input._users_id_requester_notif,
        date_mod: '2024-05-02 11:03:10',
      };
      tickets.push(t);
      return { status: 201, body: { id: t.id, message: '' }, headers: { Location: `${base}/Ticket/${t.id}` } };
    }
    if (req.method === 'POST' && path === '/ITILFollowup') {
      const input = (req.json as { input?: Record<string, unknown> } | undefined)?.input;
      if (!input || input.itemtype !== 'Ticket' || !tickets.some((t) => t.id === input.items_id)) return err(400, 'ERROR_GLPI_ADD', 'You cannot add this followup');
      const f: GlpiFollowup = { id: followups.length + 1, itemtype: 'Ticket', items_id: Number(input.items_id), content: String(input.content), is_private: Number(input.is_private ?? 0) };
      followups.push(f);
      return { status: 201, body: { id: f.id, message: '' } };
    }
    if (req.method === 'GET' && path === '/Ticket') {
      const ext = req.query.get('searchText[externalid]');
      const rows = tickets.filter((t) => ext === null || t.externalid.includes(ext));
      return { status: 200, body: rows, headers: { 'Content-Range': `0-${Math.max(0, rows.length - 1)}/${rows.length}` } };
    }
    const sub = /^\/Ticket\/(\d+)\/ITILFollowup$/.exec(path);
    if (req.method === 'GET' && sub) return { status: 200, body: followups.filter((f) => f.items_id === Number(sub[1])) };
    const one = /^\/Ticket\/(\d+)$/.exec(path);
    if (req.method === 'GET' && one) {
      const t = tickets.find((x) => x.id === Number(one[1]));
      return t ? { status: 200, body: t } : err(404, 'ERROR_ITEM_NOT_FOUND', 'Item not found');
    }
    if (req.method === 'GET' && path === '/search/User') {
      const field = req.query.get('criteria[0][field]');
      const value = req.query.get('criteria[0][value]') ?? '';
      if (field !== '5' || req.query.get('criteria[0][searchtype]') !== 'contains') return err(400, 'ERROR', 'unsupported search');
      const exact = /^\^(.*)\$$/.exec(value);
      const found = users.filter((u) => (exact ? u.email === exact[1] : u.email.includes(value)));
      return { status: 200, body: { totalcount: found.length, count: found.length, data: found.map((u) => ({ 2: u.id, 5: u.email })) } };
    }
    if (req.method === 'GET' && path === '/search/Ticket') {
      if (req.query.get('criteria[0][field]') !== '4') return err(400, 'ERROR', 'unsupported search');
      const uid = Number(req.query.get('criteria[0][value]'));
      const found = tickets.filter((t) => t.requester === uid).sort((a, b) => b.date_mod.localeCompare(a.date_mod) || b.id - a.id);
      return { status: 200, body: { totalcount: found.length, count: found.length, data: found.map((t) => ({ 1: t.name, 2: t.id, 12: t.status, 19: t.date_mod })) } };
    }
    return err(400, 'ERROR_RESOURCE_NOT_FOUND_NOR_COMMONDBTM', 'resource not found or not an instance of CommonDBTM');
  };

  return { server: new FakeServer(handler), users, tickets, followups, sessions, killed };
}
