import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { oktaDirectory } from '../../src/directory/okta.js';
import { MAX_GROUP_PAGES } from '../../src/directory/paging.js';
import { DirectoryError, type DirectoryConnector } from '../../src/directory/types.js';
import { oktaUser, startOktaServer, type OktaServer } from '../helpers/okta-server.js';

/** Contract of the Okta connector against a local server speaking the Users API. */

let okta: OktaServer;
let connector: DirectoryConnector;
const warnings: string[] = [];
const log = { warn: (_obj: object, message: string) => void warnings.push(message) };
const connect = (token: string, url = okta.url) => oktaDirectory.create(oktaDirectory.configSchema.parse({ OKTA_ORG_URL: url, OKTA_API_TOKEN: token }), { timeoutMs: 5_000, log });

async function failure(p: Promise<unknown>): Promise<DirectoryError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(DirectoryError);
  return err as DirectoryError;
}

beforeAll(async () => {
  okta = await startOktaServer();
  connector = connect(okta.token);
});
afterAll(() => okta?.close());
beforeEach(() => {
  okta.fault = undefined;
  okta.pageSize = undefined;
  warnings.length = 0;
  okta.users.clear();
  okta.users.set('00u1', oktaUser({ id: '00u1', login: 'ana@example.com', status: 'LOCKED_OUT', groups: ['Everyone', 'Staff'] }));
});

describe('Okta connector', () => {
  it('finds the user by the verified e-mail (their login), with the API token', async () => {
    expect(await connector.findUser({ email: 'ana@example.com' })).toEqual({ id: '00u1', email: 'ana@example.com' });
    expect(okta.calls.at(-1)).toMatchObject({ method: 'GET', path: '/api/v1/users/ana%40example.com', authorization: `SSWS ${okta.token}` });
    expect(await connector.groupsOf({ id: '00u1' })).toEqual(['Everyone', 'Staff']);
  });

  it('unlocks, resets factors, clears sessions, sends a reset link, reads the state', async () => {
    const u = { id: '00u1', email: 'ana@example.com' };
    expect((await connector.run('passwordStatus', u)).state).toMatchObject({ locked: true, disabled: false, passwordExpired: false });
    await connector.run('unlockAccount', u);
    expect(okta.users.get('00u1')?.status).toBe('ACTIVE');
    expect(okta.calls.at(-1)).toMatchObject({ method: 'POST', path: '/api/v1/users/00u1/lifecycle/unlock' });
    await connector.run('resetMfa', u);
    expect(okta.users.get('00u1')?.factors).toEqual([]);
    await connector.run('revokeSessions', u);
    expect(okta.users.get('00u1')?.sessions).toBe(0);
    expect(okta.calls.at(-1)).toMatchObject({ method: 'DELETE', path: '/api/v1/users/00u1/sessions?oauthTokens=true' });
    const reset = await connector.run('resetPassword', u);
    expect(reset.notified).toBe(true);
    expect(okta.users.get('00u1')?.emailsSent).toEqual(['reset_password']);
  });

  it('unlocking a user who is not locked is refused by Okta, with its error summary', async () => {
    okta.users.get('00u1')!.status = 'ACTIVE';
    const err = await failure(connector.run('unlockAccount', { id: '00u1' }));
    expect(err.code).toBe('forbidden');
    expect(err.message).toMatch(/E0000038/);
  });

  it('a bad token is an authentication failure, and the token never appears in the error', async () => {
    const err = await failure(connect('wrong-token').findUser({ email: 'ana@example.com' }));
    expect(err.code).toBe('auth');
    expect(err.message).not.toMatch(/wrong-token/);
  });

  it('permissions refused (403), user not found (404)', async () => {
    expect((await failure(connector.findUser({ email: 'nobody@example.com' }))).code).toBe('not_found');
    okta.fault = { status: 403 };
    const err = await failure(connector.run('unlockAccount', { id: '00u1' }));
    expect(err.code).toBe('forbidden');
    expect(err.message).toMatch(/E0000006/);
    expect(okta.users.get('00u1')?.status).toBe('LOCKED_OUT');
  });

  it('throttling (429) carries the wait from Retry-After, or from X-Rate-Limit-Reset', async () => {
    okta.fault = { status: 429, retryAfter: '12' };
    const withRetryAfter = await failure(connector.run('unlockAccount', { id: '00u1' }));
    expect(withRetryAfter.code).toBe('throttled');
    expect(withRetryAfter.retryAfterSeconds).toBe(12);
    okta.fault = { status: 429 };
    const withReset = await failure(connector.run('unlockAccount', { id: '00u1' }));
    expect(withReset.retryAfterSeconds).toBeGreaterThan(0);
    expect(withReset.retryAfterSeconds).toBeLessThanOrEqual(31);
  });

  it('provider down: a 5xx or no server at all', async () => {
    okta.fault = { status: 503 };
    expect((await failure(connector.run('unlockAccount', { id: '00u1' }))).code).toBe('unavailable');
    const closed = await startOktaServer();
    const url = closed.url;
    await closed.close();
    expect((await failure(connect(okta.token, url).findUser({ email: 'ana@example.com' }))).code).toBe('unavailable');
  });

  it('needs both settings when chosen', () => {
    const r = oktaDirectory.configSchema.safeParse({ OKTA_ORG_URL: 'https://example.okta.com' });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['OKTA_API_TOKEN']);
  });

  describe('group lists over several pages', () => {
    beforeEach(() => {
      okta.calls.length = 0;
    });
    const many = (n: number) => Array.from({ length: n }, (_, i) => `Group ${String(i).padStart(3, '0')}`);
    const groupCalls = () => okta.calls.filter((c) => c.path.startsWith('/api/v1/users/00u1/groups'));

    it('follows the Link rel="next" header to the last page, where the restricted group is', async () => {
      okta.users.get('00u1')!.groups = ['Everyone', ...many(10), 'Network admins'];
      okta.pageSize = 5;
      const groups = await connector.groupsOf({ id: '00u1' });
      expect(groups).toHaveLength(12);
      expect(groups.at(-1)).toBe('Network admins');
      expect(groupCalls().map((c) => c.path)).toEqual([
        '/api/v1/users/00u1/groups',
        '/api/v1/users/00u1/groups?after=00g000004&limit=5',
        '/api/v1/users/00u1/groups?after=00g000009&limit=5',
      ]);
      expect(groupCalls().every((c) => c.authorization === `SSWS ${okta.token}`)).toBe(true);
      expect(warnings).toEqual([]);
    });

    it('stops at the page cap and says so in the log', async () => {
      okta.users.get('00u1')!.groups = many(MAX_GROUP_PAGES + 3);
      okta.pageSize = 1;
      expect(await connector.groupsOf({ id: '00u1' })).toHaveLength(MAX_GROUP_PAGES);
      expect(warnings).toEqual([expect.stringMatching(/truncated at 20 pages/)]);
    });
  });
});
