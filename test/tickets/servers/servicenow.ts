import { randomBytes } from 'node:crypto';
import { FakeServer, basicCredentials, type RecordedRequest, type Reply } from './base.js';

/**
 * ServiceNow Table API as documented: /api/now/table/{table} (GET list with sysparm_query,
 * sysparm_fields, sysparm_limit, sysparm_display_value; GET by sys_id; POST insert → 201 {result};
 * PATCH/PUT by sys_id → 200 {result}, journal fields appended to the record's journal),
 * basic auth or OAuth bearer from /oauth_token.do, and the product's error envelope
 * {"error":{"message","detail"},"status":"failure"}. It keeps no idempotency of its own: dedup is
 * the client's job (correlation_id lookup).
 */
export interface SnUser {
  sys_id: string;
  email: string;
  name: string;
  active: boolean;
}

export type SnRecord = Record<string, string>;

export const SN_CREDENTIALS = { username: 'helpdesk.integration', password: 'S3cret-pa55!' };
export const SN_OAUTH = { clientId: 'cid-123', clientSecret: 'client-secret-xyz' };

const snError = (message: string, detail: string) => ({ error: { message, detail }, status: 'failure' });
const sysId = () => randomBytes(16).toString('hex');

const STATE_LABELS: Record<string, string> = { '1': 'New', '2': 'In Progress', '3': 'On Hold', '6': 'Resolved', '7': 'Closed', '8': 'Canceled' };

export function createServiceNowServer() {
  const users: SnUser[] = [{ sys_id: sysId(), email: 'lea.martin@example.org', name: 'Léa Martin', active: true }];
  const incidents: SnRecord[] = [];
  const tokens = new Set<string>();
  /** sys_journal_field rows: one per comment or work note added by an update. */
  const journal: { element_id: string; element: string; value: string }[] = [];
  let seq = 10_000;

  const authorised = (req: RecordedRequest) => {
    const h = req.headers.authorization ?? '';
    if (h.startsWith('Bearer ')) return tokens.has(h.slice(7));
    const c = basicCredentials(req.headers);
    return c?.user === SN_CREDENTIALS.username && c.password === SN_CREDENTIALS.password;
  };

  const project = (rec: Record<string, string>, req: RecordedRequest) => {
    const fields = req.query.get('sysparm_fields')?.split(',');
    const display = req.query.get('sysparm_display_value');
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rec)) {
      if (fields && !fields.includes(k)) continue;
      if (display === 'all') {
        const label = k === 'state' ? (STATE_LABELS[v] ?? v) : k === 'assigned_to' ? (users.find((u) => u.sys_id === v)?.name ?? v) : v;
        out[k] = { display_value: label, value: v };
      } else out[k] = v;
    }
    return out;
  };

  /** Encoded query subset: field=value terms joined by ^, plus ORDERBYDESC<field>. */
  const matches = (rec: Record<string, string | boolean>, q: string | null) =>
    (q ?? '').split('^').every((term) => {
      if (!term || term.startsWith('ORDERBY')) return true;
      const [field, value] = term.split('=');
      return String(rec[field!] ?? '') === value;
    });

  const handler = (req: RecordedRequest): Reply => {
    if (req.method === 'POST' && req.path === '/oauth_token.do') {
      const form = new URLSearchParams(req.body);
      if (
        req.headers['content-type'] !== 'application/x-www-form-urlencoded' ||
        form.get('grant_type') !== 'client_credentials' ||
        form.get('client_id') !== SN_OAUTH.clientId ||
        form.get('client_secret') !== SN_OAUTH.clientSecret
      ) {
        return { status: 401, body: { error_description: 'access_denied', error: 'server_error' } };
      }
      const token = randomBytes(24).toString('base64url');
      tokens.add(token);
      return { status: 200, body: { access_token: token, scope: 'useraccount', token_type: 'Bearer', expires_in: 1799 } };
    }
    if (!authorised(req)) return { status: 401, body: snError('User Not Authenticated', 'Required to provide Auth information') };

    const table = /^\/api\/now\/table\/(\w+)(?:\/(\w+))?$/.exec(req.path);
    if (!table) return { status: 400, body: snError('Requested URI does not represent any resource', req.path) };
    const [, name, id] = table;

    if (name === 'sys_user' && req.method === 'GET') {
      const rows = users.filter((u) => matches({ email: u.email, active: String(u.active) } as Record<string, string>, req.query.get('sysparm_query')));
      return { status: 200, body: { result: rows.slice(0, Number(req.query.get('sysparm_limit') ?? 10000)).map((u) => project({ sys_id: u.sys_id, name: u.name }, req)) } };
    }
    if (name !== 'incident') return { status: 400, body: snError('Invalid table', name!) };

    if (req.method === 'POST') {
      if (req.headers['content-type'] !== 'application/json' || !req.json || typeof req.json !== 'object') {
        return { status: 400, body: snError('Exception while reading request', 'The payload is not valid JSON.') };
      }
      const input = req.json as Record<string, string>;
      if (input.caller_id && !users.some((u) => u.sys_id === input.caller_id)) {
        return { status: 400, body: snError('Invalid reference', 'caller_id is not a valid sys_user') };
      }
      const now = new Date().toISOString().slice(0, 19).replace('T', ' ');
      const rec: SnRecord = {
        ...input,
        sys_id: sysId(),
        number: `INC${String(++seq).padStart(7, '0')}`,
        state: '1',
        assigned_to: '',
        close_notes: '',
        sys_created_on: now,
        sys_updated_on: now,
      };
      incidents.push(rec);
      return { status: 201, body: { result: project(rec, req) }, headers: { Location: `/api/now/table/incident/${rec.sys_id}` } };
    }
    if ((req.method === 'PATCH' || req.method === 'PUT') && id) {
      const rec = incidents.find((i) => i.sys_id === id);
      if (!rec) return { status: 404, body: snError('No Record found', "Record doesn't exist or ACL restricts the record retrieval") };
      if (req.headers['content-type'] !== 'application/json' || !req.json || typeof req.json !== 'object') {
        return { status: 400, body: snError('Exception while reading request', 'The payload is not valid JSON.') };
      }
      // Journal fields (comments, work_notes) append an entry instead of replacing a value.
      const { comments, work_notes, ...rest } = req.json as Record<string, string>;
      Object.assign(rec, rest);
      if (comments) journal.push({ element_id: id, element: 'comments', value: comments });
      if (work_notes) journal.push({ element_id: id, element: 'work_notes', value: work_notes });
      rec.sys_updated_on = new Date().toISOString().slice(0, 19).replace('T', ' ');
      return { status: 200, body: { result: project(rec, req) } };
    }
    if (req.method === 'GET' && id) {
      const rec = incidents.find((i) => i.sys_id === id);
      return rec
        ? { status: 200, body: { result: project(rec, req) } }
        : { status: 404, body: snError('No Record found', "Record doesn't exist or ACL restricts the record retrieval") };
    }
    if (req.method === 'GET') {
      let rows = incidents.filter((i) => matches(i, req.query.get('sysparm_query')));
      if (req.query.get('sysparm_query')?.includes('ORDERBYDESCsys_created_on')) rows = [...rows].reverse();
      return { status: 200, body: { result: rows.slice(0, Number(req.query.get('sysparm_limit') ?? 10000)).map((r) => project(r, req)) } };
    }
    return { status: 405, body: snError('Method not Supported', `${req.method} is not supported`) };
  };

  return { server: new FakeServer(handler), users, incidents, journal, snError };
}
