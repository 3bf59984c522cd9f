import { describe, expect, it } from 'vitest';
import { LexicalIndex, termSimilarity, type LexicalDocument } from '../../../src/engine/retrieval/lexical.js';
import { analyzeQuery } from '../../../src/engine/retrieval/query.js';
import { CharNgramIndex } from '../../../src/engine/retrieval/char-ngrams.js';

const docs: LexicalDocument[] = [
  { id: 'pw', lang: 'en', title: 'Reset a forgotten password', questions: ['I forgot my password'], meta: 'accounts', body: 'Open the self-service portal.' },
  { id: 'pw-fr', lang: 'fr', title: 'Réinitialiser un mot de passe oublié', questions: ["j'ai oublié mon mot de passe"], meta: '', body: 'Ouvrez le portail.' },
  { id: 'vpn', lang: 'en', title: 'The VPN will not connect', questions: ['vpn error 809'], meta: 'network', body: 'Error 809 means the network blocks the VPN.' },
  { id: 'print', lang: 'en', title: 'Printer shows a paper jam', questions: ['printer paper jam'], meta: 'printing', body: 'Open the trays.' },
];
const index = new LexicalIndex(docs);
const search = (text: string, lang: 'en' | 'fr' = 'en') => {
  const q = analyzeQuery(text, lang, index);
  return [...index.search(q).values()].sort((a, b) => b.score - a.score).map((h) => h.articleId);
};

describe('query analysis', () => {
  it('expands abbreviations and cross-language equivalents from the glossary', () => {
    const q = analyzeQuery('mdp oublié', 'fr');
    const variants = [...q.tokens[0]!.variants.keys()];
    expect(variants).toEqual(expect.arrayContaining(['mdp', 'password', 'mot', 'pass']));
    expect(q.tokens[0]!.variants.get('password')).toBeLessThan(1);
  });

  it('corrects a misspelt word to the closest indexed one', () => {
    const q = analyzeQuery('pasword', 'en', index);
    expect([...q.tokens[0]!.variants.keys()]).toContain('password');
  });
});

describe('lexical index', () => {
  it('ranks by BM25 with title and questions boosted', () => {
    expect(search('forgot password')[0]).toBe('pw');
    expect(search('vpn 809')[0]).toBe('vpn');
  });

  it('matches error codes exactly', () => {
    expect(search('809')).toEqual(['vpn']);
    expect(search('0x80070005')).toEqual([]);
  });

  it('finds French phrasing without accents, and an English-only article from French', () => {
    expect(search('mot de passe oublie', 'fr')[0]).toBe('pw-fr');
    expect(search('bourrage papier imprimante', 'fr')[0]).toBe('print');
  });

  it('tolerates typos', () => {
    expect(search('printr papr jam')[0]).toBe('print');
  });

  it('reports which query words each article matched', () => {
    const q = analyzeQuery('vpn 809 printer', 'en', index);
    const hits = index.search(q);
    expect([...hits.get('vpn')!.matchedTokens].sort()).toEqual([0, 1]);
    expect([...hits.get('print')!.matchedTokens]).toEqual([2]);
  });

  it('keeps the best hits without sorting them all: ties in first-match order, skipped articles left out', () => {
    const same = (id: string) => ({ id, lang: 'en' as const, title: 'Printer paper jam', questions: [], meta: '', body: '' });
    const ties = new LexicalIndex([same('c'), same('a'), { ...same('b'), title: 'Printer paper jam in tray two' }, same('d')]);
    const hits = ties.search(analyzeQuery('printer jam', 'en', ties));
    const all = [...hits.values()];
    expect(all.map((h) => h.articleId)).toEqual(['c', 'a', 'd', 'b']);
    expect(hits.top(2)).toEqual(['c', 'a']);
    expect(hits.top(2, (id) => id === 'a')).toEqual(['c', 'd']);
    expect(hits.best).toBe(all[0]!.score);
    expect(hits.get('nowhere')).toBeUndefined();
    expect(index.search(analyzeQuery('printer', 'en', index)).get('vpn')).toBeUndefined();
  });

  it('scores agreement with the closest example question', () => {
    const q = analyzeQuery('I forgot my password', 'en', index);
    expect(index.questionMatch(q, 'pw')).toBeCloseTo(1, 5);
    expect(index.questionMatch(q, 'vpn')).toBe(0);
  });

  it('compares terms with prefix and one-edit tolerance, never for codes', () => {
    expect(termSimilarity('sync', 'synchronis')).toBe(0.8);
    expect(termSimilarity('printr', 'printer')).toBe(0.7);
    expect(termSimilarity('809', '8090')).toBe(0);
    expect(termSimilarity('mail', 'vpn')).toBe(0);
  });
});

describe('character trigrams', () => {
  it('scores misspelt and accent-less phrasings close to the original', () => {
    const chars = new CharNgramIndex(new Map([['pw-fr', ["j'ai oublié mon mot de passe"]], ['vpn', ['vpn error 809']]]));
    const q = chars.prepare("j'ai oublie mon mot de pase");
    expect(chars.best(q, 'pw-fr')).toBeGreaterThan(0.7);
    expect(chars.best(q, 'vpn')).toBeLessThan(0.1);
  });
});
