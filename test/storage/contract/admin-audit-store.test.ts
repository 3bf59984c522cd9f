import { expect, it } from 'vitest';
import { connectEach, describeStoreContract } from './backends.js';

describeStoreContract('console sign-in audit', (backend) => {
  const { a, b } = connectEach(backend, 'adminAudit');

  it('keeps every event from every connection, newest first, with oversized fields cut', async () => {
    await a.record({ at: '2026-12-07T10:00:00.000Z', event: 'sign_in_failed', method: 'form', address: '10.0.0.7', userAgent: 'x'.repeat(1000) });
    await b.record({ at: '2026-12-07T10:00:01.000Z', event: 'locked_out', method: 'form', address: '10.0.0.7' });
    await a.record({ at: '2026-12-07T10:05:00.000Z', event: 'sign_in', method: 'bearer', address: '1'.repeat(100) });
    const recent = await b.recent();
    expect(recent.map((e) => e.event)).toEqual(['sign_in', 'locked_out', 'sign_in_failed']);
    expect(recent[0]!.address).toHaveLength(64);
    expect(recent[2]!.userAgent).toHaveLength(256);
    expect(recent[1]).toEqual({ at: '2026-12-07T10:00:01.000Z', event: 'locked_out', method: 'form', address: '10.0.0.7' });
    expect(await a.recent(1)).toHaveLength(1);
  });
});
