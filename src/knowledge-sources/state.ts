import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * The sync state of one output folder: the source's incremental cursor and, per imported
 * article, its file and the hash of what was written. Kept next to the articles as a dot-file
 * (the loader skips dot-files), so the folder and its state travel together in git.
 */

export const STATE_FILE = '.helpdesk-sync.json';

const entrySchema = z.object({
  id: z.string(),
  file: z.string(),
  hash: z.string(),
  url: z.string().optional(),
  /** ISO time this article's file was last written by a sync. */
  syncedAt: z.string(),
});

const stateSchema = z.object({
  version: z.literal(1),
  system: z.string(),
  cursor: z.string().optional(),
  articles: z.record(entrySchema),
  lastRun: z
    .object({
      at: z.string(),
      ok: z.boolean(),
      created: z.number(),
      updated: z.number(),
      retired: z.number(),
      skipped: z.number(),
      failed: z.number(),
      error: z.string().optional(),
    })
    .optional(),
});

export type SyncState = z.infer<typeof stateSchema>;
export type SyncStateEntry = z.infer<typeof entrySchema>;

export function emptyState(system: string): SyncState {
  return { version: 1, system, articles: {} };
}

/** The folder's state; a missing or unreadable one starts afresh (files are then compared by content). */
export function readState(out: string, system: string): SyncState {
  const path = join(out, STATE_FILE);
  if (!existsSync(path)) return emptyState(system);
  try {
    const parsed = stateSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (parsed.success && parsed.data.system === system) return parsed.data;
  } catch {
    // fall through: a damaged state file is replaced at the end of the run
  }
  return emptyState(system);
}

/** Any state in the folder, whatever its system (the console lists them). */
export function peekState(out: string): SyncState | undefined {
  const path = join(out, STATE_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const parsed = stateSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function writeState(out: string, state: SyncState): void {
  writeAtomic(join(out, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
}

/** Write-then-rename: a reader (the knowledge reload) never sees half a file. */
export function writeAtomic(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}
