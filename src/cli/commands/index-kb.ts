import type { Command } from 'commander';
import { openKnowledge, type KnowledgeCliOptions } from '../knowledge.js';

/** `helpdesk index`: embeds what changed, (re)builds the vector index, reports readiness. */
export function registerIndex(program: Command): void {
  program
    .command('index')
    .description('Index the knowledge base: embed new or changed texts (cached), build the vector index')
    .option('--kb <dir>', 'knowledge folder (default KB_DIR or ./knowledge)')
    .option('--data <dir>', 'data folder for the cache and index (default DATA_DIR or ./data)')
    .action(async (options: KnowledgeCliOptions) => {
      const started = Date.now();
      const runtime = await openKnowledge(options, { progressBar: true });
      try {
        const status = runtime.service.status();
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        console.log(
          `indexed ${status.articles} articles, ${status.chunks} chunks, ${status.vectors} vectors ` +
            `(${status.mode}${status.embedder ? `, ${status.embedder.provider} ${status.embedder.model}` : ''}); ` +
            `${status.lastLoad?.embedded ?? 0} texts embedded now, the rest from the cache; ${seconds}s`,
        );
        if (status.brokenFiles.length > 0) console.log(`skipped ${status.brokenFiles.length} broken file(s): run \`helpdesk lint\``);
      } finally {
        await runtime.close();
      }
    });
}
