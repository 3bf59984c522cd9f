import type { EmbeddingCache } from '../engine/ports/embedding-cache.js';
import { SingleBar, Presets } from 'cli-progress';
import { createKnowledgeRuntime, type KnowledgeRuntime } from '../app/knowledge.js';
import { loadConfig, loadDotEnv } from '../config/index.js';
import type { RetrievalConfig } from '../config/sections/retrieval.js';

/** Shared by the knowledge commands: configuration with --kb/--data overrides, and the runtime. */

export interface KnowledgeCliOptions {
  kb?: string;
  data?: string;
}

export function knowledgeConfig(options: KnowledgeCliOptions): { kbDir: string; dataDir: string; retrieval: RetrievalConfig } {
  loadDotEnv();
  const config = loadConfig();
  return {
    kbDir: options.kb ?? config.core.kbDir,
    dataDir: options.data ?? config.core.dataDir,
    retrieval: config.retrieval,
  };
}

/** Warnings and progress go to stderr so `--json` output on stdout stays machine-readable. */
export const stderrLog = {
  info: (m: string) => process.stderr.write(`${m}\n`),
  warn: (m: string) => process.stderr.write(`warning: ${m}\n`),
};

export async function openKnowledge(
  options: KnowledgeCliOptions,
  extra: { progressBar?: boolean; retrieval?: Partial<RetrievalConfig>; autoCalibrate?: boolean; embeddingCache?: () => EmbeddingCache } = {},
): Promise<KnowledgeRuntime> {
  const { kbDir, dataDir, retrieval } = knowledgeConfig(options);
  let bar: SingleBar | undefined;
  const runtime = await createKnowledgeRuntime(
    { core: { kbDir, dataDir }, retrieval: { ...retrieval, ...extra.retrieval } },
    {
      log: stderrLog,
      autoCalibrate: extra.autoCalibrate,
      ...(extra.embeddingCache ? { embeddingCache: extra.embeddingCache } : {}),
      onProgress: extra.progressBar
        ? (p) => {
            if (!bar && p.total > p.done) {
              bar = new SingleBar({ format: 'embedding {bar} {value}/{total} texts | {eta_formatted} left', etaBuffer: 200 }, Presets.shades_classic);
              bar.start(p.total, p.done);
            }
            bar?.update(p.done);
            if (bar && p.done >= p.total) {
              bar.stop();
              bar = undefined;
            }
          }
        : undefined,
    },
  );
  return runtime;
}
