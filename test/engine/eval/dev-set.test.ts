import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readQueryFiles } from '../../../src/engine/eval/dev-set.js';

const tmp = mkdtempSync(join(tmpdir(), 'queries-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('readQueryFiles', () => {
  it('reads every .jsonl under a folder, keeps extra fields and names the source after the file', () => {
    mkdirSync(join(tmp, 'q', 'nested'), { recursive: true });
    writeFileSync(join(tmp, 'q', 'a.jsonl'), `${JSON.stringify({ id: 'a1', query: 'x', expected: [], source: 'forum', kind: 'long', label_by: 'team' })}\n`);
    writeFileSync(join(tmp, 'q', 'nested', 'b.jsonl'), `${JSON.stringify({ id: 'b1', query: 'y', expected: ['k'], split: 'report' })}\n`);
    writeFileSync(join(tmp, 'q', 'notes.txt'), 'not queries');
    const qs = readQueryFiles([join(tmp, 'q')]);
    expect(qs.map((q) => [q.id, q.source])).toEqual([
      ['a1', 'forum'],
      ['b1', 'b'],
    ]);
    expect(qs[0]).toMatchObject({ kind: 'long', label_by: 'team' });
  });

  it('refuses duplicate ids across files and empty folders', () => {
    writeFileSync(join(tmp, 'dup.jsonl'), `${JSON.stringify({ id: 'a1', query: 'z', expected: [] })}\n`);
    expect(() => readQueryFiles([join(tmp, 'q'), join(tmp, 'dup.jsonl')])).toThrow(/duplicate id "a1"/);
    mkdirSync(join(tmp, 'empty'));
    expect(() => readQueryFiles([join(tmp, 'empty')])).toThrow(/no \.jsonl files/);
  });
});
