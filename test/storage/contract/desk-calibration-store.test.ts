import { expect, it } from 'vitest';
import { connectEach, describeStoreContract } from './backends.js';

const HASH = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);

describeStoreContract('desk calibrations', (backend) => {
  let tick = 0;
  const now = () => new Date(Date.UTC(2026, 11, 7, 10, 0, tick++));
  const { env, a, b } = connectEach(backend, 'deskCalibrations', { now });

  it('keeps a refit per knowledge version and provider; another connection reads it; a later save replaces it', async () => {
    expect(await b.get(HASH, 'use')).toBeUndefined();
    const first = await a.save({ knowledgeHash: HASH, provider: 'use', files: { 'gate-hybrid.json': '{"v":1}', 'scored-hybrid.json': '[]' } });
    await a.save({ knowledgeHash: HASH, provider: 'none', files: { 'gate-lexical-only.json': '{"v":"lex"}' } });
    await a.save({ knowledgeHash: OTHER, provider: 'use', files: { 'gate-hybrid.json': '{"v":"other"}' } });
    expect(await b.get(HASH, 'use')).toEqual(first);
    expect(first.files).toEqual({ 'gate-hybrid.json': '{"v":1}', 'scored-hybrid.json': '[]' });
    expect((await b.get(HASH, 'none'))?.files).toEqual({ 'gate-lexical-only.json': '{"v":"lex"}' });

    // The operating point chosen later on another replica replaces the files, with a later time.
    const moved = await b.save({ knowledgeHash: HASH, provider: 'use', files: { 'gate-hybrid.json': '{"v":2}' } });
    expect(await a.get(HASH, 'use')).toEqual(moved);
    expect(Date.parse(moved.savedAt)).toBeGreaterThan(Date.parse(first.savedAt));
    expect(await env.count('SELECT COUNT(*) AS n FROM desk_calibrations')).toBe(3);
  });

  it('two connections saving at once leave one row', async () => {
    await Promise.all([a, b, a, b].map((s, i) => s.save({ knowledgeHash: HASH, provider: 'use', files: { 'gate-hybrid.json': `{"v":${i}}` } })));
    expect(await env.count('SELECT COUNT(*) AS n FROM desk_calibrations')).toBe(1);
    expect((await a.get(HASH, 'use'))?.files['gate-hybrid.json']).toMatch(/^\{"v":[0-3]\}$/);
  });

  it('refuses a bad file name, no files, or a bad hash, and stores nothing', async () => {
    const bad: { knowledgeHash: string; provider: string; files: Record<string, string> }[] = [
      { knowledgeHash: HASH, provider: 'use', files: { '../../etc/passwd.json': '{}' } },
      { knowledgeHash: HASH, provider: 'use', files: { 'gate-hybrid.js': '{}' } },
      { knowledgeHash: HASH, provider: 'use', files: {} },
      { knowledgeHash: 'not-a-hash', provider: 'use', files: { 'gate-hybrid.json': '{}' } },
      { knowledgeHash: HASH, provider: '', files: { 'gate-hybrid.json': '{}' } },
    ];
    for (const input of bad) await expect(a.save(input)).rejects.toThrow();
    expect(await env.count('SELECT COUNT(*) AS n FROM desk_calibrations')).toBe(0);
  });
});
