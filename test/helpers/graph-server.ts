/**
 * Microsoft Entra ID stand-in on 127.0.0.1: the v2.0 token endpoint (client credentials) and the
 * Microsoft Graph v1.0 calls the Entra connector makes, with Graph's error body
 * {error: {code, message, innerError}} and Retry-After on 429.
 *   POST /{tenant}/oauth2/v2.0/token
 *   GET  /v1.0/users/{id|upn}                         ($select honoured loosely)
 *   GET  /v1.0/users/{id}/transitiveMemberOf/microsoft.graph.group   paged as Graph pages: $top
 *        (default 100, max 999, lowered to `pageSize` when set), an absolute @odata.nextLink with a
 *        $skiptoken while more remain; the OData cast needs ConsistencyLevel: eventual and $count
 *        (400 Request_UnsupportedQuery otherwise), https://learn.microsoft.com/graph/paging
 *   POST /v1.0/users/{id}/revokeSignInSessions        → {"value": true}
 *   GET  /v1.0/users/{id}/authentication/methods
 *   DELETE /v1.0/users/{id}/authentication/{phoneMethods|microsoftAuthenticatorMethods}/{mid}  → 204
 * https://learn.microsoft.com/graph/api/user-revokesigninsessions
 * https://learn.microsoft.com/graph/api/authentication-list-methods
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GraphUser {
  id: string;
  userPrincipalName: string;
  mail: string;
  accountEnabled: boolean;
  lastPasswordChangeDateTime: string;
  passwordPolicies: string | null;
  groups: string[];
  methods: Array<{ id: string; '@odata.type': string }>;
  revokedAt?: string;
}

export interface GraphServer {
  url: string;
  tenant: string;
  clientId: string;
  clientSecret: string;
  users: Map<string, GraphUser>;
  calls: Array<{ method: string; path: string }>;
  tokensIssued: number;
  fault?: { status: number; retryAfter?: string };
  /** Server-side page size for group lists (Graph may return fewer than $top). */
  pageSize?: number;
  /** The next N requests for a later page of groups answer 429 with this Retry-After. */
  throttleNextPages?: { count: number; retryAfter: string };
  close(): Promise<void>;
}

