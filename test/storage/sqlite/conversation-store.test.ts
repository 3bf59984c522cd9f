import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../../src/storage/sqlite/database.js';
import { openConversationStore, type SqliteConversationStore } from '../../../src/storage/sqlite/conversation-store.js';
import type { InboundTurn } from '../../../src/engine/ports/conversation-store.js';

let dir: string;
let db: Db;
let store: SqliteConversationStore;

const inbound = (over: Partial<InboundTurn> = {}): InboundTurn => ({
  address: { channel: 'test', conversationId: 'conv-1' },
  user: { id: 'u1', name: 'Ana Martin' },
  messageId: 'm1',
  text: 'my VPN is down',
  lang: 'en',
  at: '2026-11-22T10:00:00.000Z',
  ...over,
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'conv-store-'));
  db = openDatabase(join(dir, 'helpdesk.db'));
  store = openConversationStore(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SQLite conversation store', () => {
  it('records the inbound turn before processing and creates the conversation', async () => {
    const begun = await store.beginTurn(inbound());
    expect(begun.replay).toBeUndefined();
    expect(begun.conversation).toMatchObject({ address: { channel: 'test', conversationId: 'conv-1' }, status: 'active', lang: 'en' });
    // Visible to another connection right away: durable before any work is done.
    const other = openDatabase(join(dir, 'helpdesk.db'), { readonly: true });
    expect(other.prepare('SELECT text, handled_at FROM conversation_turns').all()).toEqual([{ text: 'my VPN is down', handled_at: null }]);
    other.close();
  });

  it('replays the stored replies for a redelivered message, and reprocesses one that never finished', async () => {
    const first = await store.beginTurn(inbound());
    const again = await store.beginTurn(inbound());
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
    expect((await store.beginTurn(inbound())).replay).toEqual([reply]);
    // The same message id in another conversation is a different message.
    expect((await store.beginTurn(inbound({ address: { channel: 'test', conversationId: 'conv-2' } }))).replay).toBeUndefined();
  });

  it('keeps one active flow run per conversation and finds idle ones', async () => {
    const { conversation, turnId } = await store.beginTurn(inbound());
    const run = (id: string, status: 'active' | 'abandoned', updatedAt: string) => ({
      id, conversationId: conversation.id, flowId: 'vpn-connect', stepId: 'internet', status, state: { id }, startedAt: updatedAt, updatedAt,
    });
    const commit = (flows: ReturnType<typeof run>[]) =>
      store.commitTurn({ conversationId: conversation.id, inboundTurnId: turnId, at: '2026-11-22T10:00:00.000Z', lang: 'en', status: 'active', state: {}, flows, outbound: [], feedback: [], events: [] });
    await commit([run('r1', 'active', '2026-11-22T10:00:00.000Z')]);
    await expect(commit([run('r2', 'active', '2026-11-22T10:01:00.000Z')])).rejects.toThrow(/UNIQUE/);
    await commit([run('r1', 'abandoned', '2026-11-22T10:01:00.000Z'), run('r2', 'active', '2026-11-22T10:01:00.000Z')]);
    expect((await store.activeFlow(conversation.id))?.id).toBe('r2');
    expect(await store.idleFlows('2026-11-22T10:00:30.000Z')).toEqual([]);
    const idle = await store.idleFlows('2026-11-22T10:30:00.000Z');
    expect(idle.map((i) => [i.flow.id, i.conversation.id])).toEqual([['r2', conversation.id]]);
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
    expect(await store.events({ types: ['decision'] })).toEqual([
      { ...base, type: 'decision', at: '2026-11-22T10:00:01.000Z', decision: 'answer', confidence: 0.91, text: 'answered: strong match', data: { candidates: [] } },
    ]);
    expect(await store.feedback({ articleId: 'vpn-cannot-connect' })).toHaveLength(1);
    expect((await store.getConversation(conversation.id))?.status).toBe('resolved');
    // Plain SQL works for the console's reports.
    const row = db.prepare(`SELECT COUNT(*) AS n FROM conversation_events WHERE type = 'resolved' AND channel = 'test' AND lang = 'en'`).get();
    expect(row).toEqual({ n: 1 });
  });

  it('returns the transcript in order, limited to the most recent turns', async () => {
    const { conversation, turnId } = await store.beginTurn(inbound());
    await store.commitTurn({
      conversationId: conversation.id, inboundTurnId: turnId, at: '2026-11-22T10:00:01.000Z', lang: 'en', status: 'active', state: {}, flows: [],
      outbound: [{ text: 'first reply', message: { lang: 'en', parts: [] } }, { text: 'second reply', message: { lang: 'en', parts: [] } }],
      feedback: [], events: [],
    });
    expect((await store.transcript(conversation.id)).map((t) => [t.direction, t.text])).toEqual([
      ['in', 'my VPN is down'],
      ['out', 'first reply'],
      ['out', 'second reply'],
    ]);
    expect((await store.transcript(conversation.id, { limit: 2 })).map((t) => t.text)).toEqual(['first reply', 'second reply']);
  });
});
