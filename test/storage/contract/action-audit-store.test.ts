import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionAuditEntry, ActionAuditLog } from '../../../src/engine/ports/action-audit.js';
import { backends, type BackendEnv } from './backends.js';

describe.each(backends)('action audit log contract: $name', (backend) => {
  let env: BackendEnv;
  let a: ActionAuditLog;
  let b: ActionAuditLog;
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

  beforeEach(async () => {
    env = await backend.create();
    a = (await env.connect()).actionAudit;
    b = (await env.connect()).actionAudit;
  });
  afterEach(async () => {
    await env.close();
  });

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