const graphError = (res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  res
    .writeHead(status, { 'content-type': 'application/json', ...headers })
    .end(JSON.stringify({ error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': 'r-1', 'client-request-id': 'c-1' } } }));

export async function startGraphServer(users: GraphUser[] = []): Promise<GraphServer> {
  const token = 'eyJ0eXAiOiJKV1QiLCJ0ZXN0Ijp0cnVlfQ.local.token';
  const state: GraphServer = {
    url: '',
    tenant: 'aaaabbbb-0000-4c1c-8888-123456789abc',
    clientId: '11112222-3333-4444-5555-666677778888',
    clientSecret: 'local-test-client-secret',
    users: new Map(users.map((u) => [u.id, u])),
    calls: [],
    tokensIssued: 0,
    close: async () => {},
  };
  const find = (key: string) => state.users.get(key) ?? [...state.users.values()].find((u) => u.userPrincipalName.toLowerCase() === key.toLowerCase());
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://graph');
      const path = decodeURIComponent(url.pathname);
      state.calls.push({ method: req.method ?? '', path: `${path}${url.search ? decodeURIComponent(url.search) : ''}` });
      const json = (status: number, body?: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(body === undefined ? '' : JSON.stringify(body));

      if (path === `/${state.tenant}/oauth2/v2.0/token` && req.method === 'POST') {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        if (form.get('grant_type') !== 'client_credentials' || form.get('client_id') !== state.clientId || form.get('client_secret') !== state.clientSecret) {
          return json(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
        }
        state.tokensIssued += 1;
        return json(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });
      }
      if (!path.startsWith('/v1.0/')) return graphError(res, 404, 'NotFound', 'no such endpoint');
      if (req.headers.authorization !== `Bearer ${token}`) return graphError(res, 401, 'InvalidAuthenticationToken', 'Access token is empty.');
      if (state.fault) {
        const f = state.fault;
        if (f.status === 429) return graphError(res, 429, 'TooManyRequests', 'Too many requests', f.retryAfter ? { 'retry-after': f.retryAfter } : {});
        if (f.status === 403) return graphError(res, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
        return graphError(res, f.status, 'ServiceUnavailable', 'Service unavailable');
      }
      const m = /^\/v1\.0\/users\/([^/]+)(?:\/(.+))?$/.exec(path);
      const user = m ? find(m[1] ?? '') : undefined;
      if (!m || !user) return graphError(res, 404, 'Request_ResourceNotFound', `Resource '${m?.[1] ?? ''}' does not exist or one of its queried reference-property objects are not present.`);
      const rest = m[2] ?? '';
      if (req.method === 'GET' && rest === '') {
        const { groups: _g, methods: _m, revokedAt: _r, ...fields } = user;
        return json(200, { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity', ...fields });
      }
      if (req.method === 'GET' && rest === 'transitiveMemberOf/microsoft.graph.group') {
        if (req.headers.consistencylevel !== 'eventual' || url.searchParams.get('$count') !== 'true') {
          return graphError(res, 400, 'Request_UnsupportedQuery', 'Unsupported Query.');
        }
        const top = Number(url.searchParams.get('$top') ?? '100');
        if (!Number.isInteger(top) || top < 1 || top > 999) return graphError(res, 400, 'Request_BadRequest', `Invalid page size specified: '${top}'. Must be between 1 and 999 inclusive.`);
        const skip = Number(url.searchParams.get('$skiptoken') ?? '0');
        if (skip > 0 && state.throttleNextPages && state.throttleNextPages.count > 0) {
          state.throttleNextPages.count -= 1;
          return graphError(res, 429, 'TooManyRequests', 'Too many requests', { 'retry-after': state.throttleNextPages.retryAfter });
        }
        const size = Math.min(top, state.pageSize ?? top);
        const value = user.groups.slice(skip, skip + size).map((displayName, i) => ({ '@odata.type': '#microsoft.graph.group', id: `g${skip + i}`, displayName }));
        const next = new URL(`${state.url}${url.pathname}`);
        for (const [k, v] of url.searchParams) if (k !== '$skiptoken') next.searchParams.set(k, v);
        next.searchParams.set('$skiptoken', String(skip + size));
        return json(200, {
          '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#groups(id,displayName)',
          '@odata.count': user.groups.length,
          ...(skip + size < user.groups.length ? { '@odata.nextLink': next.href } : {}),
          value,
        });
      }
      if (req.method === 'POST' && rest === 'revokeSignInSessions') {
        user.revokedAt = new Date().toISOString();
        return json(200, { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean', value: true });
      }
      if (req.method === 'GET' && rest === 'authentication/methods') return json(200, { value: user.methods });
      const del = /^authentication\/(phoneMethods|microsoftAuthenticatorMethods|fido2Methods)\/(.+)$/.exec(rest);
      if (req.method === 'DELETE' && del) {
        const before = user.methods.length;
        user.methods = user.methods.filter((x) => x.id !== del[2]);
        if (user.methods.length === before) return graphError(res, 404, 'itemNotFound', 'method not found');
        res.writeHead(204).end();
        return;
      }
      return graphError(res, 405, 'BadRequest', 'unsupported');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

export function graphUser(over: Partial<GraphUser> & Pick<GraphUser, 'id' | 'userPrincipalName'>): GraphUser {
  return {
    mail: over.userPrincipalName,
    accountEnabled: true,
    lastPasswordChangeDateTime: '2026-11-01T08:00:00Z',
    passwordPolicies: null,
    groups: ['All staff'],
    methods: [
      { id: '28c10230-6103-485e-b985-444c60001490', '@odata.type': '#microsoft.graph.passwordAuthenticationMethod' },
      { id: '3179e48a-750b-4051-897c-87b9720928f7', '@odata.type': '#microsoft.graph.phoneAuthenticationMethod' },
      { id: '6d3dd6b8-2d1b-4e2a-8c57-0ab7b2b5b7a1', '@odata.type': '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod' },
      { id: 'b9a5a1c3-d0d4-4f6e-8a57-3b0a7f9c2e10', '@odata.type': '#microsoft.graph.fido2AuthenticationMethod' },
    ],
    ...over,
  };
}
