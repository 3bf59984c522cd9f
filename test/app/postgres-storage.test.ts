import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { startServerProcess, until, type ServerProcess } from '../helpers/server-process.js';
import { SwitchableProxy } from '../helpers/switchable-proxy.js';
import { baseEnv, chat, tempDir } from '../reliability/helpers.js';

/**
 * The server as operators run it with DATABASE_URL=postgres://…: two replicas (two processes, each
 * with its own DATA_DIR) start at once on one fresh database, migrate it once between them, and
 * store web chat turns there; a message retried on the other replica is answered from what the
 * first stored, not processed twice.
 */
describe('server on PostgreSQL (DATABASE_URL)', () => {
  let database: TestDatabase;
  let client: pg.Client;
  const dirs = [tempDir('pg-a'), tempDir('pg-b')];
  let servers: ServerProcess[] = [];
  // Replica A reaches PostgreSQL through a proxy the last test switches off.
  const proxy = new SwitchableProxy(5432);

  beforeAll(async () => {
    database = await createTestDatabase('server');
    await proxy.up();
    const proxied = new URL(database.url);
    proxied.port = String(proxy.port);
    const urls = [proxied.toString(), database.url];
    servers = await Promise.all(dirs.map((dir, i) => startServerProcess({ env: { ...baseEnv(join(dir, 'data')), DATABASE_URL: urls[i]!, TICKET_PROVIDER: 'local' } })));
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  }, 240_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await proxy.down();
    await client?.end();
    await database?.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('both replicas are ready, with PostgreSQL in their readiness check, and the schema was migrated once', async () => {
    for (const s of servers) {
      const ready = (await (await fetch(`${s.url}/readyz`)).json()) as { status: string; checks: { database: { ok: boolean } } };
      expect(ready).toMatchObject({ status: 'ready', checks: { database: { ok: true } } });
    }
    const migrated = servers.map((s) => s.logs().find((l) => l.msg === 'storage open' && l.backend === 'postgres')?.migrated as string[]);
    // One replica applied every migration, the other waited on the lock and found nothing to do.
    expect(migrated.map((m) => m.length > 0).sort()).toEqual([false, true]);
    const { rows } = await client.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM schema_migrations');
    expect(rows[0]!.n).toBe(migrated.flat().length);
  });

  it('a web chat turn is stored in PostgreSQL, and a retry on the other replica is answered once', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const input = { conversationId: 'pg-web-1', userId: 'pg-user-1', text: 'my vpn keeps disconnecting', messageId: 'pg-message-1' };
    const first = await chat(a.url, input);
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    expect(first.replies.length).toBeGreaterThan(0);
    const again = await chat(b.url, input);
    expect(again.status).toBe(200);
    expect(again.replies.map((r) => r.parts)).toEqual(first.replies.map((r) => r.parts));

    const turns = await client.query<{ direction: string; text: string }>(
      `SELECT t.direction, t.text FROM conversation_turns t JOIN conversations c ON c.id = t.conversation_id
       WHERE c.channel = 'web' AND c.channel_conversation_id = 'pg-web-1' ORDER BY t.id`,
    );
    expect(turns.rows.filter((t) => t.direction === 'in')).toEqual([{ direction: 'in', text: 'my vpn keeps disconnecting' }]);
    expect(turns.rows.filter((t) => t.direction === 'out')).toHaveLength(first.replies.length);
    const events = await client.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM conversation_events WHERE type = 'question'`);
    expect(events.rows[0]!.n).toBe(1);

    // The next message goes to the other replica and continues the same conversation.
    expect((await chat(b.url, { ...input, text: 'still broken', messageId: 'pg-message-2' })).status).toBe(200);
    const conversations = await client.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM conversations WHERE channel_conversation_id = 'pg-web-1'`);
    expect(conversations.rows[0]!.n).toBe(1);
  });

  it('an escalation on one replica becomes exactly one local ticket in PostgreSQL, delivered through the shared outbox', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const user = { conversationId: 'pg-escalation', userId: 'pg-user-2' };
    expect((await chat(a.url, { ...user, messageId: 'pg-escalation-1', text: 'agent' })).status).toBe(200);
    const described = { ...user, messageId: 'pg-escalation-2', text: 'my docking station does not charge the laptop' };
    expect((await chat(b.url, described)).status).toBe(200);
    // The same message retried on the other replica: no second escalation.
    expect((await chat(a.url, described)).status).toBe(200);
    const count = async (sql: string) => (await client.query<{ n: number }>(sql)).rows[0]!.n;
    await until(
      async () => ((await count(`SELECT COUNT(*)::int AS n FROM ticket_outbox WHERE status = 'delivered' AND conversation_id = 'pg-escalation'`)) === 1 ? true : undefined),
      'the escalation delivered',
      30_000,
    );
    expect(await count(`SELECT COUNT(*)::int AS n FROM ticket_outbox WHERE conversation_id = 'pg-escalation'`)).toBe(1);
    expect(await count(`SELECT COUNT(*)::int AS n FROM local_tickets WHERE conversation_id = 'pg-escalation'`)).toBe(1);
    const ticket = await client.query<{ number: string }>(`SELECT number FROM local_tickets WHERE conversation_id = 'pg-escalation'`);
    expect(ticket.rows[0]!.number).toMatch(/^HD-\d{6}$/);
  }, 120_000);

  it('a replica that loses PostgreSQL says so in /readyz (SELECT 1), and is ready again when it comes back', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    type Ready = { status: string; checks: { database: { ok: boolean; error?: string } } };
    const readyz = async (s: ServerProcess) => {
      const res = await fetch(`${s.url}/readyz`);
      return { status: res.status, body: (await res.json()) as Ready };
    };
    await proxy.down();
    const down = await until(async () => {
      const r = await readyz(a);
      return r.status === 503 ? r : undefined;
    }, 'replica A not ready', 30_000, 200);
    expect(down.body.checks.database).toMatchObject({ ok: false, error: expect.stringMatching(/^PostgreSQL: /) });
    // The other replica, still connected, stays ready.
    expect((await readyz(b)).status).toBe(200);
    await proxy.up();
    await until(async () => ((await readyz(a)).status === 200 ? true : undefined), 'replica A ready again', 30_000, 200);
    expect((await chat(a.url, { conversationId: 'pg-after-outage', userId: 'pg-user-3', text: 'my printer is offline', messageId: 'pg-after-outage-1' })).status).toBe(200);
  }, 120_000);
});
