import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FR_EN_LEXICON, translateFrToEn, translateWord } from '../../../src/engine/retrieval/lexicon-fr-en.js';
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

  it('knows words only the part aligned from LibreOffice\'s translations has, and prefers it where both parts have a word', () => {
    // Not in the hand-written part: these come from lexicon-data/lexicon-fr-en.libreoffice.json.
    expect(translateWord('serveur')).toEqual(['server']);
    expect(translateWord('repertoire')).toEqual(['directory']);
    expect(translateFrToEn('le serveur distant refuse le certificat')).toBe('server remote denied refused certificate');
    // Both parts have "connexion" (hand-written: "connection sign-in"); the aligned entry is the one used.
    expect(translateWord('connexion')).toEqual(['connection']);
    expect(FR_EN_LEXICON.connexion).toBe('connection');
    // Words only the hand-written part has still translate.
    expect(translateWord('hameconnage')).toEqual(['phishing']);
    // Alignments rejected on review never reach the lexicon ("touche" is a key, not "released").
    expect(translateWord('touche')).not.toContain('released');
  });

  it('ships the aligned part with its provenance and licence notice', () => {
    const dataDir = new URL('../../../src/engine/retrieval/lexicon-data/', import.meta.url).pathname;
    const data = JSON.parse(readFileSync(join(dataDir, 'lexicon-fr-en.libreoffice.json'), 'utf8')) as {
      provenance: { source: { package: string; version: string; licence: string; licence_file: string; sha256: string; files: string[] }; built: string; counts: { entries: number } };
      entries: Record<string, string>;
    };
    const { source, counts } = data.provenance;
    expect(source).toMatchObject({ package: 'libreoffice-l10n-fr', licence: 'MPL-2.0' });
    expect(source.version).toMatch(/^4:7\.4\.7-/);
    expect(source.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(source.files.length).toBeGreaterThan(0);
    expect(data.provenance.built).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Object.keys(data.entries)).toHaveLength(counts.entries);
    const notice = join(dataDir, source.licence_file);
    expect(existsSync(notice)).toBe(true);
    const text = readFileSync(notice, 'utf8');
    expect(text).toContain(source.version);
    expect(text).toContain('Mozilla Public License Version 2.0');
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
