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

  it('tells each state once, and a released claim can be told again', async () => {
    expect(await a.claimState('local', 'HD-1', 'in_progress', '2026-11-22T10:00:00.000Z')).toEqual({ claimed: true });
    expect(await b.claimState('local', 'HD-1', 'in_progress', '2026-11-22T10:00:01.000Z')).toEqual({ claimed: false, previous: 'in_progress' });
    expect(await b.claimState('local', 'HD-1', 'resolved', '2026-11-22T10:00:02.000Z')).toEqual({ claimed: true, previous: 'in_progress' });
    await b.releaseState('local', 'HD-1', 'in_progress');
    expect((await a.claimState('local', 'HD-1', 'resolved', '2026-11-22T10:00:03.000Z')).claimed).toBe(true);
    await a.releaseState('local', 'HD-1', undefined);
    expect(await a.claimState('local', 'HD-1', 'resolved', '2026-11-22T10:00:04.000Z')).toEqual({ claimed: true });
  });

  it('the same change seen by two connections at once is claimed once', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).claimState('glpi', '77', 'resolved', '2026-11-22T10:00:00.000Z')),
    );
    expect(results.filter((r) => r.claimed)).toHaveLength(1);
  });
});
