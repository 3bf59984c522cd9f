import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKnowledgeRuntime, type KnowledgeRuntime } from '../../src/app/knowledge.js';
import { zeroLabelDir } from '../../src/app/zero-label.js';
import { loadConfig } from '../../src/config/index.js';
import { readYamlFrontMatter } from '../../src/engine/knowledge/front-matter.js';
import { createSource } from '../../src/knowledge-sources/registry.js';
import { syncSource } from '../../src/knowledge-sources/sync.js';
import { REPO_KNOWLEDGE, startTestApp, type TestApp } from '../server/start.js';

/**
 * The gate follows imported knowledge (issue 17 with issue 1's zero-label calibration). The shipped
 * articles are served with the committed calibration; a folder of someone else's help pages (no
 * `questions:`) is imported into the same knowledge base: the gate is re-fitted on the new
 * knowledge in the background while the committed one keeps serving, then swapped, reported in
 * /readyz and cached by knowledge hash under DATA_DIR; once the import is gone the committed
 * models come back.
 */

const tmp = mkdtempSync(join(tmpdir(), 'byok-calibration-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** 24 help pages as an import finds them: a title and a body, no questions, summary or tags. */
function writeHelpPages(dir: string): number {
  mkdirSync(dir, { recursive: true });
  const en = join(REPO_KNOWLEDGE, 'articles', 'en');
  const files = readdirSync(en).filter((f) => f.endsWith('.md')).sort().slice(0, 24);
  for (const f of files) {
    const { data, content } = readYamlFrontMatter(readFileSync(join(en, f), 'utf8'));
    writeFileSync(join(dir, f.replace(/\.md$/, '.html')), `<html><body><h1>${String(data.title)} (intranet copy)</h1>\n${content.split('\n\n').map((p) => `<p>${p.replace(/[<>&]/g, ' ')}</p>`).join('\n')}</body></html>`);
  }
  return files.length;
}

function knowledgeCopy(name: string): string {
  const kbDir = join(tmp, name);
  cpSync(REPO_KNOWLEDGE, kbDir, { recursive: true });
  return kbDir;
}

describe('the gate after an import', () => {
  let runtime: KnowledgeRuntime;
  let kbDir: string;
  let dataDir: string;
  let docs: string;
  const logs: string[] = [];

  beforeAll(async () => {
    kbDir = knowledgeCopy('kb');
    dataDir = join(tmp, 'data');
    docs = join(tmp, 'docs');
    writeHelpPages(docs);
    const config = loadConfig({ KB_DIR: kbDir, DATA_DIR: dataDir, EMBEDDINGS_PROVIDER: 'none', LOG_LEVEL: 'silent' });
    runtime = await createKnowledgeRuntime(config, { log: { info: (m) => logs.push(m), warn: (m) => logs.push(m) } });
  });
  afterAll(() => runtime?.close());

  const importDocs = () => syncSource(createSource('folder', { path: docs }), { out: join(kbDir, 'articles', 'imported', 'folder') });

  it('re-fits the gate in the background after an import, serving with the committed one meanwhile, then swaps', { timeout: 300_000 }, async () => {
    expect(runtime.service.status().calibration?.source).toBe('committed');
    const report = await importDocs();
    expect(report.created).toHaveLength(24);

    await runtime.reloadAndRecalibrate();
    const during = runtime.service.status();
    expect(during.articles).toBe(88 + 24);
    // Still the committed gate, and the pending calibration is reported.
    expect(during.calibration).toMatchObject({ source: 'committed', pending: expect.stringMatching(new RegExp(`zero-label calibration of knowledge ${during.knowledgeHash.slice(0, 16)}`)) });
    const meanwhile = await runtime.service.decide('my account is locked');
    expect(meanwhile.candidates[0]?.articleId).toBe('account-locked');

    expect(await runtime.calibration!.idle()).toBe('fitted');
    const after = runtime.service.status();
    expect(after.calibration).toMatchObject({ source: 'zero-label', knowledgeHash: after.knowledgeHash });
    expect(after.calibration?.pending).toBeUndefined();
    expect(existsSync(join(zeroLabelDir(dataDir, after.knowledgeHash), 'gate-lexical-only.json'))).toBe(true);
    expect(logs.some((l) => /24 of its 112 articles have no questions: \(imported\): zero-label calibration/.test(l))).toBe(true);
  });

  it('a second sync with no change fits nothing again (cached by knowledge hash)', async () => {
    const report = await importDocs();
    expect(report.created.length + report.updated.length + report.retired.length).toBe(0);
    await runtime.reloadAndRecalibrate();
    expect(await runtime.calibration!.idle()).toBe('cached');
    expect(runtime.service.status().calibration?.source).toBe('zero-label');
  });

  it('the committed models come back when the imported articles are retired', async () => {
    rmSync(docs, { recursive: true });
    mkdirSync(docs);
    writeFileSync(join(docs, 'keep.md'), '# One page kept\n\nSo the source is not empty.\n');
    const report = await importDocs();
    expect(report.retired).toHaveLength(24);
    await runtime.reloadAndRecalibrate();
    expect(await runtime.calibration!.idle()).toBe('committed');
    expect(runtime.service.status().calibration).toMatchObject({ source: 'committed', note: expect.stringMatching(/88 of 89 articles have questions:/) });
  });
});

describe('the server after a scheduled sync', () => {
  let server: TestApp;

  beforeAll(async () => {
    const kbDir = knowledgeCopy('kb-server');
    const docs = join(tmp, 'docs-server');
    writeHelpPages(docs);
    server = await startTestApp({ KB_DIR: kbDir, KNOWLEDGE_SYNC_SOURCES: 'folder', KNOWLEDGE_SYNC_FOLDER_PATH: docs });
  });
  afterAll(() => server?.stop());

  it('reports the re-fitted gate in /readyz once ready', { timeout: 300_000 }, async () => {
    const calibration = async () => ((await (await fetch(`${server.url}/readyz`)).json()) as { retrieval: { calibration?: { source: string; pending?: string; knowledgeHash?: string } } }).retrieval.calibration;
    await expect.poll(async () => (await calibration())?.source, { timeout: 280_000, interval: 500 }).toBe('zero-label');
    const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { checks: { knowledge: { articles: number; knowledgeHash: string } } };
    expect(ready.checks.knowledge.articles).toBe(88 + 24);
    expect(await calibration()).toMatchObject({ knowledgeHash: ready.checks.knowledge.knowledgeHash });
    expect((await calibration())?.pending).toBeUndefined();
  });
});
