import { FakeServer, basicCredentials, type RecordedRequest, type Reply } from './base.js';

/**
 * Zendesk Support Ticketing API as documented: POST/GET/PUT /api/v2/tickets, GET
 * /api/v2/tickets?external_id=, PUT {ticket:{comment:{body,public,author_id}}} (author_id must be a
 * known user), GET /api/v2/tickets/{id}/comments, GET /api/v2/search, API token auth
 * ("{email}/token:{token}"), the Idempotency-Key header (replays the first response, sets
 * x-idempotency-lookup: miss|hit, and refuses a reused key with a different payload), and Zendesk's
 * error bodies ({"error":"Couldn't authenticate you"}, {"error":"RecordInvalid","description","details"}).
 */
export const ZD_CREDENTIALS = { email: 'agent@example.org', apiToken: 'zd-api-token-123456' };

export interface ZdComment {
  body: string;
  public: boolean;
  author_id?: number;
}

export interface ZdTicket {
  id: number;
  subject: string;
  status: string;
  priority: string;
  type: string;
  tags: string[];
  external_id: string | null;
  requester: { name: string; email: string } | null;
  requester_id: number | null;
  group_id: number | null;
  assignee_id: number | null;
  updated_at: string;
  comments: ZdComment[];
}

export const zdInvalid = (field: string, description: string) => ({
  error: 'RecordInvalid',
  description: 'Record validation errors',
  details: { [field]: [{ description, error: 'InvalidValue' }] },
});

export function createZendeskServer() {
  const tickets: ZdTicket[] = [];
  const users: { id: number; name: string; email?: string }[] = [{ id: 9001, name: 'Sam Agent' }];
  /** Zendesk creates (or matches by e-mail) an end user for a ticket's requester object. */
  const userFor = (r: { name: string; email: string }) => {
    const found = users.find((u) => u.email === r.email);
    if (found) return found.id;
    const u = { id: 10_000 + users.length, name: r.name, email: r.email };
    users.push(u);
    return u.id;
  };
  const idempotency = new Map<string, { body: string; reply: Reply }>();
  let seq = 35_000;

  const view = (t: ZdTicket) => {
    const { comments: _comments, requester: _requester, ...rest } = t;
    return { ...rest, url: `/api/v2/tickets/${t.id}.json` };
  };

  const handler = (req: RecordedRequest): Reply => {
    const c = basicCredentials(req.headers);
    if (c?.user !== `${ZD_CREDENTIALS.email}/token` || c.password !== ZD_CREDENTIALS.apiToken) {
      return { status: 401, body: { error: "Couldn't authenticate you" } };
    }
    if (req.method === 'POST' && req.path === '/api/v2/tickets') {
      const key = req.headers['idempotency-key'];
      if (typeof key === 'string') {
        const seen = idempotency.get(key);
        if (seen && seen.body !== req.body) {
          return { status: 400, body: { error: 'IdempotentRequestError', description: 'The request parameters do not match the original request' } };
        }
        if (seen) return { ...seen.reply, headers: { ...seen.reply.headers, 'x-idempotency-lookup': 'hit' } };
      }
      const input = (req.json as { ticket?: Record<string, unknown> } | undefined)?.ticket;
      const comment = input?.comment as { body?: string; public?: boolean } | undefined;
      if (!input || !comment?.body) return { status: 422, body: zdInvalid('description', 'Description: cannot be blank') };
      const t: ZdTicket = {
        id: ++seq,
        subject: String(input.subject ?? ''),
        status: 'new',
        priority: String(input.priority ?? ''),
        type: String(input.type ?? ''),
        tags: (input.tags as string[] | undefined) ?? [],
        external_id: (input.external_id as string | undefined) ?? null,
        requester: (input.requester as ZdTicket['requester']) ?? null,
        requester_id: input.requester ? userFor(input.requester as { name: string; email: string }) : null,
        group_id: (input.group_id as number | undefined) ?? null,
        assignee_id: null,
        updated_at: new Date().toISOString(),
        comments: [{ body: comment.body, public: comment.public !== false }],
      };
      tickets.push(t);
      const reply: Reply = { status: 201, body: { ticket: view(t) }, headers: { Location: `/api/v2/tickets/${t.id}.json` } };
      if (typeof key === 'string') idempotency.set(key, { body: req.body, reply });
      return { ...reply, headers: { ...reply.headers, ...(typeof key === 'string' ? { 'x-idempotency-lookup': 'miss' } : {}) } };
    }
    if (req.method === 'GET' && req.path === '/api/v2/tickets') {
      const ext = req.query.get('external_id');
      return { status: 200, body: { tickets: tickets.filter((t) => ext === null || t.external_id === ext).map(view), next_page: null, count: tickets.length } };
    }
    if (req.method === 'GET' && req.path === '/api/v2/search') {
      const m = /^type:ticket requester:(\S+)$/.exec(req.query.get('query') ?? '');
      if (!m) return { status: 400, body: { error: 'InvalidQuery', description: 'Unsupported query' } };
      const results = tickets.filter((t) => t.requester?.email === m[1]).sort((a, b) => b.updated_at.localeCompare(a.updated_at) || b.id - a.id);
      return { status: 200, body: { results: results.map((t) => ({ ...view(t), result_type: 'ticket' })), count: results.length } };
    }
    const one = /^\/api\/v2\/tickets\/(\d+)(\/comments)?$/.exec(req.path);
    const t = one && tickets.find((x) => x.id === Number(one[1]));
    if (one && !t) return { status: 404, body: { error: 'RecordNotFound', description: 'Not found' } };
    if (t && one?.[2] && req.method === 'GET') return { status: 200, body: { comments: t.comments.map((c, i) => ({ id: i + 1, ...c })) } };
    if (t && req.method === 'GET') {
      const sideload = req.query.get('include') === 'users' ? { users: users.filter((u) => u.id === t.assignee_id) } : {};
      return { status: 200, body: { ticket: view(t), ...sideload } };
    }
    if (t && req.method === 'PUT') {
      const comment = (req.json as { ticket?: { comment?: { body?: string; public?: boolean; author_id?: number } } } | undefined)?.ticket?.comment;
      if (!comment?.body) return { status: 422, body: zdInvalid('comment', 'Comment: cannot be blank') };
      if (comment.author_id !== undefined && !users.some((u) => u.id === comment.author_id)) {
        return { status: 422, body: zdInvalid('author_id', 'Author: is invalid') };
      }
      t.comments.push({ body: comment.body, public: comment.public !== false, ...(comment.author_id !== undefined ? { author_id: comment.author_id } : {}) });
      t.updated_at = new Date().toISOString();
      return { status: 200, body: { ticket: view(t) } };
    }
    return { status: 404, body: { error: 'InvalidEndpoint', description: 'Not found' } };
  };

  return { server: new FakeServer(handler), tickets, users };
}
