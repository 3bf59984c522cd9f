import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/storage/sqlite/database.js';
import { openLabelledExampleStore, type SqliteLabelledExampleStore } from '../../../src/storage/sqlite/labelled-examples-store.js';
import { harness, type Harness } from './harness.js';
import { Chat } from './transcript.js';

/** The employee's "yes, that solved it" becomes a labelled example; "no" does not. */
describe('confirmed answers as labelled examples', () => {
  let h: Harness;
  let chat: Chat;
  let db: Db;
  let labels: SqliteLabelledExampleStore;

  beforeEach(() => {
    db = openDatabase(':memory:');
    labels = openLabelledExampleStore(db);
    h = harness({ labels });
    chat = new Chat(h.engine);
  });
  afterEach(() => {
    h.close();
    db.close();
  });

  it('records "it worked" with the question, the article, the conversation and the turn', async () => {
    await chat.run(`
      user says "the vpn gateway says it cannot connect"
      click "Yes"
      bot says "glad it's fixed"
    `);
    const [conversation] = h.db.prepare('SELECT id FROM conversations').all() as { id: string }[];
    const all = await labels.list();
    expect(all).toEqual([
      expect.objectContaining({
        question: 'the vpn gateway says it cannot connect',
        lang: 'en',
        verdict: 'article',
        articleId: 'vpn-cannot-connect',
        source: 'employee_confirmed',
        by: 'employee',
        conversationId: conversation!.id,
        at: '2026-11-22T09:00:00.000Z',
      }),
    ]);
    // The turn it refers to is the stored inbound turn of the click.
    const turn = h.db.prepare("SELECT id FROM conversation_turns WHERE direction = 'in' ORDER BY id DESC LIMIT 1").get() as { id: number };
    expect(all[0]!.turnId).toBe(turn.id);
  });

  it('records nothing on "no"', async () => {
    await chat.run(`
      user says "the vpn gateway says it cannot connect"
      click "No"
    `);
    expect(await h.store.feedback()).toMatchObject([{ value: 'no' }]);
    expect(await labels.list()).toEqual([]);
  });
});
