/**
 * An Okta org stand-in on 127.0.0.1 speaking the documented Users API with SSWS API tokens:
 *   GET    /api/v1/users/{id|login}
 *   GET    /api/v1/users/{id}/groups                     paged: `limit` (lowered to `pageSize` when
 *          set), an opaque `after` cursor, and Link headers rel="self" / rel="next" while more remain
 *          https://developer.okta.com/docs/api/#pagination
 *   POST   /api/v1/users/{id}/lifecycle/unlock           (LOCKED_OUT → ACTIVE; other states: 403 E0000038)
 *   POST   /api/v1/users/{id}/lifecycle/reset_factors
 *   POST   /api/v1/users/{id}/lifecycle/reset_password?sendEmail=true
 *   DELETE /api/v1/users/{id}/sessions
 * Errors use Okta's body {errorCode, errorSummary, errorLink, errorId, errorCauses}; 429 carries
 * Okta's X-Rate-Limit-* headers. Faults can be switched on per test.
 * https://developer.okta.com/docs/api/openapi/okta-management/management/tag/UserLifecycle/
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OktaUser {
  id: string;
  status: 'ACTIVE' | 'LOCKED_OUT' | 'PASSWORD_EXPIRED' | 'SUSPENDED';
  login: string;
  email: string;
  groups: string[];
  factors: string[];
  sessions: number;
  passwordChanged: string;
  emailsSent: string[];
}

export interface OktaCall {
  method: string;
  path: string;
  authorization?: string;
}

export interface OktaServer {
  url: string;
  token: string;
  users: Map<string, OktaUser>;
  calls: OktaCall[];
  /** Answer every call with this status (403 permissions refused, 429 throttled, 500 down), or normally when undefined. */
  fault?: { status: number; retryAfter?: string };
  /** Server-side page size for a user's groups. */
  pageSize?: number;
  close(): Promise<void>;
}

function error(res: ServerResponse, status: number, code: string, summary: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(
    JSON.stringify({ errorCode: code, errorSummary: summary, errorLink: code, errorId: `oae${Math.random().toString(36).slice(2, 12)}`, errorCauses: [] }),
  );
}

const ROUTE = /^\/api\/v1\/users\/([^/]+)(?:\/(groups|sessions|lifecycle\/unlock|lifecycle\/reset_factors|lifecycle\/reset_password))?$/;

export async function startOktaServer(users: OktaUser[] = []): Promise<OktaServer> {
  const state: OktaServer = {
    url: '',
    token: '00a-test-api-token-not-a-secret',
    users: new Map(users.map((u) => [u.id, u])),
    calls: [],
    close: async () => {},
  };
  const find = (key: string) => state.users.get(key) ?? [...state.users.values()].find((u) => u.login.toLowerCase() === key.toLowerCase());
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://okta');
    const authorization = req.headers.authorization;
    state.calls.push({ method: req.method ?? '', path: `${url.pathname}${url.search}`, ...(authorization ? { authorization } : {}) });
    req.resume();
    if (authorization !== `SSWS ${state.token}`) return error(res, 401, 'E0000011', 'Invalid token provided');
    if (state.fault) {
      const f = state.fault;
      if (f.status === 429) {
        return error(res, 429, 'E0000047', 'API call exceeded rate limit due to too many requests.', {
          'x-rate-limit-limit': '600',
          'x-rate-limit-remaining': '0',
          'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 30),
          ...(f.retryAfter ? { 'retry-after': f.retryAfter } : {}),
        });
      }
      if (f.status === 403) return error(res, 403, 'E0000006', 'You do not have permission to perform the requested action');
      return error(res, f.status, 'E0000009', 'Internal Server Error');
    }
    const m = ROUTE.exec(url.pathname);
    const user = m ? find(decodeURIComponent(m[1] ?? '')) : undefined;
    if (!m || !user) return error(res, 404, 'E0000007', `Not found: Resource not found: ${m?.[1] ?? url.pathname} (User)`);
    const op = `${req.method} ${m[2] ?? ''}`;
    const json = (status: number, body?: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(body === undefined ? '' : JSON.stringify(body));
    switch (op) {
      case 'GET ':
        return json(200, { id: user.id, status: user.status, passwordChanged: user.passwordChanged, profile: { login: user.login, email: user.email } });
      case 'GET groups': {
        const all = user.groups.map((name, i) => ({ id: `00g${String(i).padStart(6, '0')}`, type: 'OKTA_GROUP', profile: { name, description: null } }));
        const after = url.searchParams.get('after');
        const start = after ? all.findIndex((g) => g.id === after) + 1 : 0;
        const size = Math.min(Number(url.searchParams.get('limit') ?? '10000') || 10000, state.pageSize ?? 10000);
        const page = all.slice(start, start + size);
        const base = `${state.url}${url.pathname}`;
        const links = [`<${base}${url.search}>; rel="self"`];
        if (start + size < all.length) links.push(`<${base}?after=${page[page.length - 1]?.id ?? ''}&limit=${size}>; rel="next"`);
        res.setHeader('link', links);
        return json(200, page);
      }
      case 'POST lifecycle/unlock':
        if (user.status !== 'LOCKED_OUT') return error(res, 403, 'E0000038', "This operation is not allowed in the user's current status.");
        user.status = 'ACTIVE';
        return json(200, {});
      case 'POST lifecycle/reset_factors':
        user.factors = [];
        return json(200, {});
      case 'POST lifecycle/reset_password':
        if (url.searchParams.get('sendEmail') === 'true') user.emailsSent.push('reset_password');
        return json(200, {});
      case 'DELETE sessions':
        user.sessions = 0;
        res.writeHead(204).end();
        return;
      default:
        return error(res, 405, 'E0000022', 'The endpoint does not support the provided HTTP method');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

export function oktaUser(over: Partial<OktaUser> & Pick<OktaUser, 'id' | 'login'>): OktaUser {
  return { status: 'ACTIVE', email: over.login, groups: ['Everyone'], factors: ['push', 'sms'], sessions: 2, passwordChanged: '2026-10-01T08:00:00.000Z', emailsSent: [], ...over };
}
