import { expect, it } from 'vitest';
import { connectEach, describeStoreContract } from './backends.js';

describeStoreContract('ticket news store', (backend) => {
  const { a, b } = connectEach(backend, 'ticketNews');

  it('remembers how far each feed was read', async () => {
    expect(await a.cursor('local')).toBeUndefined();
    await a.setCursor('local', 41);
    await b.setCursor('local', 2 ** 40);
    expect(await a.cursor('local')).toBe(2 ** 40);
    expect(await b.cursor('glpi')).toBeUndefined();
  });

  const T = (s: number) => new Date(Date.UTC(2026, 10, 22, 10, 0, s)).toISOString();

  it('tells each state once, and a released claim can be told again', async () => {
    expect(await a.claimState('local', 'HD-1', 'in_progress', T(0))).toEqual({ claimed: true, since: T(0) });
    await a.markTold('local', 'HD-1', 'in_progress', T(0));
    expect(await b.claimState('local', 'HD-1', 'in_progress', T(1))).toEqual({ claimed: false, previous: 'in_progress' });
    expect(await b.claimState('local', 'HD-1', 'resolved', T(2))).toEqual({ claimed: true, previous: 'in_progress', since: T(2) });
    await b.releaseState('local', 'HD-1', 'in_progress');
    expect(await a.claimState('local', 'HD-1', 'resolved', T(3))).toEqual({ claimed: true, previous: 'in_progress', since: T(3) });
    await a.releaseState('local', 'HD-1', undefined);
    expect(await a.claimState('local', 'HD-1', 'resolved', T(4))).toEqual({ claimed: true, since: T(4) });
  });

  it('keeps a claim pending until told; a stale one (its replica died before telling) is taken over with its first date', async () => {
    expect(await a.claimState('local', 'HD-2', 'in_progress', T(0))).toEqual({ claimed: true, since: T(0) });
    await a.markTold('local', 'HD-2', 'in_progress', T(0));
    // Replica A claims the next news, then dies before telling it.
    expect(await a.claimState('local', 'HD-2', 'resolved', T(10), 30_000)).toEqual({ claimed: true, previous: 'in_progress', since: T(10) });
    // Within the stale delay the claim is someone else's work in progress.
    expect(await b.claimState('local', 'HD-2', 'resolved', T(39), 30_000)).toEqual({ claimed: false, pending: true, previous: 'in_progress' });
    // Past it, B takes it over: same `since` (the message ids A may have stored), and only B gets it.
    expect(await b.claimState('local', 'HD-2', 'resolved', T(41), 30_000)).toEqual({ claimed: true, previous: 'in_progress', since: T(10) });
    expect(await a.claimState('local', 'HD-2', 'resolved', T(42), 30_000)).toEqual({ claimed: false, pending: true, previous: 'in_progress' });
    await b.markTold('local', 'HD-2', 'resolved', T(43));
    expect(await a.claimState('local', 'HD-2', 'resolved', T(50), 30_000)).toEqual({ claimed: false, previous: 'resolved' });
    // A told state is not marked again by a late markTold of an older claim.
    await a.markTold('local', 'HD-2', 'in_progress', T(51));
    expect(await a.claimState('local', 'HD-2', 'resolved', T(52), 30_000)).toEqual({ claimed: false, previous: 'resolved' });
  });

  it('a newer state replaces one never told, and the last told state stays what a release puts back', async () => {
    expect((await a.claimState('local', 'HD-3', 'in_progress', T(0))).claimed).toBe(true);
    await a.markTold('local', 'HD-3', 'in_progress', T(0));
    expect((await a.claimState('local', 'HD-3', 'on_hold', T(1))).claimed).toBe(true);
    // "on_hold" was never told (its replica died); "resolved" comes: the last told state is still in_progress.
    expect(await b.claimState('local', 'HD-3', 'resolved', T(2))).toEqual({ claimed: true, previous: 'in_progress', since: T(2) });
    await b.releaseState('local', 'HD-3', 'in_progress');
    expect(await a.claimState('local', 'HD-3', 'in_progress', T(3))).toEqual({ claimed: false, previous: 'in_progress' });
  });

  it('the same change seen by two connections at once is claimed once', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).claimState('glpi', '77', 'resolved', '2026-11-22T10:00:00.000Z')),
    );
    expect(results.filter((r) => r.claimed)).toHaveLength(1);
  });
});
