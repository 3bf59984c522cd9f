import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/storage/sqlite/database.js';
import { SqliteOutboxStore } from '../../src/storage/sqlite/outbox-store.js';
import { TicketOutbox, backoffDelay, type DeadEvent, type DeliveredEvent, type OutboxSettings } from '../../src/tickets/outbox.js';
import { ServiceNowProvider } from '../../src/tickets/servicenow.js';
import { createServiceNowServer, SN_CREDENTIALS } from './servers/servicenow.js';
import { makePacket } from './fixtures/packet.js';
import { migrateSqlite } from '../../src/storage/sqlite/migrations.js';

const FAST: OutboxSettings = { maxAttempts: 6, baseDelayMs: 20, maxDelayMs: 80, leaseMs: 5_000, pollMs: 20 };
const isCreate = (r: { method: string; path: string }) => r.method === 'POST' && r.path === '/api/now/table/incident';

describe('ticket outbox', () => {
  let sn: ReturnType<typeof createServiceNowServer>;
  let dir: string;
  let file: string;
  const dbs: Db[] = [];
  const outboxes: TicketOutbox[] = [];

  beforeAll(async () => {
    sn = createServiceNowServer();
    await sn.server.start();
  });
  afterAll(() => sn.server.stop());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'helpdesk-outbox-'));
    file = join(dir, 'helpdesk.db');
  });
  afterEach(async () => {
    for (const o of outboxes.splice(0)) await o.stop();
    for (const db of dbs.splice(0)) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function make(settings: Partial<OutboxSettings> = {}, extra: { random?: () => number; timeoutMs?: number } = {}) {
    const db = openDatabase(file);
    dbs.push(db);
    migrateSqlite(db);
    const provider = new ServiceNowProvider({
      config: { kind: 'servicenow', instanceUrl: sn.server.url, auth: { type: 'basic', ...SN_CREDENTIALS } },
      timeoutMs: extra.timeoutMs ?? 1_000,
    });
    const outbox = new TicketOutbox({ ...FAST, ...settings, store: new SqliteOutboxStore(db), provider, random: extra.random });
    outboxes.push(outbox);
    return outbox;
  }

  const incidentsFor = (id: string) => sn.incidents.filter((i) => i.correlation_id === id);
  const next = <E>(subscribe: (l: (e: E) => void) => () => void, ms = 10_000) =>
    new Promise<E>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('event did not come')), ms);
      const off = subscribe((e) => {
        clearTimeout(timer);
        off();
        resolve(e);
      });
    });

  it('submit only writes: the item is durable and pending, and a second submit of the packet is a no-op', async () => {
    const outbox = make();
    const packet = makePacket();
    await outbox.submit(packet);
    await outbox.submit(packet);
    expect(sn.server.requests).toHaveLength(0);
    // Another connection (as another process would) sees the committed row.
    const reader = openDatabase(file, { readonly: true });
    dbs.push(reader);
    expect(await new SqliteOutboxStore(reader).list()).toEqual([expect.objectContaining({ id: packet.id, status: 'pending', attempts: 0, packet })]);
    await expect(outbox.submit({ ...packet, priority: 'urgent' as never })).rejects.toThrow();
  });

  it('ITSM down for a while, then back: exactly one ticket, and the user hears the number', async () => {
    const outbox = make();
    const packet = makePacket();
    sn.server
      .failNext({ status: 503, headers: { 'Retry-After': '0' }, body: sn.snError('Service Unavailable', 'maintenance') }, isCreate)
      .failNext({ status: 500, body: sn.snError('Internal error', 'database unavailable') }, isCreate)
      // The instance comes back and creates the incident, but the answer is lost on the way.
      .failNext({ dropAfterHandling: true }, isCreate);
    const retries: string[] = [];
    outbox.onRetryScheduled((e) => void retries.push(e.error));
    const delivered = next<DeliveredEvent>((l) => outbox.onDelivered(l));
    await outbox.submit(packet);
    outbox.start();
    const { ticket, item } = await delivered;

    expect(incidentsFor(packet.id)).toHaveLength(1);
    expect(ticket.number).toBe(incidentsFor(packet.id)[0]!.number);
    expect(item.conversationId).toBe('conv-42');
    expect(retries).toHaveLength(3);
    expect(retries[0]).toContain('HTTP 503: Service Unavailable — maintenance');
    await outbox.stop(); // lets the pass finish recording that the user was told
    expect(await outbox.get(packet.id)).toMatchObject({ status: 'delivered', attempts: 4, ticket: { number: ticket.number }, notifiedAt: expect.any(String) });
  });

  it('schedules retries with full jitter, never sooner than Retry-After', async () => {
    expect(backoffDelay(1, FAST, () => 0.999)).toBe(19);
    expect(backoffDelay(3, FAST, () => 0.999)).toBe(79);
    expect(backoffDelay(10, FAST, () => 0.999)).toBe(79); // capped
    expect(backoffDelay(5, FAST, () => 0)).toBe(0);

    const outbox = make({ baseDelayMs: 1_000, maxDelayMs: 60_000 }, { random: () => 0.5 });
    const packet = makePacket();
    await outbox.submit(packet);
    sn.server.failNext({ status: 429, headers: { 'Retry-After': '30' }, body: sn.snError('Too many requests', 'rate limit') }, isCreate);
    const before = Date.now();
    await outbox.runOnce();
    const item = (await outbox.get(packet.id))!;
    expect(item.status).toBe('pending');
    expect(item.nextAttemptAt - before).toBeGreaterThanOrEqual(30_000);
    expect(item.nextAttemptAt - before).toBeLessThan(31_000);
    // Not due yet: another pass does nothing.
    expect(await outbox.runOnce()).toBe(0);

    const other = makePacket();
    await outbox.submit(other);
    sn.server.failNext({ status: 500, body: sn.snError('boom', 'x') }, isCreate);
    const t0 = Date.now();
    await outbox.runOnce();
    const delay = (await outbox.get(other.id))!.nextAttemptAt - t0;
    expect(delay).toBeGreaterThanOrEqual(499); // 0.5 × base·2^0
    expect(delay).toBeLessThan(700);
  });

  it('dead letter after N attempts, visible in the lists, then a manual retry delivers it without a duplicate', async () => {
    const outbox = make({ maxAttempts: 3 });
    const packet = makePacket();
    sn.server
      .failTimes(2, { status: 500, body: sn.snError('Internal error', 'the instance is down') }, isCreate)
      // The last attempt creates the incident but its answer is lost: the dead letter has a ticket behind it.
      .failNext({ dropAfterHandling: true }, isCreate);
    const dead = next<DeadEvent>((l) => outbox.onDead(l));
    await outbox.submit(packet);
    outbox.start();
    const { error, item } = await dead;
    expect(item.status).toBe('dead');
    expect(error).toMatch(/network error|socket|closed/i);
    expect(await outbox.get(packet.id)).toMatchObject({ status: 'dead', attempts: 3, totalAttempts: 3 });
    expect((await outbox.deadLetters()).map((i) => i.id)).toEqual([packet.id]);
    expect(await outbox.pending()).toEqual([]);
    expect(await outbox.counts()).toMatchObject({ dead: 1, pending: 0 });
    expect(incidentsFor(packet.id)).toHaveLength(1);

    const delivered = next<DeliveredEvent>((l) => outbox.onDelivered(l));
    expect(await outbox.retry(packet.id)).toMatchObject({ status: 'pending', attempts: 0, totalAttempts: 3 });
    const { ticket } = await delivered;
    expect(incidentsFor(packet.id)).toHaveLength(1);
    expect(ticket.number).toBe(incidentsFor(packet.id)[0]!.number);
    expect((await outbox.deliveredItems()).map((i) => i.ticket?.number)).toEqual([ticket.number]);
    expect(await outbox.retry(packet.id)).toBeUndefined(); // delivered items cannot be retried
    expect(await outbox.retry('no-such-id')).toBeUndefined();
  });

  it('a non-retryable error is a dead letter at once', async () => {
    const outbox = make();
    const packet = makePacket();
    sn.server.failNext({ status: 400, body: sn.snError('Invalid value', 'category is read-only') }, isCreate);
    await outbox.submit(packet);
    expect(await outbox.runOnce()).toBe(1);
    expect(await outbox.get(packet.id)).toMatchObject({ status: 'dead', attempts: 1, lastError: expect.stringContaining('category is read-only') });
  });

  it('two workers on the same database never deliver the same item concurrently', async () => {
    const a = make({}, { timeoutMs: 3_000 });
    const b = make({}, { timeoutMs: 3_000 });
    const packets = [makePacket(), makePacket(), makePacket()];
    for (const p of packets) await a.submit(p);
    // A slow instance makes the overlap real: both workers are busy at the same time.
    sn.server.failTimes(3, { delayMs: 300 }, isCreate);
    const before = sn.server.requestsTo('POST', '/api/now/table/incident').length;
    const [na, nb] = await Promise.all([a.runOnce(), b.runOnce()]);
    expect(na + nb).toBe(3);
    expect(na).toBeGreaterThan(0);
    expect(nb).toBeGreaterThan(0);
    expect(sn.server.requestsTo('POST', '/api/now/table/incident').length - before).toBe(3);
    for (const p of packets) expect(incidentsFor(p.id)).toHaveLength(1);
  });

  it('an expired lease is taken over, and the old owner can no longer write', async () => {
    const a = make();
    const b = make();
    const packet = makePacket();
    await a.submit(packet);
    const store = new SqliteOutboxStore(dbs[0]!);
    // Worker "ghost" claims it and dies: nobody else may touch it until its lease runs out.
    expect((await store.claim('ghost', 150))?.id).toBe(packet.id);
    expect(await b.runOnce()).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(await b.runOnce()).toBe(1);
    expect(await b.get(packet.id)).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(await store.markDelivered(packet.id, 'ghost', { provider: 'x', id: '1', number: 'X' })).toBe(false);
    expect(await store.markDead(packet.id, 'ghost', 'late')).toBe(false);
    expect(incidentsFor(packet.id)).toHaveLength(1);
  });

  it('an outcome nobody heard is replayed on start, until a listener succeeds', async () => {
    const first = make();
    const packet = makePacket();
    await first.submit(packet);
    await first.runOnce(); // delivered, but no listener yet
    expect(await first.get(packet.id)).toMatchObject({ status: 'delivered', notifiedAt: undefined });

    const failing = make();
    failing.onDelivered(() => {
      throw new Error('channel offline');
    });
    await failing.replayNotifications();
    expect((await failing.get(packet.id))!.notifiedAt).toBeUndefined();

    const ok = make();
    const heard = next<DeliveredEvent>((l) => ok.onDelivered(l));
    ok.start();
    expect((await heard).ticket.number).toBe(incidentsFor(packet.id)[0]!.number);
    await ok.stop();
    expect((await ok.get(packet.id))!.notifiedAt).toEqual(expect.any(String));
  });

  it('answers the console queries: by conversation, pending, counts', async () => {
    const outbox = make();
    const a = makePacket({ conversationId: 'conv-a' });
    const b = makePacket({ conversationId: 'conv-b' });
    await outbox.submit(a);
    await outbox.submit(b);
    expect((await outbox.byConversation('conv-a')).map((i) => i.id)).toEqual([a.id]);
    expect((await outbox.pending()).map((i) => i.id).sort()).toEqual([a.id, b.id].sort());
    expect(await outbox.list({ userId: 'U123' })).toHaveLength(2);
    expect(await outbox.counts()).toEqual({ pending: 2, delivering: 0, delivered: 0, dead: 0 });
  });
});
