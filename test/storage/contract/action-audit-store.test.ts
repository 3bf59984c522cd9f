import { expect, it } from 'vitest';
import type { ActionAuditEntry } from '../../../src/engine/ports/action-audit.js';
import { connectEach, describeStoreContract } from './backends.js';

describeStoreContract('action audit log', (backend) => {
  const entry = (over: Partial<ActionAuditEntry> = {}): ActionAuditEntry => ({
    at: '2026-11-22T10:00:00.000Z',
    action: 'directory.unlockAccount',
    provider: 'ldap',
    channel: 'slack',
    userId: 'U1',
    conversationId: 'c-1',
    outcome: 'ok',
    ...over,
  });

  const { a, b } = connectEach(backend, 'actionAudit');

  it('counts attempts that reached the provider, per user, across connections', async () => {
    await a.record(entry());
    await b.record(entry({ outcome: 'fail', at: '2026-11-22T10:05:00.000Z', detail: 'LDAP 49' }));
    await a.record(entry({ outcome: 'refused', at: '2026-11-22T10:06:00.000Z' }));
    await b.record(entry({ userId: 'U2' }));
    await a.record(entry({ channel: 'teams' }));
    expect(await a.attemptsSince('slack', 'U1', '2026-11-22T09:00:00.000Z')).toBe(2);
    expect(await b.attemptsSince('slack', 'U1', '2026-11-22T10:01:00.000Z')).toBe(1);
  });

  it('lists the most recent first with every field kept', async () => {
    await a.record(entry({ at: '2026-11-22T10:00:00.000Z', userName: 'Ana', account: 'ana@example.org', detail: 'done' }));
    await b.record(entry({ at: '2026-11-22T11:00:00.000Z', outcome: 'refused' }));
    const recent = await a.recent(10);
    expect(recent.map((e) => e.outcome)).toEqual(['refused', 'ok']);
    expect(recent[1]).toEqual(entry({ userName: 'Ana', account: 'ana@example.org', detail: 'done' }));
    expect(await b.recent(1)).toHaveLength(1);
  });
});
