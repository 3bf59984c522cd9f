import type { Command } from 'commander';

/** Registry of sub-commands: add one import and one entry per command file. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [];
