import { FakeServer, basicCredentials, type RecordedRequest, type Reply } from '../../tickets/servers/base.js';

/**
 * ServiceNow Knowledge as the Table API serves it: GET /api/now/table/kb_knowledge and
 * /api/now/table/user_criteria with sysparm_query (encoded query: `=`, `IN`, `>=`, ORDERBY, terms
 * joined by ^), sysparm_fields (dot-walked `kb_category.label` included), sysparm_limit and
 * sysparm_offset, an RFC 8288 Link header (first/prev/next/last) and X-Total-Count, basic auth,
 * and the product's error envelope. Dates are "YYYY-MM-DD HH:MM:SS" in UTC, as with
 * sysparm_display_value=false. Knowledge bases' Can Read / Cannot Read user criteria live in the
 * many-to-many tables kb_uc_can_read_mtom and kb_uc_cannot_read_mtom (kb_knowledge_base,
 * user_criteria). Records are edited by the test through the returned handle.
 */
export const SN_KB_CREDENTIALS = { username: 'kb.reader', password: 'Kn0wledge-pa55!' };

export interface KbRecord {
  sys_id: string;
  number: string;
  short_description: string;
  text: string;
  workflow_state: string;
  kb_knowledge_base: string;
  kb_category: string;
  language: string;
  sys_updated_on: string;
  valid_to: string;
  can_read_user_criteria: string;
  cannot_read_user_criteria: string;
  translated_from: string;
}

const CATEGORY_LABELS: Record<string, string> = { cat1: 'Network', cat2: 'Accounts' };
const snError = (message: string, detail: string) => ({ error: { message, detail }, status: 'failure' });

export function createServiceNowKbServer() {
  const articles = new Map<string, KbRecord>();
  const criteria = new Map<string, string>([
    ['uc-it', 'IT staff'],
    ['uc-any', 'Any User'],
    ['uc-guest', 'Guest User'],
    ['uc-contractors', 'Contractors'],
    ['uc-security', 'Security team'],
  ]);
  /** Knowledge base sys_id → its Can Read / Cannot Read user criteria sys_ids. */
  const kbCanRead = new Map<string, string[]>();
  const kbCannotRead = new Map<string, string[]>();
  let clock = Date.UTC(2026, 10, 1, 8, 0, 0);
  const stamp = () => {
    clock += 60_000;
    return new Date(clock).toISOString().slice(0, 19).replace('T', ' ');
  };
  let seq = 10_000;

  const value = (rec: KbRecord, field: string): string =>
    field === 'kb_category.label' ? (CATEGORY_LABELS[rec.kb_category] ?? '') : String((rec as unknown as Record<string, string>)[field] ?? '');

  const matches = (rec: KbRecord, q: string) =>
    q.split('^').every((term) => {
      if (!term || term.startsWith('ORDERBY')) return true;
      let m = /^([a-z_.]+)IN(.*)$/.exec(term);
      if (m) return m[2]!.split(',').includes(value(rec, m[1]!));
      m = /^([a-z_.]+)>=(.*)$/.exec(term);
      if (m) return value(rec, m[1]!) >= m[2]!;
      m = /^([a-z_.]+)>(.*)$/.exec(term);
      if (m) return value(rec, m[1]!) > m[2]!;
      m = /^([a-z_.]+)=(.*)$/.exec(term);
      if (m) return value(rec, m[1]!) === m[2]!;
      throw new Error(`unsupported query term ${term}`);
    });

  const list = (req: RecordedRequest, rows: Record<string, string>[], base: string): Reply => {
    const limit = Number(req.query.get('sysparm_limit') ?? 10_000);
    const offset = Number(req.query.get('sysparm_offset') ?? 0);
    const fields = req.query.get('sysparm_fields')?.split(',');
    const slice = rows.slice(offset, offset + limit).map((r) => (fields ? Object.fromEntries(fields.map((f) => [f, r[f] ?? ''])) : r));
    const link = (o: number) => {
      const q = new URLSearchParams(req.query);
      q.set('sysparm_offset', String(o));
      return `<${base}${req.path}?${q.toString()}>`;
    };
    const links = [`${link(0)};rel="first"`];
    if (offset + limit < rows.length) links.push(`${link(offset + limit)};rel="next"`);
    links.push(`${link(Math.max(0, Math.floor((rows.length - 1) / limit) * limit))};rel="last"`);
    return { status: 200, body: { result: slice }, headers: { Link: links.join(','), 'X-Total-Count': String(rows.length) } };
  };

  const server: FakeServer = new FakeServer((req): Reply => {
    const c = basicCredentials(req.headers);
    if (c?.user !== SN_KB_CREDENTIALS.username || c.password !== SN_KB_CREDENTIALS.password) {
      return { status: 401, body: snError('User Not Authenticated', 'Required to provide Auth information') };
    }
    if (req.method === 'GET' && req.path === '/api/now/table/kb_knowledge') {
      const q = req.query.get('sysparm_query') ?? '';
      const order = /ORDERBY([a-z_]+)/.exec(q)?.[1];
      const rows = [...articles.values()].filter((r) => matches(r, q));
      if (order) rows.sort((a, b) => value(a, order).localeCompare(value(b, order)));
      const flat = rows.map((r) => ({ ...(r as unknown as Record<string, string>), 'kb_category.label': value(r, 'kb_category.label') }));
      return list(req, flat, server.url);
    }
    const mtom = /^\/api\/now\/table\/(kb_uc_can_read_mtom|kb_uc_cannot_read_mtom)$/.exec(req.path);
    if (req.method === 'GET' && mtom) {
      const table = mtom[1] === 'kb_uc_can_read_mtom' ? kbCanRead : kbCannotRead;
      const wanted = /^kb_knowledge_baseIN(.*)$/.exec(req.query.get('sysparm_query') ?? '')?.[1]?.split(',');
      const rows = [...table].filter(([kb]) => !wanted || wanted.includes(kb)).flatMap(([kb, ucs]) => ucs.map((uc) => ({ sys_id: `${kb}-${uc}`, kb_knowledge_base: kb, user_criteria: uc })));
      return list(req, rows, server.url);
    }
    if (req.method === 'GET' && req.path === '/api/now/table/user_criteria') {
      const wanted = /^sys_idIN(.*)$/.exec(req.query.get('sysparm_query') ?? '')?.[1]?.split(',') ?? [];
      const rows = wanted.filter((id) => criteria.has(id)).map((id) => ({ sys_id: id, name: criteria.get(id)!, active: 'true' }));
      return list(req, rows, server.url);
    }
    return { status: 400, body: snError('Invalid table', req.path) };
  });

  return {
    server,
    articles,
    kbCanRead,
    kbCannotRead,
    /** Adds or edits an article; every change moves sys_updated_on forward, as the platform does. */
    put(fields: Partial<KbRecord> & { short_description: string; text: string }): KbRecord {
      const existing = fields.sys_id ? articles.get(fields.sys_id) : undefined;
      const rec: KbRecord = {
        sys_id: `sn${++seq}`,
        number: `KB00${seq}`,
        workflow_state: 'published',
        kb_knowledge_base: 'kb-it',
        kb_category: 'cat1',
        language: 'en',
        valid_to: '2100-01-01',
        can_read_user_criteria: '',
        cannot_read_user_criteria: '',
        translated_from: '',
        ...existing,
        ...fields,
        sys_updated_on: stamp(),
      } as KbRecord;
      articles.set(rec.sys_id, rec);
      return rec;
    },
    remove(sysId: string): void {
      articles.delete(sysId);
    },
  };
}
