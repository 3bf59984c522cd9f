import { describe, expect, it } from 'vitest';
import { chunkArticle, estimateTokens } from '../../../src/engine/knowledge/chunker.js';
import { splitSections } from '../../../src/engine/knowledge/markdown.js';

describe('chunkArticle', () => {
  it('cuts at headings, packing short sections under the budget, each chunk starting with the title', () => {
    const sections = splitSections('Intro text about resets.\n\n## Symptoms\n- "Wrong password" at sign-in\n\n## Resolution\n1. Open **the portal**.\n');
    const packed = chunkArticle('a', 'Reset a password', sections);
    expect(packed).toEqual([
      {
        id: 'a#0',
        articleId: 'a',
        heading: 'Symptoms / Resolution',
        text: 'Reset a password\nIntro text about resets.\nSymptoms\n"Wrong password" at sign-in\nResolution\nOpen the portal.',
      },
    ]);
    const small = chunkArticle('a', 'Reset a password', sections, 20);
    expect(small.map((c) => c.text)).toEqual([
      'Reset a password\nIntro text about resets.\nSymptoms\n"Wrong password" at sign-in',
      'Reset a password\nResolution\nOpen the portal.',
    ]);
  });

  it('splits long sections at paragraph then sentence boundaries under the token budget', () => {
    const sentence = 'Restart the computer and sign in again with your work account. ';
    const body = `## Resolution\n\n${sentence.repeat(12)}\n\n${sentence.repeat(12)}\n\n${sentence.repeat(40)}`;
    const chunks = chunkArticle('a', 'T', splitSections(body), 64);
    expect(chunks.length).toBeGreaterThan(4);
    for (const c of chunks) expect(estimateTokens(c.text)).toBeLessThanOrEqual(64);
    expect(chunks.every((c) => c.text.startsWith('T\nResolution\n'))).toBe(true);
    const words = chunks.flatMap((c) => c.text.split('\n').slice(2).join(' ').split(/\s+/)).filter(Boolean);
    expect(words).toHaveLength(64 * 11);
    expect(new Set(words)).toEqual(new Set(sentence.trim().split(' ')));
  });

  it('gives an article with no body one chunk: its title', () => {
    expect(chunkArticle('a', 'Only a title', []).map((c) => c.text)).toEqual(['Only a title']);
  });
});
