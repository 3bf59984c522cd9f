import { expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseArticle } from '../../../src/engine/knowledge/parse.js';
import { connectEach, describeStoreContract } from './backends.js';

describeStoreContract('draft store', (backend) => {
  const now = () => new Date('2026-11-22T10:00:00Z');

  const { a: store, b: other } = connectEach(backend, 'drafts', { now });

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
    expect(await other.get(draft.id)).toEqual(draft);
  });

  it('is idempotent per ticket and keeps the technician edits', async () => {
    const first = await store.createFromResolvedTicket(ticket);
    await store.update(first.draft.id, { body: 'edited' });
    const again = await other.createFromResolvedTicket({ ...ticket, resolutionNotes: 'something else' });
    expect(again.created).toBe(false);
    expect(again.draft.id).toBe(first.draft.id);
    expect(again.draft.body).toBe('edited');
    // Another provider with the same number is another ticket.
    expect((await store.createFromResolvedTicket({ ...ticket, provider: 'glpi' })).created).toBe(true);
    expect(await other.counts()).toEqual({ pending: 2, published: 0, discarded: 0 });
  });

  it('a resolution webhook retried on two connections at once makes one draft', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? store : other).createFromResolvedTicket(ticket)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.draft.id)).size).toBe(1);
  });

  it('publishes or discards once, and lists by status', async () => {
    const a = (await store.createFromResolvedTicket(ticket)).draft;
    const b = (await store.createFromResolvedTicket({ ...ticket, ticketNumber: 'HD-000043', lang: 'en', question: 'car park badge' })).draft;
    const published = await other.markPublished(a.id, { articleId: 'badge-fr', file: 'articles/fr/badge-fr.md' });
    expect(published).toMatchObject({ status: 'published', publishedArticleId: 'badge-fr', publishedFile: 'articles/fr/badge-fr.md' });
    expect((await store.discard(a.id))?.status).toBe('published');
    expect(await store.update(a.id, { body: 'x' })).toBeUndefined();
    await store.discard(b.id);
    expect((await store.list({ statuses: ['pending'] })).map((d) => d.id)).toEqual([]);
    expect((await store.list({ statuses: ['discarded'] })).map((d) => d.id)).toEqual([b.id]);
    expect((await store.list()).map((d) => d.id).sort()).toEqual([a.id, b.id].sort());
    expect(await other.counts()).toEqual({ pending: 0, published: 1, discarded: 1 });
  });
});
