import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { entraDirectory } from '../../src/directory/entra.js';
import { DirectoryError, type DirectoryConnector } from '../../src/directory/types.js';
import { graphUser, startGraphServer, type GraphServer } from '../helpers/graph-server.js';

/** Contract of the Entra ID connector against a local token endpoint and Microsoft Graph. */

const OID = '6f0a3c7e-1d2b-4e5f-8a9b-0c1d2e3f4a5b';
let graph: GraphServer;
let connector: DirectoryConnector;
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
    { timeoutMs: 5_000 },
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
});
