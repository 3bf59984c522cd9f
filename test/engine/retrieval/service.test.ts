import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kbCopies } from '../../helpers/kb-copies.js';
import { HybridKnowledgeService } from '../../../src/engine/retrieval/service.js';
import type { EmbeddingCache } from '../../../src/engine/retrieval/vector-index.js';
import { HashingEmbedder } from '../../helpers/hashing-embedder.js';

const fixture = new URL('../../fixtures/kb-basic', import.meta.url).pathname;
const copyKb = kbCopies(fixture, 'kb-service-');

class MemoryCache implements EmbeddingCache {
  readonly rows = new Map<string, Float32Array>();
  async getMany(provider: string, model: string, hashes: readonly string[]) {
    const out = new Map<string, Float32Array>();
    for (const h of hashes) {
      const v = this.rows.get(`${provider}/${model}/${h}`);
      if (v) out.set(h, v);
    }
    return out;
  }
  async putMany(provider: string, model: string, items: readonly { hash: string; vector: Float32Array }[]) {
    for (const i of items) this.rows.set(`${provider}/${model}/${i.hash}`, i.vector);
  }
}

describe('HybridKnowledgeService', () => {
  it('answers, in the user’s language when a translation exists', async () => {
    const service = await HybridKnowledgeService.create({ kbDir: fixture, embedder: new HashingEmbedder() });
    expect(service.status()).toMatchObject({ ready: true, mode: 'hybrid', articles: 6, brokenFiles: [] });
    const fr = await service.decide("j'ai oublié mon mot de passe");
    expect(fr.queryLang).toBe('fr');
    expect(fr.candidates[0]).toMatchObject({ articleId: 'password-reset-fr', lang: 'fr' });
    const en = await service.decide('I forgot my password');
    expect(en.candidates[0]).toMatchObject({ articleId: 'password-reset', lang: 'en' });
    // One candidate per family: the translation does not compete with its original.
    expect(en.candidates.filter((c) => c.articleId.startsWith('password-reset'))).toHaveLength(1);
  });

  it('finds an English-only article from a French question, and answers in English', async () => {
    const service = await HybridKnowledgeService.create({ kbDir: fixture, embedder: new HashingEmbedder() });
    const d = await service.decide('bourrage papier dans l’imprimante');
    expect(d.queryLang).toBe('fr');
    expect(d.candidates[0]).toMatchObject({ articleId: 'printer-jam', lang: 'en' });
  });

  it('keeps a stated reply language and leaves out excluded families', async () => {
    const service = await HybridKnowledgeService.create({ kbDir: fixture });
    const d = await service.decide('vpn error 809', { lang: 'fr', exclude: ['vpn-cannot-connect-fr'] });
    expect(d.queryLang).toBe('fr');
    expect(d.candidates.map((c) => c.articleId)).not.toContain('vpn-cannot-connect');
    expect(d.candidates.map((c) => c.articleId)).not.toContain('vpn-cannot-connect-fr');
  });

  it('escalates a message with nothing to search for, with an explanation in both forms', async () => {
    const service = await HybridKnowledgeService.create({ kbDir: fixture });
    const d = await service.decide('bonjour merci');
    expect(d).toMatchObject({ kind: 'escalate', confidence: 0, explanationKey: 'gate.explain.escalate_empty' });
    expect(d.explanation).toBe('escalated: the message has no words to search for');
  });

  it('starts lexical-only, loudly, when the embedder cannot load', async () => {
    const warnings: string[] = [];
    const service = await HybridKnowledgeService.create({
      kbDir: fixture,
      embedder: new HashingEmbedder({ failInit: true }),
      log: { info: () => {}, warn: (m) => warnings.push(m) },
    });
    expect(service.status().mode).toBe('lexical-only');
    expect(service.status().vectors).toBe(0);
    expect(service.status().warnings[0]).toMatch(/^EMBEDDINGS UNAVAILABLE \(test-hashing bag-of-words-64\): model files missing/);
    expect(warnings[0]).toMatch(/EMBEDDINGS UNAVAILABLE/);
    const d = await service.decide('vpn error 809');
    expect(d.candidates[0]?.articleId).toBe('vpn-cannot-connect');
  });

  it('tries the model once more after a failed load, and runs hybrid when the second try works', async () => {
    const embedder = new HashingEmbedder({ failInit: 1 });
    const service = await HybridKnowledgeService.create({ kbDir: fixture, embedder });
    expect(embedder.initCalls).toBe(2);
    expect(service.status().mode).toBe('hybrid');
    expect(service.status().warnings.join('\n')).not.toMatch(/EMBEDDINGS UNAVAILABLE/);
  });

  it('reload re-embeds only what changed and swaps atomically', async () => {
    const kb = copyKb();
    const embedder = new HashingEmbedder();
    const service = await HybridKnowledgeService.create({ kbDir: kb, embedder });
    const first = embedder.embedded.length;
    expect(first).toBe(service.status().vectors);

    const same = await service.reload();
    expect(same.embedded).toBe(0);
    expect(embedder.embedded.length).toBe(first);

    writeFileSync(
      join(kb, 'articles/en/printer-jam.md'),
      '---\nid: printer-jam\ntitle: Printer shows a paper jam\nquestions:\n  - printer paper jam\n  - toner light blinking after a jam\n---\n\n## Resolution\n1. Open every tray.\n',
    );
    const before = service.article('printer-jam');
    let release!: () => void;
    embedder.hold = new Promise((r) => (release = r));
    const pending = service.reload();
    await new Promise((r) => setTimeout(r, 20));
    // Mid-reload (new files read, embedding blocked), questions are answered from the previous knowledge.
    expect(service.article('printer-jam')).toEqual(before);
    expect((await service.decide('printer paper jam')).candidates[0]?.articleId).toBe('printer-jam');
    release();
    const changed = await pending;
    expect(changed.embedded).toBeGreaterThan(0);
    expect(embedder.embedded.slice(first)).toEqual(expect.arrayContaining(['toner light blinking after a jam']));
    expect(embedder.embedded.slice(first)).not.toContain('vpn error 809');
    expect(service.article('printer-jam')?.steps).toEqual(['Open every tray.']);
  });

  it('never embeds a text twice across restarts when given a cache', async () => {
    const cache = new MemoryCache();
    const one = new HashingEmbedder();
    await HybridKnowledgeService.create({ kbDir: fixture, embedder: one, cache });
    const two = new HashingEmbedder();
    const again = await HybridKnowledgeService.create({ kbDir: fixture, embedder: two, cache });
    expect(one.embedded.length).toBeGreaterThan(0);
    expect(two.embedded).toEqual([]);
    expect(again.status().mode).toBe('hybrid');
    // Another model never reuses these vectors.
    const other = new HashingEmbedder({ model: 'other' });
    await HybridKnowledgeService.create({ kbDir: fixture, embedder: other, cache });
    expect(other.embedded.length).toBe(one.embedded.length);
  });

  it('serves the rest of the knowledge when a file is broken, and says so', async () => {
    const kb = copyKb();
    writeFileSync(join(kb, 'articles/en/broken.md'), '---\nid: broken\ntitle: "unterminated\n---\n');
    const service = await HybridKnowledgeService.create({ kbDir: kb });
    expect(service.status()).toMatchObject({ articles: 6, brokenFiles: ['articles/en/broken.md'] });
    expect(service.status().warnings.some((w) => w.includes('articles/en/broken.md'))).toBe(true);
  });

  it('starts on an empty or missing folder, says so, and escalates', async () => {
    const service = await HybridKnowledgeService.create({ kbDir: join(tmpdir(), 'no-such-knowledge-folder'), embedder: new HashingEmbedder() });
    expect(service.status()).toMatchObject({ articles: 0, vectors: 0 });
    expect(service.status().warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^no articles found in /)]));
    expect((await service.decide('vpn error 809')).kind).toBe('escalate');
  });

  it('resolves articles and families', async () => {
    const service = await HybridKnowledgeService.create({ kbDir: fixture });
    expect(service.family('vpn-cannot-connect-fr')).toEqual(['vpn-cannot-connect', 'vpn-cannot-connect-fr']);
    expect(service.family('nope')).toEqual([]);
    expect(service.article('password-reset', 'fr')).toMatchObject({
      id: 'password-reset-fr',
      translationOf: 'password-reset',
      variants: [{ heading: 'Sur macOS', steps: ['Ouvrez **Réglages système > Utilisateurs et groupes**.'] }],
    });
    expect(service.article('printer-jam', 'fr')?.id).toBe('printer-jam');
    expect(service.detectLang('imprimante bloquée')).toBe('fr');
  });
});
