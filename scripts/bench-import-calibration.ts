import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createKnowledgeRuntime } from '../src/app/knowledge.js';
import { loadConfig } from '../src/config/index.js';
import { readYamlFrontMatter } from '../src/engine/knowledge/front-matter.js';
import { createSource } from '../src/knowledge-sources/registry.js';
import { syncSource } from '../src/knowledge-sources/sync.js';

// `npx tsx scripts/bench-import-calibration.ts [pages]`: imports `pages` (default 24) help pages without
// `questions:` next to the shipped articles (lexical-only), then measures the background zero-label
// calibration that follows: how long it takes, the longest event-loop stall, and how many questions
// (one asked every 50 ms) were answered meanwhile. Prints numbers; asserts nothing.

const pages = Number(process.argv[2] ?? 24);
const tmp = mkdtempSync(join(tmpdir(), 'bench-import-calibration-'));
try {
  const kbDir = join(tmp, 'knowledge');
  cpSync('knowledge', kbDir, { recursive: true });
  const docs = join(tmp, 'docs');
  mkdirSync(docs);
  const en = join('knowledge', 'articles', 'en');
  for (const f of readdirSync(en).sort().slice(0, pages)) {
    const { data, content } = readYamlFrontMatter(readFileSync(join(en, f), 'utf8'));
    const body = content.split('\n\n').map((p) => `<p>${p.replace(/[<>&]/g, ' ')}</p>`).join('');
    writeFileSync(join(docs, f.replace(/\.md$/, '.html')), `<h1>${String(data.title)} (intranet copy)</h1>${body}`);
  }
  const config = loadConfig({ KB_DIR: kbDir, DATA_DIR: join(tmp, 'data'), EMBEDDINGS_PROVIDER: 'none', LOG_LEVEL: 'silent' });
  const runtime = await createKnowledgeRuntime(config);
  await syncSource(createSource('folder', { path: docs }), { out: join(kbDir, 'articles', 'imported', 'folder') });

  const stalls = monitorEventLoopDelay({ resolution: 10 });
  stalls.enable();
  const started = Date.now();
  let answered = 0;
  const asking = setInterval(() => void runtime.service.decide('my account is locked').then(() => answered++), 50);
  await runtime.reloadAndRecalibrate();
  const outcome = await runtime.calibration?.idle();
  clearInterval(asking);
  stalls.disable();
  const status = runtime.service.status();
  console.log(
    JSON.stringify({
      articles: status.articles,
      outcome,
      calibration: status.calibration?.source,
      seconds: (Date.now() - started) / 1000,
      maxEventLoopStallMs: Math.round(stalls.max / 1e6),
      p99EventLoopStallMs: Math.round(stalls.percentile(99) / 1e6),
      answeredMeanwhile: answered,
    }),
  );
  await runtime.close();
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
