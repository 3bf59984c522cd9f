import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { translateFrToEn, translateWord } from '../../../src/engine/retrieval/lexicon-fr-en.js';
import { analyzeQuery, DEFAULT_QUERY_WEIGHTS } from '../../../src/engine/retrieval/query.js';
import { HybridKnowledgeService } from '../../../src/engine/retrieval/service.js';
import { HashingEmbedder } from '../../helpers/hashing-embedder.js';

const dir = mkdtempSync(join(tmpdir(), 'kb-lexicon-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('French → English IT lexicon', () => {
  it('translates words (inflected too) and phrases, keeps names and codes, drops function words', () => {
    expect(translateWord('imprimante')).toEqual(['printer']);
    expect(translateWord('synchronise')).toContain('sync');
    expect(translateFrToEn("j'ai oublié mon mot de passe et mon compte est bloqué")).toBe('forgot forgotten password account blocked locked stuck');
    expect(translateFrToEn('Syncthing ne synchronise plus depuis la mise à jour 0x80070005')).toBe('syncthing sync synchronize update 0x80070005');
  });

  it('adds English variants to a French query only when asked to', () => {
    const words = (translate?: (w: string) => string[] | undefined) =>
      analyzeQuery('calendrier partagé introuvable', 'fr', undefined, DEFAULT_QUERY_WEIGHTS, translate).tokens.flatMap((t) => [...t.variants.keys()]);
    expect(words()).not.toContain('found');
    expect(words(translateWord)).toEqual(expect.arrayContaining(['calendar', 'share', 'found']));
  });

  it('lets a French question find an article that exists only in English', async () => {
    mkdirSync(join(dir, 'en'), { recursive: true });
    const article = (id: string, title: string, body: string) => writeFileSync(join(dir, 'en', `${id}.md`), `---\nid: ${id}\ntitle: ${title}\nlang: en\n---\n\n${body}\n`);
    article('calendar-sync', 'Shared calendar does not sync', 'When a shared calendar is missing or stale, remove it and add it again, then wait for sync.');
    article('keyboard-layout', 'Wrong keyboard layout', 'Change the input language in settings when keys type the wrong letters.');
    article('disk-space', 'Free up disk space', 'Empty the recycle bin and remove old downloads when the disk is full.');
    const service = await HybridKnowledgeService.create({ kbDir: dir, embedder: new HashingEmbedder() });
    const d = await service.decide('mon calendrier partagé ne se synchronise plus');
    expect(d.queryLang).toBe('fr');
    expect(d.candidates[0]).toMatchObject({ articleId: 'calendar-sync', lang: 'en' });
  });
});
