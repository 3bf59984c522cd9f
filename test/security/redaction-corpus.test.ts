import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { redact } from '../../src/engine/redact.js';

/**
 * Issue 15, High 3: redaction measured on a labelled EN/FR corpus (eval/redaction/corpus.jsonl,
 * written by scripts/gen-redaction-corpus.ts) and on the dev set's ordinary questions.
 * Recall: share of the corpus's secrets of which nothing survives. False positives: share of
 * ordinary messages in which anything is redacted.
 */

interface Entry { id: string; lang: 'en' | 'fr'; kind: string; text: string; secrets: string[] }
const lines = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8').split('\n').filter(Boolean);
const corpus: Entry[] = lines('../../eval/redaction/corpus.jsonl').map((l) => JSON.parse(l) as Entry);
const dev: string[] = lines('../../eval/dev.jsonl').map((l) => (JSON.parse(l) as { query: string }).query);

function measure(): { secrets: number; missed: Array<{ id: string; text: string; out: string }>; recall: number; negatives: number; fp: string[]; devFp: string[]; devRate: number } {
  const missed: Array<{ id: string; text: string; out: string }> = [];
  let secrets = 0;
  const fp: string[] = [];
  for (const entry of corpus) {
    const out = redact(entry.text).text;
    if (!entry.secrets.length) {
      if (out !== entry.text) fp.push(`${entry.text} → ${out}`);
      continue;
    }
    for (const secret of entry.secrets) {
      secrets++;
      if (out.includes(secret)) missed.push({ id: entry.id, text: entry.text, out });
    }
  }
  const devFp = dev.filter((q) => redact(q).text !== q).map((q) => `${q} → ${redact(q).text}`);
  return {
    secrets,
    missed,
    recall: 1 - missed.length / secrets,
    negatives: corpus.filter((e) => !e.secrets.length).length,
    fp,
    devFp,
    devRate: devFp.length / dev.length,
  };
}

describe('redaction corpus', () => {
  const m = measure();

  it('is large enough and bilingual', () => {
    expect(corpus.filter((e) => e.secrets.length).length).toBeGreaterThanOrEqual(300);
    expect(corpus.filter((e) => e.lang === 'fr').length).toBeGreaterThanOrEqual(100);
    const kinds = new Set(corpus.map((e) => e.kind.split(':')[0]));
    for (const k of ['password', 'card_number', 'iban', 'national_id', 'key', 'api_key', 'jwt', 'private_key', 'connection_string']) expect(kinds).toContain(k);
  });

  it('recall ≥ 0.98 on the secrets', () => {
    console.log(`redaction recall ${m.recall.toFixed(4)} (${m.secrets - m.missed.length}/${m.secrets}); corpus negatives flagged ${m.fp.length}/${m.negatives}; dev false positives ${m.devFp.length}/${dev.length} (${(m.devRate * 100).toFixed(2)} %)`);
    expect(m.missed.slice(0, 20)).toEqual(m.recall >= 0.98 ? m.missed.slice(0, 20) : []);
    expect(m.recall).toBeGreaterThanOrEqual(0.98);
  });

  it('false positives ≤ 1 % on the dev set ordinary questions, and none on the corpus negatives', () => {
    expect(m.devRate).toBeLessThanOrEqual(0.01);
    expect(m.fp).toEqual([]);
  });

  it('the phrasings of the issue are all redacted', () => {
    const cases: Array<[string, string]> = [
      ['Password is Soleil2024!x', 'Soleil2024!x'],
      ['my login is jdupont and password is Lune2025#q', 'Lune2025#q'],
      ['voici mon mdp Mars2026$z', 'Mars2026$z'],
      ['my new password Venus2027%k doesnt work', 'Venus2027%k'],
      ['4111.1111.1111.1111', '4111'],
      ['fr76 3000 6000 0112 3456 7890 189', '3000 6000'],
      ['GB82-WEST-1234-5698-7654-32', 'WEST'],
      ['1 85 05 78 006 084 36', '006 084'],
      ['sk-proj-Xw3kT9bLm2Qp7Rz4Ns8Vd1Fh6Jc5Gy0A', 'Xw3kT9bLm2Qp7Rz4'],
      ['api key is 9f8e7d6c5b4a39281706f5e4d3c2b1a0', '9f8e7d6c5b4a'],
      ['temp password is Winter2024!xy', 'Winter2024!xy'],
    ];
    for (const [input, secret] of cases) expect(redact(input).text, input).not.toContain(secret);
  });
});
