import { describe, expect, it } from 'vitest';
import { parseArticle } from '../../../src/engine/knowledge/parse.js';
import { pseudoQuestions } from '../../../src/engine/knowledge/pseudo-questions.js';
import type { Article } from '../../../src/engine/knowledge/types.js';
import { LexicalIndex } from '../../../src/engine/retrieval/lexical.js';
import { analyzeQuery } from '../../../src/engine/retrieval/query.js';
import { SectionIndex, sectionsOf } from '../../../src/engine/retrieval/sections.js';
import { maskedSections } from '../../../src/engine/retrieval/zero-label.js';

function article(id: string, title: string, body: string): Article {
  // A small chunk budget, so each heading section is a chunk of its own (short ones are merged otherwise).
  const parsed = parseArticle(`---\nid: ${id}\ntitle: ${title}\n---\n${body}`, `${id}.md`, { maxChunkTokens: 40 });
  if (!parsed.article) throw new Error(JSON.stringify(parsed.issues));
  return parsed.article;
}

// A long reference page that mentions every word somewhere, and a short page about one problem.
const reference = article(
  'reference',
  'Configuration reference',
  [
    '## Listen address', 'The address the GUI listens on. Change the port when another program uses it.',
    '## Folder options', 'Each folder has an ignore list, a rescan interval and a versioning setting.',
    '## Device options', 'A device is remembered after it connects; the introducer setting shares folders.',
    '## Limits', 'Bandwidth limits in KiB/s for the sync traffic, and a conflict copy count.',
  ].join('\n\n'),
);
const conflicts = article('conflicts', 'Sync conflicts', '## Why conflicts happen\n\nWhen a file changes on two devices before they sync, one copy is kept as a conflict file.');
const articles = [reference, conflicts];
const lexical = new LexicalIndex(articles.map((a) => ({ id: a.id, lang: a.lang, title: a.title, questions: [], meta: '', body: a.body })));
const sections = new SectionIndex(articles.flatMap(sectionsOf));

describe('section index (the passage feature)', () => {
  it("scores an article by its best section, so a page that has every word somewhere does not win", () => {
    const query = analyzeQuery('a file changed on two devices, now a conflict copy: is it the folder versioning, a device setting, the listen port or bandwidth limits?', 'en', lexical);
    // Whole pages: the reference page, with more of the words, wins.
    const pages = lexical.search(query);
    expect(pages.get('reference')!.score).toBeGreaterThan(pages.get('conflicts')!.score);
    const scores = sections.search(query, ['conflicts', 'reference', 'unknown']);
    expect(scores.of('conflicts')).toBe(scores.best);
    expect(scores.of('reference')).toBeGreaterThan(0);
    expect(scores.of('reference')).toBeLessThan(scores.best);
    expect(scores.of('unknown')).toBe(0);
  });
});

describe('scoring only some documents', () => {
  it('gives the documents asked for the scores a full search gives them when no term has a prefix or typo neighbour', () => {
    for (const text of ['copy kept as a conflict file', 'conflict file on two devices', 'bandwidth limits']) {
      const query = analyzeQuery(text, 'en', lexical);
      const full = lexical.search(query);
      const some = lexical.scoreSome(query, ['conflicts', 'reference', 'missing-id']);
      for (const id of ['conflicts', 'reference']) expect(some.get(id) ?? 0).toBeCloseTo(full.get(id)?.score ?? 0, 10);
      expect(some.has('missing-id')).toBe(false);
    }
    // Asked for one document, it scores that one only.
    expect([...lexical.scoreSome(analyzeQuery('conflict file', 'en', lexical), ['conflicts']).keys()]).toEqual(['conflicts']);
  });
});

describe('zero-label masking of sections', () => {
  it("takes a line's whole section out while its pseudo-question is asked, and the title out of every section", () => {
    expect(sectionsOf(reference)).toHaveLength(4);
    const qs = pseudoQuestions(reference, 8);
    const heading = qs.find((q) => q.origin === 'heading')!;
    expect(heading).toBeDefined();
    const kept = maskedSections(reference, heading);
    expect(kept.length).toBe(sectionsOf(reference).length - 1);
    expect(kept.some((s) => `${s.heading} ${s.text}`.includes(heading.text))).toBe(false);

    const title = qs.find((q) => q.origin === 'title')!;
    const untitled = maskedSections(reference, title);
    expect(untitled).toHaveLength(sectionsOf(reference).length);
    for (const s of untitled) expect(`${s.title} ${s.text}`).not.toContain('Configuration reference');

    expect(maskedSections(reference, undefined)).toEqual(sectionsOf(reference));
  });
});
