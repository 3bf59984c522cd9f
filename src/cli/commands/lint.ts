import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { flowIds, lintFlows } from '../../engine/flows/load.js';
import { lintKnowledgeBase } from '../../engine/knowledge/lint.js';
import { loadKnowledgeBase } from '../../engine/knowledge/loader.js';
import { formatLintIssue, type LintIssue } from '../../engine/lint-issue.js';
import { knowledgeConfig } from '../knowledge.js';

/** `helpdesk lint`: every problem in the articles and flows, with file and line; exit 1 on errors. */
export function lintKnowledgeFolder(kbDir: string): LintIssue[] {
  const hasFlows = existsSync(join(kbDir, 'flows'));
  const kb = loadKnowledgeBase(kbDir);
  // Without a flows/ folder (e.g. third-party articles) there is nothing to check `flow:` against.
  const articleIssues = lintKnowledgeBase(kb, { flowIds: hasFlows ? new Set(flowIds(kbDir)) : undefined });
  return [...articleIssues, ...(hasFlows ? lintFlows(kbDir) : [])];
}

export function registerLint(program: Command): void {
  program
    .command('lint')
    .description('Check articles and flows: invalid YAML, missing id/title, duplicate ids, bad dates, unknown translations or flows')
    .option('--kb <dir>', 'knowledge folder (default KB_DIR or ./knowledge)')
    .option('--json', 'print the issues as JSON')
    .action((options: { kb?: string; json?: boolean }) => {
      const { kbDir } = knowledgeConfig(options);
      const issues = lintKnowledgeFolder(kbDir);
      const errors = issues.filter((i) => i.severity === 'error').length;
      if (options.json) console.log(JSON.stringify({ errors, warnings: issues.length - errors, issues }, null, 2));
      else {
        for (const issue of issues) console.log(formatLintIssue(issue));
        console.log(`${errors} error(s), ${issues.length - errors} warning(s)`);
      }
      if (errors > 0) process.exitCode = 1;
    });
}
