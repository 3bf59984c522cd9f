import { expect, it } from 'vitest';
import type { InboundTurn } from '../../../src/engine/ports/conversation-store.js';
import { connectEach, describeStoreContract } from './backends.js';

const inbound = (over: Partial<InboundTurn> = {}): InboundTurn => ({
  address: { channel: 'test', conversationId: 'conv-1' },
  user: { id: 'u1', name: 'Ana Martin' },
  messageId: 'm1',
  text: 'my VPN is down',
  lang: 'en',
  at: '2026-11-22T10:00:00.000Z',
  ...over,
});

describeStoreContract('conversation store', (backend) => {
  const { env, a: store, b: other } = connectEach(backend, 'conversations');

  it('records the inbound turn before processing and creates the conversation', async () => {
    const begun = await store.beginTurn(inbound());
    expect(begun.replay).toBeUndefined();
    expect(begun.conversation).toMatchObject({ address: { channel: 'test', conversationId: 'conv-1' }, status: 'active', lang: 'en' });
    // Visible to another connection right away: durable before any work is done.
    expect(await other.transcript(begun.conversation.id)).toMatchObject([{ direction: 'in', text: 'my VPN is down' }]);
    expect(await env.count('SELECT COUNT(*) AS n FROM conversation_turns WHERE handled_at IS NULL')).toBe(1);
  });

  it('replays the stored replies for a redelivered message, and reprocesses one that never finished', async () => {
    const first = await store.beginTurn(inbound());
    const again = await other.beginTurn(inbound());
    expect(again.replay).toBeUndefined();
    expect(again.turnId).toBe(first.turnId);
    const reply = { lang: 'en' as const, parts: [{ kind: 'text' as const, text: 'Here is the fix' }] };
    await store.commitTurn({
      conversationId: first.conversation.id,
      inboundTurnId: first.turnId,
      at: '2026-11-22T10:00:01.000Z',
      lang: 'en',
      status: 'active',
      state: { v: 1 },
      flows: [],
      outbound: [{ text: 'Here is the fix', message: reply }],
      feedback: [],
      events: [],
    });
    expect((await other.beginTurn(inbound())).replay).toEqual([reply]);
    // The same message id in another conversation is a different message.
    expect((await store.beginTurn(inbound({ address: { channel: 'test', conversationId: 'conv-2' } }))).replay).toBeUndefined();
  });

  it('a message delivered to two connections at once is recorded once, in one conversation', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? store : other).beginTurn(inbound({ address: { channel: 'test', conversationId: 'fresh' } }))),
    );
    expect(new Set(results.map((r) => r.turnId)).size).toBe(1);
    expect(new Set(results.map((r) => r.conversation.id)).size).toBe(1);
    expect(await env.count(`SELECT COUNT(*) AS n FROM conversations WHERE channel_conversation_id = 'fresh'`)).toBe(1);
    expect(await env.count(`SELECT COUNT(*) AS n FROM conversation_turns WHERE message_id = 'm1'`)).toBe(1);
  });

  it('messages without an id are never merged', async () => {
    const a = await store.beginTurn(inbound({ messageId: undefined }));
    const b = await other.beginTurn(inbound({ messageId: undefined }));
    expect(a.turnId).not.toBe(b.turnId);
  });

  it('keeps one active flow run per conversation and finds idle ones', async () => {
    const { conversation, turnId } = await store.beginTurn(inbound());
    const run = (id: string, status: 'active' | 'abandoned', updatedAt: string) => ({
      id, conversationId: conversation.id, flowId: 'vpn-connect', stepId: 'internet', status, state: { id }, startedAt: updatedAt, updatedAt,
    });
    const commit = (flows: ReturnType<typeof run>[]) =>
      store.commitTurn({ conversationId: conversation.id, inboundTurnId: turnId, at: '2026-11-22T10:00:00.000Z', lang: 'en', status: 'active', state: {}, flows, outbound: [], feedback: [], events: [] });
    await commit([run('r1', 'active', '2026-11-22T10:00:00.000Z')]);
    await expect(commit([run('r2', 'active', '2026-11-22T10:01:00.000Z')])).rejects.toThrow(/unique/i);
    // The failed commit changed nothing.
    expect((await store.activeFlow(conversation.id))?.id).toBe('r1');
    await commit([run('r1', 'abandoned', '2026-11-22T10:01:00.000Z'), run('r2', 'active', '2026-11-22T10:01:00.000Z')]);
    expect((await other.activeFlow(conversation.id))?.id).toBe('r2');
    expect((await other.beginTurn(inbound({ messageId: 'm2' }))).flow?.id).toBe('r2');
    expect(await store.idleFlows('2026-11-22T10:00:30.000Z')).toEqual([]);
    const idle = await store.idleFlows('2026-11-22T10:30:00.000Z');
    expect(idle.map((i) => [i.flow.id, i.conversation.id, i.flow.state])).toEqual([['r2', conversation.id, { id: 'r2' }]]);
  });

  it('stores feedback and analytics events as queryable rows', async () => {
    const { conversation, turnId } = await store.beginTurn(inbound());
    const base = { conversationId: conversation.id, channel: 'test', lang: 'en' as const, topicId: 't1' };
    await store.commitTurn({
      conversationId: conversation.id,
      inboundTurnId: turnId,
      at: '2026-11-22T10:00:02.000Z',
      lang: 'en',
      status: 'resolved',
      state: { v: 1 },
      flows: [],
      outbound: [],
      feedback: [{ ...base, articleId: 'vpn-cannot-connect', value: 'yes', question: 'my VPN is down', at: '2026-11-22T10:00:02.000Z' }],
      events: [
        { ...base, type: 'decision', at: '2026-11-22T10:00:01.000Z', decision: 'answer', confidence: 0.91, text: 'answered: strong match', data: { candidates: [] } },
        { ...base, type: 'resolved', at: '2026-11-22T10:00:02.000Z', articleId: 'vpn-cannot-connect' },
      ],
    });
    expect(await other.events({ types: ['decision'] })).toEqual([
      { ...base, type: 'decision', at: '2026-11-22T10:00:01.000Z', decision: 'answer', confidence: 0.91, text: 'answered: strong match', data: { candidates: [] } },
    ]);
    expect((await other.events({ since: '2026-11-22T10:00:02.000Z' })).map((e) => e.type)).toEqual(['resolved']);
    expect((await other.events({ until: '2026-11-22T10:00:02.000Z', limit: 5 })).map((e) => e.type)).toEqual(['decision']);
    expect(await other.feedback({ articleId: 'vpn-cannot-connect' })).toHaveLength(1);
    expect(await other.feedback({ articleId: 'other' })).toHaveLength(0);
    expect((await other.getConversation(conversation.id))?.state).toEqual({ v: 1 });
    expect((await other.findConversation({ channel: 'test', conversationId: 'conv-1' }))?.status).toBe('resolved');
    // Plain SQL works for the console's reports.
    expect(await env.count(`SELECT COUNT(*) AS n FROM conversation_events WHERE type = 'resolved' AND channel = 'test' AND lang = 'en'`)).toBe(1);
  });

  it('returns the transcript in order, limited to the most recent turns', async () => {
    const { conversation, turnId } = await store.beginTurn(inbound());
    await store.commitTurn({
      conversationId: conversation.id, inboundTurnId: turnId, at: '2026-11-22T10:00:01.000Z', lang: 'en', status: 'active', state: {}, flows: [],
      outbound: [{ text: 'first reply', message: { lang: 'en', parts: [] } }, { text: 'second reply', message: { lang: 'en', parts: [] } }],
      feedback: [], events: [],
    });
    expect((await other.transcript(conversation.id)).map((t) => [t.direction, t.text])).toEqual([
      ['in', 'my VPN is down'],
      ['out', 'first reply'],
      ['out', 'second reply'],
    ]);
    expect((await other.transcript(conversation.id, { limit: 2 })).map((t) => t.text)).toEqual(['first reply', 'second reply']);
    expect((await other.transcript(conversation.id, { since: '2026-11-22T10:00:01.000Z' })).map((t) => t.text)).toEqual(['first reply', 'second reply']);
  });

  it('searches conversations by user, text (wildcards taken literally), status and channel', async () => {
    await store.beginTurn(inbound({ user: { id: 'u1', name: 'Ana Martin', email: 'ana@example.org' } }));
    await store.beginTurn(inbound({ address: { channel: 'slack', conversationId: 'D1' }, user: { id: 'u2', name: 'Bo' }, text: 'printer 100% broken' }));
    const search = other.searchConversations!.bind(other);
    expect((await search({ user: 'ANA@' })).map((c) => c.user.id)).toEqual(['u1']);
    expect((await search({ text: '100%' })).map((c) => c.user.id)).toEqual(['u2']);
    expect(await search({ text: '100_' })).toEqual([]);
    expect((await search({ channel: 'slack' }))[0]).toMatchObject({ turns: 1, firstText: 'printer 100% broken' });
    expect(await search({ status: 'escalated' })).toEqual([]);
    expect(await search({ limit: 1, offset: 1 })).toHaveLength(1);
  });
  it('keeps the comment typed with a thumb, and none on a plain Yes / No', async () => {
    const { conversation, turnId } = await store.beginTurn(inbound());
    const base = { conversationId: conversation.id, channel: 'test', lang: 'fr' as const, topicId: 't1', question: 'mon VPN ne marche pas' };
    const plain = { ...base, articleId: 'vpn-cannot-connect', value: 'yes' as const, at: '2026-11-22T10:00:02.000Z' };
    const commented = { ...base, articleId: 'vpn-reset', value: 'no' as const, at: '2026-11-22T10:00:03.000Z', comment: "L'étape 3 n'existe plus — « Paramètres » a changé" };
    await store.commitTurn({
      conversationId: conversation.id, inboundTurnId: turnId, at: '2026-11-22T10:00:03.000Z', lang: 'fr', status: 'active', state: {}, flows: [],
      outbound: [], feedback: [plain, commented], events: [],
    });
    const stored = await other.feedback();
    expect(stored).toHaveLength(2);
    expect(stored.find((f) => f.articleId === 'vpn-cannot-connect')).toEqual(plain);
    expect(stored.find((f) => f.articleId === 'vpn-cannot-connect')).not.toHaveProperty('comment');
    expect(await other.feedback({ articleId: 'vpn-reset' })).toEqual([commented]);
    expect(await env.count(`SELECT COUNT(*) AS n FROM conversation_feedback WHERE comment IS NULL`)).toBe(1);
  });
});
