import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { entraDirectory } from '../../src/directory/entra.js';
import { MAX_GROUP_PAGES } from '../../src/directory/paging.js';
import { DirectoryError, type DirectoryConnector } from '../../src/directory/types.js';
import { graphUser, startGraphServer, type GraphServer } from '../helpers/graph-server.js';

/** Contract of the Entra ID connector against a local token endpoint and Microsoft Graph. */

const OID = '6f0a3c7e-1d2b-4e5f-8a9b-0c1d2e3f4a5b';
let graph: GraphServer;
let connector: DirectoryConnector;
const warnings: Array<{ obj: object; message: string }> = [];
const log = { warn: (obj: object, message: string) => void warnings.push({ obj, message }) };
const connect = (over: Record<string, string> = {}) =>
  entraDirectory.create(
    entraDirectory.configSchema.parse({
      ENTRA_TENANT_ID: graph.tenant,
      ENTRA_CLIENT_ID: graph.clientId,
      ENTRA_CLIENT_SECRET: graph.clientSecret,
      ENTRA_AUTHORITY_URL: graph.url,
      ENTRA_GRAPH_URL: `${graph.url}/v1.0`,
      ...over,
    }),
    { timeoutMs: 5_000, log },
  );

async function failure(p: Promise<unknown>): Promise<DirectoryError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(DirectoryError);
  return err as DirectoryError;
}

beforeAll(async () => {
  graph = await startGraphServer();
});
afterAll(() => graph?.close());
beforeEach(() => {
  graph.fault = undefined;
  graph.pageSize = undefined;
  graph.throttleNextPages = undefined;
  warnings.length = 0;
  graph.users.clear();
  graph.users.set(OID, graphUser({ id: OID, userPrincipalName: 'ana@contoso.com', groups: ['All staff', 'Helpdesk pilot'] }));
  connector = connect();
});

