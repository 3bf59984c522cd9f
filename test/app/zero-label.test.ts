import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureCalibration, readOutOfScopeBank, zeroLabelDir } from '../../src/app/zero-label.js';
import { HybridKnowledgeService } from '../../src/engine/retrieval/service.js';
import { writeStrippedKb } from '../helpers/stripped-kb.js';

const root = new URL('../../', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'zero-label-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the out-of-scope bank', () => {
  it('has at least 150 messages, in English and French, with unique ids', () => {
    const bank = readOutOfScopeBank();
    expect(new Set(bank.map((m) => m.id)).size).toBe(bank.length);
    expect(bank.filter((m) => m.lang === 'en').length).toBeGreaterThanOrEqual(75);
    expect(bank.filter((m) => m.lang === 'fr').length).toBeGreaterThanOrEqual(75);
    expect(bank.length).toBeGreaterThanOrEqual(150);
  });
});

describe('ensureCalibration', () => {
  it('gives a knowledge base without questions a zero-label calibration once, then reuses the cache', { timeout: 300_000 }, async () => {
    const kbDir = join(tmp, 'kb');
    writeStrippedKb(join(root, 'knowledge'), kbDir);
    const dataDir = join(tmp, 'data');
    const service = await HybridKnowledgeService.create({ kbDir });
    const logs: string[] = [];
    await ensureCalibration(service, { kbDir, dataDir, explicitModelDir: false, log: (m) => logs.push(m) });
    const status = service.status();
    expect(status.calibration).toMatchObject({ source: 'zero-label', knowledgeHash: status.knowledgeHash });
    expect(status.calibration?.note).toMatch(/zero-label calibration of this knowledge base \(\d+ pseudo-questions, \d+ must-escalate; answer threshold 0\.\d\d\)/);
    expect(status.warnings.join('\n')).not.toMatch(/no calibrated gate model/);
    const dir = zeroLabelDir(dataDir, status.knowledgeHash);
    expect(existsSync(join(dir, 'gate-lexical-only.json'))).toBe(true);
    expect(logs[0]).toMatch(/has no calibration of its own: zero-label calibration from its 88 articles/);

    // Calibrated on its own articles, it answers again (the committed models, fitted with `questions:`, never do here).
    const d = await service.decide('my second monitor is not detected');
    expect(d.candidates[0]?.articleId).toBe('external-monitor');

    const again = await HybridKnowledgeService.create({ kbDir });
    const logs2: string[] = [];
    await ensureCalibration(again, { kbDir, dataDir, explicitModelDir: false, log: (m) => logs2.push(m) });
    expect(again.status().calibration?.note).toMatch(/from the cache/);
    expect(logs2).toHaveLength(1);
  });

  it('keeps the committed models for the shipped knowledge base, for GATE_MODEL_DIR and for tiny bases', async () => {
    const dataDir = join(tmp, 'data2');
    const shipped = await HybridKnowledgeService.create({ kbDir: join(root, 'knowledge') });
    await ensureCalibration(shipped, { kbDir: join(root, 'knowledge'), dataDir, explicitModelDir: false });
    expect(shipped.status().calibration?.source).toBe('committed');
    // A copy of the shipped articles elsewhere (as the console tests make), edited: still written for this bot.
    const copy = join(tmp, 'copy');
    cpSync(join(root, 'knowledge'), copy, { recursive: true });
    writeFileSync(join(copy, 'articles', 'en', 'zz-new.md'), '---\nid: zz-new\ntitle: A new article\nlang: en\n---\n\nText.\n');
    const edited = await HybridKnowledgeService.create({ kbDir: copy });
    await ensureCalibration(edited, { kbDir: copy, dataDir, explicitModelDir: false });
    expect(edited.status().calibration).toMatchObject({ source: 'committed', note: expect.stringMatching(/88 of 89 articles have questions:/) });
    const tiny = join(root, 'test/fixtures/kb-basic');
    const small = await HybridKnowledgeService.create({ kbDir: tiny });
    await ensureCalibration(small, { kbDir: tiny, dataDir, explicitModelDir: false });
    // kb-basic's articles have questions: written for this bot.
    expect(small.status().calibration).toMatchObject({ source: 'committed', note: expect.stringMatching(/6 of 6 articles have questions:/) });
    const few = join(tmp, 'few');
    mkdirSync(few);
    for (const id of ['a', 'b', 'c']) writeFileSync(join(few, `${id}.md`), `---\nid: ${id}\ntitle: Article ${id}\n---\n\nText ${id}.\n`);
    const fewService = await HybridKnowledgeService.create({ kbDir: few });
    await ensureCalibration(fewService, { kbDir: few, dataDir, explicitModelDir: false });
    expect(fewService.status().calibration).toMatchObject({ source: 'committed', note: expect.stringMatching(/only 3 articles: too few/) });
    await ensureCalibration(small, { kbDir: tiny, dataDir, explicitModelDir: true });
    expect(small.status().calibration?.note).toBe('models from GATE_MODEL_DIR');
    expect(existsSync(join(dataDir, 'calibration'))).toBe(false);
  });
});
