import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../../src/storage/sqlite/database.js';
import { openConversationStore, type SqliteConversationStore } from '../../../src/storage/sqlite/conversation-store.js';
import type { AnalyticsEvent } from '../../../src/engine/ports/conversation-store.js';
import type { ArticleView, KnowledgeService } from '../../../src/engine/ports/knowledge.js';
import type { Lang } from '../../../src/engine/lang.js';
import { shippedPrompts, suggestedPrompts } from '../../../src/engine/analytics/suggested-prompts.js';

const NOW = new Date('2026-12-07T12:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000).toISOString();

const view = (v: Partial<ArticleView> & Pick<ArticleView, 'id' | 'lang' | 'title'>): ArticleView => ({ steps: [], tags: [], ...v });
const ARTICLES: ArticleView[] = [
  view({ id: 'vpn', lang: 'en', title: 'VPN will not connect', questions: ['my vpn does not connect'] }),
  view({ id: 'vpn-fr', lang: 'fr', title: 'Le VPN ne se connecte pas', questions: ['mon vpn ne se connecte pas'], translationOf: 'vpn' }),
  view({ id: 'printer', lang: 'en', title: 'Printer not printing', questions: ['printer stuck'] }),
  view({ id: 'mailbox', lang: 'en', title: 'Mailbox full, and a title long enough that it has to be cut for a button label', questions: [] }),
  view({ id: 'admin-only', lang: 'en', title: 'Rotate the domain admin password', questions: ['rotate krbtgt'], audience: 'it-staff' }),
];

/** The KnowledgeService's lookups over a few articles (families: an article and its translations). */
const knowledge: Pick<KnowledgeService, 'article' | 'family'> = {
  article(id: string, lang?: Lang) {
    const own = ARTICLES.find((a) => a.id === id);
    if (!own) return undefined;
    return (lang && ARTICLES.find((a) => a.lang === lang && (a.translationOf === id || a.id === own.translationOf || a.id === id))) || own;
  },
  family(id: string) {
    const root = ARTICLES.find((a) => a.id === id)?.translationOf ?? id;
    return ARTICLES.filter((a) => a.id === root || a.translationOf === root).map((a) => a.id);
  },
};

let dir: string;
let db: Db;
let store: SqliteConversationStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'suggested-prompts-'));
  db = openDatabase(join(dir, 'helpdesk.db'));
  store = openConversationStore(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Stores answer_shown events the way the engine commits them, one conversation per call. */
async function shown(conversation: string, shows: Array<{ articleId: string; topic: string; days: number }>): Promise<void> {
  const { conversation: c, turnId } = await store.beginTurn({
    address: { channel: 'test', conversationId: conversation }, user: { id: `u-${conversation}` }, messageId: 'm1', text: 'help', lang: 'en', at: daysAgo(40),
  });
  const events: AnalyticsEvent[] = shows.map((s) => ({ type: 'answer_shown', at: daysAgo(s.days), conversationId: c.id, topicId: s.topic, channel: 'test', lang: 'en', articleId: s.articleId }));
  await store.commitTurn({ conversationId: c.id, inboundTurnId: turnId, at: daysAgo(0.5), lang: 'en', status: 'active', state: {}, flows: [], outbound: [], feedback: [], events });
}

describe('suggested prompts', () => {
  it('falls back to the shipped list, in the user language, when there is no history', async () => {
    const en = await suggestedPrompts({ store, knowledge, lang: 'en', now: NOW, max: 3 });
    const fr = await suggestedPrompts({ store, knowledge, lang: 'fr', now: NOW, max: 3 });
    expect(en).toEqual(shippedPrompts('en').slice(0, 3));
    expect(fr).toEqual(shippedPrompts('fr').slice(0, 3));
    expect(en[0]).toEqual({ title: 'Reset my password', message: 'How do I reset my password?' });
    expect(fr[0]!.message).toBe('Comment réinitialiser mon mot de passe ?');
  });

  it('ranks article families by help requests of the last 30 days and tops up from the shipped list', async () => {
    await shown('c1', [
      { articleId: 'printer', topic: 't1', days: 2 },
      // The same topic shown the article twice: one ask.
      { articleId: 'printer', topic: 't1', days: 2 },
      { articleId: 'vpn', topic: 't2', days: 3 },
    ]);
    await shown('c2', [
      { articleId: 'vpn-fr', topic: 't3', days: 10 },
      { articleId: 'vpn', topic: 't4', days: 29 },
      // Older than 30 days: not counted, or printer would come first.
      { articleId: 'printer', topic: 't5', days: 31 },
      { articleId: 'printer', topic: 't6', days: 45 },
    ]);
    const en = await suggestedPrompts({ store, knowledge, lang: 'en', now: NOW, max: 3 });
    expect(en).toEqual([
      { title: 'VPN will not connect', message: 'my vpn does not connect', articleId: 'vpn' },
      { title: 'Printer not printing', message: 'printer stuck', articleId: 'printer' },
      shippedPrompts('en')[0],
    ]);
    // French: the VPN family in French; the printer has no French article, so the shipped list fills in.
    const fr = await suggestedPrompts({ store, knowledge, lang: 'fr', now: NOW, max: 2 });
    expect(fr).toEqual([{ title: 'Le VPN ne se connecte pas', message: 'mon vpn ne se connecte pas', articleId: 'vpn-fr' }, shippedPrompts('fr')[0]]);
  });

  it('never suggests an article restricted to audiences the viewer is not in', async () => {
    await shown('c1', [
      { articleId: 'admin-only', topic: 't1', days: 1 },
      { articleId: 'admin-only', topic: 't2', days: 1 },
      { articleId: 'mailbox', topic: 't3', days: 1 },
    ]);
    const employee = await suggestedPrompts({ store, knowledge, lang: 'en', now: NOW, max: 2 });
    expect(employee.map((p) => p.articleId)).toEqual(['mailbox', undefined]);
    // Falls back to the title when the article has no example question; the label is cut short.
    expect(employee[0]!.message).toBe(ARTICLES[3]!.title);
    expect(employee[0]!.title.length).toBeLessThanOrEqual(60);
    expect(employee[0]!.title.endsWith('…')).toBe(true);
    const staff = await suggestedPrompts({ store, knowledge, lang: 'en', now: NOW, max: 1, audiences: ['IT-Staff'] });
    expect(staff).toEqual([{ title: 'Rotate the domain admin password', message: 'rotate krbtgt', articleId: 'admin-only' }]);
  });

  it('returns nothing for max 0', async () => {
    expect(await suggestedPrompts({ store, knowledge, lang: 'en', now: NOW, max: 0 })).toEqual([]);
  });
});
