import { expect, it } from 'vitest';
import { connectEach, describeStoreContract } from './backends.js';

describeStoreContract('channel references', (backend) => {
  const { env, a, b } = connectEach(backend, 'references');

  it('keeps the latest reference per channel conversation, readable from another connection', async () => {
    const ref = { serviceUrl: 'https://smba.trafficmanager.net/emea/', conversation: { id: 'a:1', tenantId: 't' }, bot: { id: '28:bot' } };
    expect(await b.get('teams', 'a:1')).toBeUndefined();
    await a.save('teams', 'a:1', ref, new Date('2026-12-07T10:00:00Z'));
    expect(await b.get('teams', 'a:1')).toEqual(ref);
    await a.save('teams', 'a:1', ref, new Date('2026-12-07T11:00:00Z'));
    const moved = { ...ref, serviceUrl: 'https://smba.trafficmanager.net/amer/' };
    await b.save('teams', 'a:1', moved);
    expect(await a.get('teams', 'a:1')).toEqual(moved);
    expect(await a.get('slack', 'a:1')).toBeUndefined();
  });

  it('writes only when the reference changed', async () => {
    const ref = { serviceUrl: 'https://example.test/', conversation: { id: 'c' } };
    await a.save('teams', 'c', ref, new Date('2026-12-07T10:00:00Z'));
    await b.save('teams', 'c', ref, new Date('2026-12-07T12:00:00Z'));
    expect(await env.count(`SELECT COUNT(*) AS n FROM conversation_references WHERE updated_at = '2026-12-07T10:00:00.000Z'`)).toBe(1);
  });

  it('reads an entry only when written since a given time, and prunes one channel by age', async () => {
    // Teams' sent cards: kept a day, readable by any replica (another connection here).
    await a.save('teams.cards', 'a:1\ncard-1', { type: 'message', attachments: [] }, new Date('2026-12-06T09:00:00Z'));
    await a.save('teams.cards', 'a:1\ncard-2', { type: 'message', text: 'x' }, new Date('2026-12-07T09:00:00Z'));
    await a.save('teams', 'a:1', { serviceUrl: 'https://example.test/' }, new Date('2026-12-01T00:00:00Z'));
    expect(await b.get('teams.cards', 'a:1\ncard-2', new Date('2026-12-06T10:00:00Z'))).toEqual({ type: 'message', text: 'x' });
    expect(await b.get('teams.cards', 'a:1\ncard-1', new Date('2026-12-06T10:00:00Z'))).toBeUndefined();
    expect(await b.get('teams.cards', 'a:1\ncard-1')).toEqual({ type: 'message', attachments: [] });
    expect(await b.prune('teams.cards', new Date('2026-12-06T10:00:00Z'))).toBe(1);
    expect(await a.get('teams.cards', 'a:1\ncard-1')).toBeUndefined();
    expect(await a.get('teams.cards', 'a:1\ncard-2')).toBeDefined();
    // Other channels' entries are not touched, however old.
    expect(await a.get('teams', 'a:1')).toEqual({ serviceUrl: 'https://example.test/' });
  });
});
