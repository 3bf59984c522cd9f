#!/usr/bin/env node
import { Command } from 'commander';
import { commands } from './commands/index.js';

/** `helpdesk` command line: each sub-command lives in src/cli/commands/<name>.ts and registers itself here. */
const program = new Command()
  .name('helpdesk')
  .description('Level-0 IT support bot: index and query the knowledge base, evaluate, chat, benchmark.')
  .showHelpAfterError();

for (const register of commands) register(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
