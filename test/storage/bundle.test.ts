import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { coreSchema } from '../../src/config/sections/core.js';
import type { StorageBundle } from '../../src/storage/bundle.js';
import { openStorage, StorageBackendUnavailableError } from '../../src/storage/factory.js';
import type { SqliteStorage } from '../../src/storage/sqlite/bundle.js';
import { SQLITE_MIGRATIONS } from '../../src/storage/sqlite/migrations.js';
import { DatabaseUnusableError } from '../../src/storage/sqlite/integrity.js';

/**
 * The storage bundle on SQLite: a DATA_DIR written by the previous release opens, is migrated and
 * serves its data through the ports; a fresh one gets every table.
 *
 * The fixture main-0d18f87/ was written by the code of main at 0d18f87 (before the ports were
 * async and before migrations moved to one list): each store's own migrations, one row or so in
 * each table, and an embedding cache file beside it.
 */
const FIXTURE = new URL('../fixtures/storage/main-0d18f87/', import.meta.url).pathname;

describe('openStorage (SQLite)', () => {
  const dirs: string[] = [];
  const opened: StorageBundle[] = [];
  const dataDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'storage-bundle-'));
    dirs.push(d);
    return d;
  };
  const open = async (dir: string): Promise<StorageBundle> => {
    const s = await openStorage({ dataDir: dir });
    opened.push(s);
    return s;
  };
  const migrationNames = (s: StorageBundle): string[] =>
    ((s as SqliteStorage).db.prepare('SELECT name FROM _migrations ORDER BY name').all() as { name: string }[]).map((r) => r.name);

  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("opens a DATA_DIR written by the previous release, upgrades it, and serves its data through the ports", async () => {
    const dir = dataDir();
    cpSync(FIXTURE, dir, { recursive: true });
    const storage = await open(dir);
    expect(storage.backend).toBe('sqlite');
    expect(migrationNames(storage)).toEqual(SQLITE_MIGRATIONS.map((m) => m.name).sort());

    const conversation = await storage.conversations.findConversation({ channel: 'web', conversationId: 'web-conv-1' });
    expect(conversation).toMatchObject({ user: { id: 'u-1', name: 'Lea Martin' }, status: 'active' });
    expect((await storage.conversations.transcript(conversation!.id)).map((t) => [t.direction, t.text])).toEqual([
      ['in', 'my vpn does not connect'],
      ['out', 'Try this'],
    ]);
    const packetId = '11111111-1111-4111-8111-111111111111';
    expect(await storage.outbox.get(packetId)).toMatchObject({ status: 'pending', attempts: 0, totalAttempts: 0 });
    expect(await storage.localTickets().get('HD-000001')).toMatchObject({ title: 'VPN does not connect', state: 'new', packet: { id: packetId } });
    expect(await storage.references.get('teams', 'a:conv-1')).toMatchObject({ serviceUrl: 'https://smba.example/' });
    // A delivery recorded by the previous release is still a duplicate (it keeps its day).
    expect(await storage.deliveries.firstDelivery('slack', ['event:Ev-main-1'])).toBe(false);
    expect(await storage.deliveries.firstDelivery('slack', ['event:Ev-new'])).toBe(true);
    expect(await storage.ticketNews.cursor('local')).toBe(3);
    expect((await storage.ticketNotes.list('local', 'HD-000001')).map((n) => n.text)).toEqual(['Checked the gateway.']);
    expect(await storage.actionAudit.recent(5)).toEqual([expect.objectContaining({ action: 'directory.unlockAccount', outcome: 'ok' })]);
    expect(await storage.adminAudit.recent(5)).toEqual([expect.objectContaining({ event: 'sign_in', method: 'form' })]);
    expect((await storage.embeddingCache().getMany('use', 'use-lite', ['h1'])).get('h1')).toEqual(Float32Array.from([0.6, 0.8]));
    expect(await storage.health()).toEqual({ ok: true });

    // And it keeps working: a new escalation, a new local ticket.
    const t = await storage.localTickets().setState('HD-000001', 'in_progress', { actor: 'Sam' });
    expect(t.state).toBe('in_progress');
  });

  it('a new DATA_DIR gets every table; opening again runs nothing twice', async () => {
    const dir = dataDir();
    const first = await open(dir);
    expect(migrationNames(first)).toEqual(SQLITE_MIGRATIONS.map((m) => m.name).sort());
    await first.close();
    await first.close(); // idempotent
    const again = await open(dir);
    expect(migrationNames(again)).toHaveLength(SQLITE_MIGRATIONS.length);
    expect(await again.health()).toEqual({ ok: true });
  });

  it('every migration name is unique (names are the version record)', () => {
    const names = SQLITE_MIGRATIONS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('refuses a DATA_DIR that is not a folder, saying where', async () => {
    await expect(openStorage({ dataDir: join(FIXTURE, 'helpdesk.db') })).rejects.toBeInstanceOf(DatabaseUnusableError);
  });

  it('DATABASE_URL=postgres://… a server it cannot reach fails clearly at start, without printing the password', async () => {
    // Port 1 on loopback: nothing listens there.
    const parsed = coreSchema.parse({ DATABASE_URL: 'postgres://helpdesk:s3cret-pw@127.0.0.1:1/helpdesk' });
    const err = await openStorage({ dataDir: dataDir(), databaseUrl: parsed.databaseUrl! }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageBackendUnavailableError);
    expect(String(err)).toMatch(/cannot open the PostgreSQL database at postgres:\/\/helpdesk:\*\*\*@127\.0\.0\.1:1\/helpdesk: .*ECONNREFUSED/);
    expect(String(err)).not.toContain('s3cret-pw');
  });

  it('DATABASE_URL must be a postgres:// URL', () => {
    expect(coreSchema.parse({}).databaseUrl).toBeUndefined();
    expect(coreSchema.parse({ DATABASE_URL: '  ' }).databaseUrl).toBeUndefined();
    expect(coreSchema.parse({ DATABASE_URL: 'postgresql://127.0.0.1/helpdesk' }).databaseUrl?.protocol).toBe('postgresql:');
    const bad = coreSchema.safeParse({ DATABASE_URL: 'mysql://127.0.0.1/helpdesk' });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toMatch(/expected a postgres:\/\/ or postgresql:\/\/ URL, got a mysql:\/\/ URL/);
    expect(coreSchema.safeParse({ DATABASE_URL: 'not a url' }).success).toBe(false);
  });
});
