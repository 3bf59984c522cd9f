import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseArticle } from '../../../src/engine/knowledge/parse.js';
import { openDatabase, type Db } from '../../../src/storage/sqlite/database.js';
import { notesToSteps, openDraftStore, slugify, type SqliteDraftStore } from '../../../src/storage/sqlite/draft-store.js';
import { stringify } from 'yaml';

describe('SQLite draft store', () => {
  let dir: string;
  let db: Db;
  let store: SqliteDraftStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'helpdesk-drafts-'));
    db = openDatabase(join(dir, 'helpdesk.db'));
    store = openDraftStore(db, { now: () => new Date('2026-11-22T10:00:00Z') });
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ticket = {
    provider: 'local',
    ticketNumber: 'HD-000042',
    conversationId: 'c-1',
    lang: 'fr' as const,
    question: 'le lecteur de badge du parking ne lit plus ma carte',
    resolutionNotes: 'Badge réencodé au poste de sécurité\nAccès parking réactivé dans le logiciel de contrôle',
    category: 'devices',
  };

  it('proposes a French article in the article format from a resolved ticket', async () => {
    const { draft, created } = await store.createFromResolvedTicket(ticket);
    expect(created).toBe(true);
    expect(draft.status).toBe('pending');
    expect(draft.source).toEqual({ kind: 'ticket', provider: 'local', ticketNumber: 'HD-000042', conversationId: 'c-1' });
    expect(draft.frontMatter).toMatchObject({
      id: 'le-lecteur-de-badge-du-parking-ne-lit-plus-ma-carte-fr',
      title: 'Le lecteur de badge du parking ne lit plus ma carte',
      lang: 'fr',
      category: 'devices',
      questions: [ticket.question],
      updated: '2026-11-22',
      review_by: '2027-05-22',
    });
    expect(draft.body).toContain('## Résolution\n1. Badge réencodé au poste de sécurité\n2. Accès parking réactivé');
    expect(draft.body).toContain('HD-000042');
    // The proposal is a valid article as it stands: publishing it goes through the normal lint.
    const parsed = parseArticle(`---\n${stringify(draft.frontMatter)}---\n${draft.body}`, 'articles/fr/x.md');
    expect(parsed.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(parsed.article?.steps).toHaveLength(2);
  });

  it('is idempotent per ticket and keeps the technician edits', async () => {
    const first = await store.createFromResolvedTicket(ticket);
    await store.update(first.draft.id, { body: 'edited' });
    const again = await store.createFromResolvedTicket({ ...ticket, resolutionNotes: 'something else' });
    expect(again.created).toBe(false);
    expect(again.draft.id).toBe(first.draft.id);
    expect(again.draft.body).toBe('edited');
    // Another provider with the same number is another ticket.
    expect((await store.createFromResolvedTicket({ ...ticket, provider: 'glpi' })).created).toBe(true);
    expect(await store.counts()).toEqual({ pending: 2, published: 0, discarded: 0 });
  });

  it('publishes or discards once, and lists by status', async () => {
    const a = (await store.createFromResolvedTicket(ticket)).draft;
    const b = (await store.createFromResolvedTicket({ ...ticket, ticketNumber: 'HD-000043', lang: 'en', question: 'car park badge' })).draft;
    const published = await store.markPublished(a.id, { articleId: 'badge-fr', file: 'articles/fr/badge-fr.md' });
    expect(published).toMatchObject({ status: 'published', publishedArticleId: 'badge-fr', publishedFile: 'articles/fr/badge-fr.md' });
    expect((await store.discard(a.id))?.status).toBe('published');
    expect(await store.update(a.id, { body: 'x' })).toBeUndefined();
    await store.discard(b.id);
    expect((await store.list({ statuses: ['pending'] })).map((d) => d.id)).toEqual([]);
    expect((await store.list()).map((d) => d.id).sort()).toEqual([a.id, b.id].sort());
  });

  it('turns plain note lines into numbered steps and keeps existing lists', () => {
    expect(notesToSteps('one\ntwo')).toBe('1. one\n2. two');
    expect(notesToSteps('- a\n- b')).toBe('- a\n- b');
    expect(notesToSteps('single line')).toBe('single line');
    expect(slugify('Écran noir après mise à jour !')).toBe('ecran-noir-apres-mise-a-jour');
  });
});