describe('Entra ID connector', () => {
  it('gets an app token once, finds the user by the Teams object id, reads groups', async () => {
    expect(await connector.findUser({ objectId: OID })).toEqual({ id: OID, email: 'ana@contoso.com' });
    expect(await connector.groupsOf({ id: OID })).toEqual(['All staff', 'Helpdesk pilot']);
    expect(graph.tokensIssued).toBe(1);
    expect(graph.calls.map((c) => `${c.method} ${c.path}`)).toContain(`GET /v1.0/users/${OID}?$select=id,mail,userPrincipalName`);
  });

  it('revokes sign-in sessions', async () => {
    expect((await connector.run('revokeSessions', { id: OID })).detail).toMatch(/revoked/);
    expect(graph.users.get(OID)?.revokedAt).toBeDefined();
  });

  it('MFA re-registration removes only the phone and Authenticator methods', async () => {
    await connector.run('resetMfa', { id: OID });
    expect(graph.users.get(OID)?.methods.map((m) => m['@odata.type'])).toEqual(['#microsoft.graph.passwordAuthenticationMethod', '#microsoft.graph.fido2AuthenticationMethod']);
    expect(graph.calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual([
      `/v1.0/users/${OID}/authentication/phoneMethods/3179e48a-750b-4051-897c-87b9720928f7`,
      `/v1.0/users/${OID}/authentication/microsoftAuthenticatorMethods/6d3dd6b8-2d1b-4e2a-8c57-0ab7b2b5b7a1`,
    ]);
  });

  it('tells a disabled account and an expired password', async () => {
    const u = graph.users.get(OID)!;
    u.accountEnabled = false;
    u.lastPasswordChangeDateTime = new Date(Date.now() - 100 * 86_400_000).toISOString();
    expect((await connect({ ENTRA_PASSWORD_MAX_AGE_DAYS: '90' }).run('passwordStatus', { id: OID })).state).toMatchObject({ disabled: true, passwordExpired: true });
    u.passwordPolicies = 'DisablePasswordExpiration';
    expect((await connect({ ENTRA_PASSWORD_MAX_AGE_DAYS: '90' }).run('passwordStatus', { id: OID })).state).toMatchObject({ passwordExpired: false });
  });

  it('has no unlock: Entra smart lockout is lifted through self-service password reset', async () => {
    expect(connector.supports).not.toContain('unlockAccount');
    expect((await failure(connector.run('unlockAccount', { id: OID }))).message).toMatch(/aka\.ms\/sspr/);
  });

  it('bad client secret, permissions refused (403), user not found (404)', async () => {
    const bad = await failure(connect({ ENTRA_CLIENT_SECRET: 'wrong' }).findUser({ objectId: OID }));
    expect(bad.code).toBe('auth');
    expect(bad.message).not.toMatch(/wrong/);
    expect((await failure(connector.findUser({ objectId: '00000000-0000-4000-8000-000000000000' }))).code).toBe('not_found');
    graph.fault = { status: 403 };
    const denied = await failure(connector.run('revokeSessions', { id: OID }));
    expect(denied.code).toBe('forbidden');
    expect(denied.message).toMatch(/Authorization_RequestDenied/);
  });

  it('throttling (429) with Retry-After, and provider down', async () => {
    graph.fault = { status: 429, retryAfter: '7' };
    const t = await failure(connector.run('revokeSessions', { id: OID }));
    expect([t.code, t.retryAfterSeconds]).toEqual(['throttled', 7]);
    graph.fault = { status: 503 };
    expect((await failure(connector.run('revokeSessions', { id: OID }))).code).toBe('unavailable');
    expect((await failure(connect({ ENTRA_AUTHORITY_URL: 'http://127.0.0.1:1' }).findUser({ objectId: OID }))).code).toBe('unavailable');
  });

  describe('group lists over several pages', () => {
    beforeEach(() => {
      graph.calls.length = 0;
    });
    const many = (n: number) => Array.from({ length: n }, (_, i) => `Group ${String(i).padStart(3, '0')}`);
    const groupCalls = () => graph.calls.filter((c) => c.path.includes(`/users/${OID}/transitiveMemberOf/microsoft.graph.group`));

    it('follows @odata.nextLink to the last page, where the restricted group is', async () => {
      graph.users.get(OID)!.groups = [...many(24), 'Network admins'];
      graph.pageSize = 10;
      const groups = await connector.groupsOf({ id: OID });
      expect(groups).toHaveLength(25);
      expect(groups.at(-1)).toBe('Network admins');
      expect(groupCalls().map((c) => c.path)).toEqual([
        `/v1.0/users/${OID}/transitiveMemberOf/microsoft.graph.group?$select=id,displayName&$top=999&$count=true`,
        `/v1.0/users/${OID}/transitiveMemberOf/microsoft.graph.group?$select=id,displayName&$top=999&$count=true&$skiptoken=10`,
        `/v1.0/users/${OID}/transitiveMemberOf/microsoft.graph.group?$select=id,displayName&$top=999&$count=true&$skiptoken=20`,
      ]);
      expect(warnings).toEqual([]);
    });

    it('a throttled page is asked again after Retry-After', async () => {
      graph.users.get(OID)!.groups = [...many(5), 'Network admins'];
      graph.pageSize = 3;
      graph.throttleNextPages = { count: 1, retryAfter: '0' };
      expect(await connector.groupsOf({ id: OID })).toContain('Network admins');
      expect(groupCalls()).toHaveLength(3);
    });

    it('a long Retry-After fails the lookup as throttled rather than holding the user', async () => {
      graph.users.get(OID)!.groups = many(6);
      graph.pageSize = 3;
      graph.throttleNextPages = { count: 1, retryAfter: '120' };
      const t = await failure(connector.groupsOf({ id: OID }));
      expect([t.code, t.retryAfterSeconds]).toEqual(['throttled', 120]);
    });

    it('stops at the page cap and says so in the log', async () => {
      graph.users.get(OID)!.groups = many(MAX_GROUP_PAGES + 5);
      graph.pageSize = 1;
      const groups = await connector.groupsOf({ id: OID });
      expect(groups).toHaveLength(MAX_GROUP_PAGES);
      expect(groupCalls()).toHaveLength(MAX_GROUP_PAGES);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.message).toMatch(/truncated at 20 pages/);
    });
  });
});
