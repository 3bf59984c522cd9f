import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKnowledgeBase, seedTopic } from '../../src/bench/generate.js';
import { lintKnowledgeBase } from '../../src/engine/knowledge/lint.js';
import { loadKnowledgeBase } from '../../src/engine/knowledge/loader.js';

const SEEDS = new URL('../../knowledge', import.meta.url).pathname;

describe('generated benchmark knowledge bases', () => {
  const root = mkdtempSync(join(tmpdir(), 'helpdesk-bench-gen-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const big = generateKnowledgeBase({ seedDir: SEEDS, outDir: join(root, 'big'), articles: 400 });
  const small = generateKnowledgeBase({ seedDir: SEEDS, outDir: join(root, 'small'), articles: 200 });
  const kb = loadKnowledgeBase(big.dir);
  const generated = kb.articles.filter((a) => a.id.startsWith('g'));

  it('has the requested size: the seeds plus whole EN/FR pairs, all valid articles', () => {
    expect(big).toMatchObject({ articles: 400, seeds: 88, generated: 312 });
    expect(kb.articles).toHaveLength(400);
    expect(kb.issues).toEqual([]);
    expect(lintKnowledgeBase(kb).filter((i) => i.severity === 'error')).toEqual([]);
    for (const fr of generated.filter((a) => a.lang === 'fr')) expect(kb.byId.get(fr.translationOf!)?.lang).toBe('en');
  });

  it('varies titles, questions and bodies instead of copying the seeds', () => {
    for (const lang of ['en', 'fr'] as const) {
      const titles = kb.articles.filter((a) => a.lang === lang).map((a) => a.title);
      expect(new Set(titles).size).toBe(titles.length);
    }
    const seedBodies = new Set(kb.articles.filter((a) => !a.id.startsWith('g')).map((a) => a.body));
    const bodies = generated.map((a) => a.body);
    expect(bodies.some((b) => seedBodies.has(b))).toBe(false);
    expect(new Set(bodies).size / bodies.length).toBeGreaterThan(0.9);
    // Each topic keeps several distinct phrasings of its questions.
    const byTopic = new Map<string, Set<string>>();
    for (const a of generated) for (const q of a.questions) byTopic.set(seedTopic(a.id), (byTopic.get(seedTopic(a.id)) ?? new Set()).add(q));
    expect(Math.min(...[...byTopic.values()].map((s) => s.size))).toBeGreaterThan(3);
    // Product, system, device and error-code contexts appear in titles.
    expect(generated.filter((a) => /\d/.test(a.title)).length).toBeGreaterThan(generated.length / 3);
  });

  it('is deterministic, and a smaller base is a prefix of a larger one', () => {
    const again = generateKnowledgeBase({ seedDir: SEEDS, outDir: join(root, 'again'), articles: 400 });
    const files = (dir: string) => readdirSync(join(dir, 'generated')).sort();
    expect(files(again.dir)).toEqual(files(big.dir));
    for (const f of files(small.dir)) {
      expect(readFileSync(join(small.dir, 'generated', f), 'utf8')).toBe(readFileSync(join(big.dir, 'generated', f), 'utf8'));
      expect(readFileSync(join(again.dir, 'generated', f), 'utf8')).toBe(readFileSync(join(big.dir, 'generated', f), 'utf8'));
    }
  });
});
