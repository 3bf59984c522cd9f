import { resolve } from 'node:path';
import type { Command } from 'commander';
import { syncOutDir } from '../../app/knowledge-sync.js';
import { loadConfig, loadDotEnv } from '../../config/index.js';
import { createSource, KNOWLEDGE_SOURCES, sourceNames } from '../../knowledge-sources/registry.js';
import { syncSource, type SyncReport } from '../../knowledge-sources/sync.js';

/**
 * `helpdesk import <source> [path] --out <folder>`: one sync of a knowledge source into a folder
 * of Markdown articles. Credentials come from the KNOWLEDGE_SYNC_* settings (environment or
 * .env), never from the command line, so they stay out of shell history and of the folder.
 * Running it again imports only what changed; the report lists every item and why.
 */

export function formatReport(r: SyncReport): string {
  const lines = [`${r.source} → ${r.out}`];
  if (!r.ok) {
    lines.push(`FAILED: ${r.error ?? 'unknown error'}`, 'nothing was changed: the articles already imported stay as they were');
    return lines.join('\n');
  }
  lines.push(
    `created ${r.created.length}, updated ${r.updated.length}, retired ${r.retired.length}, unchanged ${r.unchanged}, skipped ${r.skipped.length}, failed ${r.failed.length}`,
  );
  for (const id of r.created) lines.push(`  + ${id}`);
  for (const id of r.updated) lines.push(`  ~ ${id}`);
  for (const x of r.retired) lines.push(`  - ${x.id} (${x.reason})`);
  for (const x of r.skipped) lines.push(`  skipped ${x.sourceId}: ${x.reason}`);
  for (const x of r.failed) lines.push(`  FAILED ${x.sourceId}: ${x.reason}`);
  return lines.join('\n');
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description(`Import knowledge into Markdown articles from ${sourceNames().join(', ')} (incremental; credentials from KNOWLEDGE_SYNC_* settings)`)
    .argument('<source>', KNOWLEDGE_SOURCES.map((d) => `${d.name}: ${d.description}`).join('; '))
    .argument('[path]', 'for `folder`: the folder of documents to import')
    .option('--out <dir>', 'output folder (default KNOWLEDGE_SYNC_DIR/<source> or <knowledge>/articles/imported/<source>)')
    .option('--kb <dir>', 'knowledge folder (default KB_DIR or ./knowledge)')
    .option('--json', 'print the report as JSON')
    .action(async (name: string, path: string | undefined, options: { out?: string; kb?: string; json?: boolean }) => {
      loadDotEnv();
      const config = loadConfig();
      const sourceOptions = { ...config.knowledgeSync.options[name], ...(path ? { path: resolve(path) } : {}) };
      const source = createSource(name, sourceOptions);
      const out = options.out ? resolve(options.out) : syncOutDir(config.knowledgeSync, options.kb ?? config.core.kbDir, name);
      const report = await syncSource(source, { out, log: (m) => process.stderr.write(`${m}\n`) });
      console.log(options.json ? JSON.stringify(report, null, 2) : formatReport(report));
      if (report.ok && report.created.length + report.updated.length + report.retired.length > 0 && !options.json) {
        console.log('run `helpdesk index` to embed only what changed (the server does this itself after its scheduled syncs)');
        console.log(
          'run `helpdesk calibrate` to fit the gate to the new knowledge now (zero-label, cached under DATA_DIR/calibration); ' +
            'otherwise the server does it in the background after its next sync or start, when imported articles without questions: are more than 10% of the knowledge',
        );
      }
      if (!report.ok || report.failed.length > 0) process.exitCode = 1;
    });
}
