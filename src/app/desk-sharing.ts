import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeskCalibrationStore } from '../engine/ports/desk-calibrations.js';

/**
 * A desk refit is saved in the replica's own DATA_DIR (where the start and the operating point read
 * it) and in the shared store (src/engine/ports/desk-calibrations.ts), from which every other
 * replica copies it into its own DATA_DIR.
 */

/** What a refit leaves in its folder: the models and the predictions the operating point moves on. */
const DESK_FILE = /^(gate|scored)-[a-z0-9.-]+\.json$/;

/** The provider a refit is kept under in the shared store (lexical-only bots have none). */
const deskProvider = (provider: string | undefined) => provider ?? 'none';

/**
 * Puts the refit saved in `dir` into the shared store, so every replica (each with its own
 * DATA_DIR) serves it: the next knowledge reload or start on each of them reads it back.
 */
export async function shareDeskCalibration(store: DeskCalibrationStore, dir: string, knowledgeHash: string, provider: string | undefined): Promise<void> {
  const files = Object.fromEntries(readdirSync(dir).filter((f) => DESK_FILE.test(f)).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
  await store.save({ knowledgeHash, provider: deskProvider(provider), files });
}

/**
 * Writes the shared refit of this knowledge version into `dir` when it differs from what is there
 * (another replica refitted, or chose another operating point). True when something was written.
 */
export async function pullDeskCalibration(store: DeskCalibrationStore, dir: string, knowledgeHash: string, provider: string | undefined): Promise<boolean> {
  const shared = await store.get(knowledgeHash, deskProvider(provider));
  if (!shared) return false;
  let changed = false;
  for (const [name, text] of Object.entries(shared.files)) {
    // The store checks names on save; checked again here because they become paths.
    if (!DESK_FILE.test(name)) continue;
    const file = join(dir, name);
    if (existsSync(file) && readFileSync(file, 'utf8') === text) continue;
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, text);
    changed = true;
  }
  return changed;
}
