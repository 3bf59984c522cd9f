import { beforeEach, expect, it } from 'vitest';
import type { OutboxStore } from '../../../src/engine/ports/outbox.js';
import { makePacket } from '../../tickets/fixtures/packet.js';
import { connectEach, describeStoreContract } from './backends.js';

/**
 * The outbox contract: leases, fencing, take-over. "a" and "b" are two connections (two processes
 * or two replicas) sharing a clock the test moves.
 */
describeStoreContract('outbox store', (backend) => {
  let now: number;
  const clock = () => now;
  const ticket = { provider: 'local', id: '17', number: 'HD-000017' };

  beforeEach(() => {
    now = Date.UTC(2026, 11, 7, 9, 0);
  });
  const { a, b } = connectEach(backend, 'outbox', { clock });

  it('insert is durable and idempotent on the packet id', async () => {
    const packet = makePacket();
    expect(await a.insert(packet)).toBe(true);
    expect(await b.insert(packet)).toBe(false);
    expect(await b.get(packet.id)).toMatchObject({ id: packet.id, status: 'pending', attempts: 0, totalAttempts: 0, nextAttemptAt: now, packet });
    expect(await b.counts()).toEqual({ pending: 1, delivering: 0, delivered: 0, dead: 0 });
    expect(await b.nextDueAt()).toBe(now);
  });

  it('claims under a lease, fences every change on the owner, and takes over an expired lease', async () => {
    const packet = makePacket();
    await a.insert(packet);
    const claimed = await a.claim('replica-a', 60_000);
    expect(claimed).toMatchObject({ id: packet.id, status: 'delivering', attempts: 1, totalAttempts: 1, leaseOwner: 'replica-a', leaseUntil: now + 60_000 });
    // Still leased: nobody else gets it.
    expect(await b.claim('replica-b', 60_000)).toBeUndefined();
    expect(await b.nextDueAt()).toBe(now + 60_000);
    // Replica A is killed mid-delivery; its lease runs out and B takes the item over.
    now += 60_001;
    const takeover = await b.claim('replica-b', 60_000);
    expect(takeover).toMatchObject({ id: packet.id, leaseOwner: 'replica-b', attempts: 2 });
    // A (back from a long pause) cannot overwrite B's outcome.
    expect(await a.markDelivered(packet.id, 'replica-a', ticket)).toBe(false);
    expect(await a.markRetry(packet.id, 'replica-a', 'late', now)).toBe(false);
    expect(await a.markDead(packet.id, 'replica-a', 'late')).toBe(false);
    expect(await b.markDelivered(packet.id, 'replica-b', ticket)).toBe(true);
    expect(await a.get(packet.id)).toMatchObject({ status: 'delivered', ticket: { ...ticket, url: undefined }, leaseOwner: undefined });
    expect((await a.findByTicket({ number: 'hd-000017' })).map((i) => i.id)).toEqual([packet.id]);
    expect(await a.findByTicket({ number: 'HD-000017', provider: 'glpi' })).toEqual([]);
    expect((await a.findByTicket({ id: '17' })).map((i) => i.id)).toEqual([packet.id]);
  });

  it('retry later, dead letter, console retry and notification bookkeeping', async () => {
    const packet = makePacket();
    await a.insert(packet);
    await a.claim('w', 1_000);
    expect(await a.markRetry(packet.id, 'w', 'HTTP 503', now + 5_000)).toBe(true);
    expect(await b.claim('w2', 1_000)).toBeUndefined();
    now += 5_000;
    expect((await b.claim('w2', 1_000))?.attempts).toBe(2);
    expect(await b.markDead(packet.id, 'w2', 'HTTP 400')).toBe(true);
    expect((await a.unnotified()).map((i) => [i.id, i.status, i.lastError])).toEqual([[packet.id, 'dead', 'HTTP 400']]);
    await a.markNotified(packet.id);
    expect(await a.unnotified()).toEqual([]);
    const retried = await b.retry(packet.id);
    expect(retried).toMatchObject({ status: 'pending', attempts: 0, totalAttempts: 2, notifiedAt: undefined });
    expect(await b.retry('no-such-id')).toBeUndefined();
    expect((await a.claim('w3', 1_000))?.attempts).toBe(1);
    expect(await a.retry(packet.id)).toBeUndefined();
  });

  it('lists newest first with filters, and releases the leases of gone workers', async () => {
    const p1 = makePacket({ conversationId: 'c1' });
    await a.insert(p1);
    now += 1_000;
    const p2 = makePacket({ conversationId: 'c2', user: { id: 'U9', name: 'X' } });
    await a.insert(p2);
    expect((await b.list()).map((i) => i.id)).toEqual([p2.id, p1.id]);
    expect((await b.list({ conversationId: 'c1' })).map((i) => i.id)).toEqual([p1.id]);
    expect((await b.list({ userId: 'U9' })).map((i) => i.id)).toEqual([p2.id]);
    expect((await b.list({ limit: 1, offset: 1 })).map((i) => i.id)).toEqual([p1.id]);
    await a.claim('dead-worker', 600_000);
    await a.claim('live-worker', 600_000);
    expect((await b.list({ statuses: ['delivering'] }))).toHaveLength(2);
    expect(await b.releaseLeases((owner) => owner === 'dead-worker')).toBe(1);
    expect((await b.claim('b', 600_000))?.leaseOwner).toBe('b');
    expect(await b.claim('b', 600_000)).toBeUndefined();
  });

  it('claimers racing from two connections never get the same item, and every item is claimed once', async () => {
    const packets = Array.from({ length: 20 }, () => makePacket());
    for (const p of packets) await a.insert(p);
    const claimer = async (store: OutboxStore, owner: string) => {
      const got: string[] = [];
      for (;;) {
        const item = await store.claim(owner, 60_000);
        if (!item) return got;
        got.push(item.id);
      }
    };
    const results = await Promise.all([claimer(a, 'a1'), claimer(b, 'b1'), claimer(a, 'a2'), claimer(b, 'b2')]);
    const all = results.flat();
    expect(all).toHaveLength(20);
    expect(new Set(all).size).toBe(20);
    if (backend.concurrent) expect(results.filter((r) => r.length > 0).length).toBeGreaterThan(1);
    expect(await a.counts()).toEqual({ pending: 0, delivering: 20, delivered: 0, dead: 0 });
  });
});
