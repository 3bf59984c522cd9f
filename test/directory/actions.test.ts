import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { directoryActions } from '../../src/directory/actions.js';
import { verifiedIdentity } from '../../src/directory/identity.js';
import { oktaDirectory } from '../../src/directory/okta.js';
import type { ActionContext } from '../../src/engine/flows/actions.js';
import { translator } from '../../src/engine/i18n.js';
import { SqliteActionAuditLog } from '../../src/storage/sqlite/action-audit-store.js';
import { openDatabase, type Db } from '../../src/storage/sqlite/database.js';
import { oktaUser, startOktaServer, type OktaServer } from '../helpers/okta-server.js';
import { migrateSqlite } from '../../src/storage/sqlite/migrations.js';

/** The guards around every account action, with a real SQLite audit log and a local Okta. */

const AAD = '6f0a3c7e-1d2b-4e5f-8a9b-0c1d2e3f4a5b';
const teamsCtx = (over: Partial<ActionContext> = {}): ActionContext => ({
  channel: 'teams',
  user: { id: AAD, name: 'Ana Silva', email: 'ana@example.com' },
  lang: 'en',
  conversationId: 'c1',
  ...over,
});

let okta: OktaServer;
let db: Db;
let audit: SqliteActionAuditLog;
let now = new Date('2026-12-07T10:00:00Z');

beforeAll(async () => {
  okta = await startOktaServer();
});
afterAll(() => okta?.close());
beforeEach(() => {
  okta.users.clear();
  okta.users.set('00u1', oktaUser({ id: '00u1', login: 'ana@example.com', status: 'LOCKED_OUT', groups: ['Everyone'] }));
  db = openDatabase(':memory:');
  migrateSqlite(db);
  audit = new SqliteActionAuditLog(db);
  now = new Date('2026-12-07T10:00:00Z');
});

const registry = (config: { enabled?: string[]; groups?: Record<string, string[]>; perUserPerHour?: number } = {}) =>
  directoryActions({
    connector: oktaDirectory.create(oktaDirectory.configSchema.parse({ OKTA_ORG_URL: okta.url, OKTA_API_TOKEN: okta.token }), { timeoutMs: 5_000 }),
    config: { enabled: config.enabled ?? ['directory.unlockAccount'], groups: config.groups ?? {}, perUserPerHour: config.perUserPerHour ?? 3 },
    audit,
    translator: translator(),
    now: () => now,
  });

describe('verified identity', () => {
  it('comes from the channel, never from what a web client claims', () => {
    expect(verifiedIdentity('teams', { id: AAD, email: 'ana@example.com' })).toEqual({ objectId: AAD, email: 'ana@example.com' });
    expect(verifiedIdentity('teams', { id: '29:not-an-aad-id' })).toBeUndefined();
    expect(verifiedIdentity('slack', { id: 'U123', email: 'ana@example.com' })).toEqual({ email: 'ana@example.com' });
    expect(verifiedIdentity('slack', { id: 'U123' })).toBeUndefined();
    expect(verifiedIdentity('web', { id: AAD, email: 'ana@example.com' })).toBeUndefined();
    expect(verifiedIdentity('web', { id: 's1', verified: { by: 'oidc', subject: 'abc', email: 'ana@example.com' } })).toEqual({ email: 'ana@example.com' });
  });
});

describe('account actions', () => {
  it('are offered only when enabled, supported and the identity is verified', () => {
    const r = registry();
    expect(r.available('directory.unlockAccount', teamsCtx())).toBe(true);
    expect(r.available('directory.resetMfa', teamsCtx())).toBe(false);
    expect(r.available('directory.unlockAccount', teamsCtx({ channel: 'web' }))).toBe(false);
    expect(registry({ enabled: [] }).available('directory.unlockAccount', teamsCtx())).toBe(false);
  });

  it('run, and are audited with who, what, when and the result', async () => {
    const result = await registry().run('directory.unlockAccount', {}, teamsCtx());
    expect(result).toMatchObject({ outcome: 'ok', message: 'Done: your account is unlocked.' });
    expect(okta.users.get('00u1')?.status).toBe('ACTIVE');
    expect(await audit.recent(10)).toEqual([
      { at: now.toISOString(), action: 'directory.unlockAccount', provider: 'okta', channel: 'teams', userId: AAD, userName: 'Ana Silva', account: 'ana@example.com', conversationId: 'c1', outcome: 'ok', detail: expect.stringMatching(/unlocked/) },
    ]);
  });

  it('a disabled action or an unverified user is refused (and audited) without calling the provider', async () => {
    const calls = okta.calls.length;
    expect(await registry({ enabled: [] }).run('directory.unlockAccount', {}, teamsCtx())).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/not enabled/) });
    expect(await registry().run('directory.unlockAccount', {}, teamsCtx({ channel: 'web' }))).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/no verified identity/) });
    expect(okta.calls.length).toBe(calls);
    expect((await audit.recent(10)).map((e) => e.outcome)).toEqual(['refused', 'refused']);
  });

  it('per group: only members of the configured groups', async () => {
    const r = registry({ groups: { 'directory.unlockAccount': ['Staff'] } });
    const refused = await r.run('directory.unlockAccount', {}, teamsCtx());
    expect(refused).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/not a member of Staff/) });
    expect(okta.users.get('00u1')?.status).toBe('LOCKED_OUT');
    okta.users.get('00u1')!.groups.push('staff');
    expect(await r.run('directory.unlockAccount', {}, teamsCtx())).toMatchObject({ outcome: 'ok' });
  });

  it('rate limited per user and per hour', async () => {
    const r = registry({ perUserPerHour: 2 });
    expect((await r.run('directory.unlockAccount', {}, teamsCtx())).outcome).toBe('ok');
    expect((await r.run('directory.unlockAccount', {}, teamsCtx())).outcome).toBe('fail'); // not locked any more: Okta refuses
    const limited = await r.run('directory.unlockAccount', {}, teamsCtx());
    expect(limited).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/more than 2 account actions in an hour/) });
    // Another user is not affected; an hour later the first one may act again.
    expect((await r.run('directory.unlockAccount', {}, teamsCtx({ user: { id: '1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9', email: 'nobody@example.com' } }))).detail).not.toMatch(/in an hour/);
    now = new Date(now.getTime() + 3_600_001);
    expect((await r.run('directory.unlockAccount', {}, teamsCtx())).detail).not.toMatch(/in an hour/);
  });

  it('provider failures become a localized message and a detailed audit entry', async () => {
    okta.fault = { status: 429, retryAfter: '30' };
    try {
      const r = await registry().run('directory.unlockAccount', {}, teamsCtx({ lang: 'fr' }));
      expect(r).toMatchObject({ outcome: 'fail', message: expect.stringMatching(/surchargé/), detail: expect.stringMatching(/429.*retry after 30 s/) });
    } finally {
      okta.fault = undefined;
    }
    expect((await audit.recent(1))[0]).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/E0000047/) });
  });
});
