import { beforeEach, expect, it } from 'vitest';
import { connectEach, describeStoreContract } from './backends.js';

/** Durable inbound de-duplication: a retried Slack or Bot Framework delivery is taken in once, whichever replica it reaches. */
describeStoreContract('delivery log', (backend) => {
  let clock: number;

  beforeEach(() => {
    clock = Date.parse('2026-12-07T10:00:00Z');
  });
  const { a, b } = connectEach(backend, 'deliveries', { clock: () => clock });

  it('takes a key in once, per channel, from either connection, and again after its time to live', async () => {
    expect(await a.firstDelivery('slack', ['event:Ev1', 'msg:m1'], 60_000)).toBe(true);
    expect(await b.firstDelivery('slack', ['event:Ev1'], 60_000)).toBe(false);
    // The app_mention twin carries another event id but the same client_msg_id.
    expect(await b.firstDelivery('slack', ['event:Ev2', 'msg:m1'], 60_000)).toBe(false);
    expect(await a.firstDelivery('teams', ['event:Ev1'], 60_000)).toBe(true);
    expect(await a.firstDelivery('slack', [], 60_000)).toBe(true);
    clock += 59_999;
    expect(await b.firstDelivery('slack', ['event:Ev1'], 60_000)).toBe(false);
    clock += 1;
    expect(await b.firstDelivery('slack', ['event:Ev1'], 60_000)).toBe(true);
    expect(await a.firstDelivery('slack', ['event:Ev1'], 60_000)).toBe(false);
  });

  it('keeps a day by default', async () => {
    expect(await a.firstDelivery('slack', ['action:1'])).toBe(true);
    clock += 24 * 60 * 60 * 1000 - 1;
    expect(await b.firstDelivery('slack', ['action:1'])).toBe(false);
    clock += 1;
    expect(await b.firstDelivery('slack', ['action:1'])).toBe(true);
  });

  it('the same delivery reaching two connections at once: exactly one takes it in', async () => {
    for (let round = 0; round < 5; round++) {
      const keys = [`event:race-${round}`, `msg:race-${round}`];
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).firstDelivery('slack', keys, 60_000)));
      expect(results.filter(Boolean)).toHaveLength(1);
    }
  });
});
