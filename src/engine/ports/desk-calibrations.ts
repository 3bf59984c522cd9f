import { z } from 'zod';

/**
 * The desk's refits (README "Learning from the desk"), kept with the shared state so every replica
 * serves the models a technician fitted and the operating point they chose, not only the replica
 * the console button ran on (each replica's DATA_DIR is its own). One per knowledge version and
 * embedder provider: a later refit or operating point replaces it.
 */

/** The files of a refit, by name (gate-hybrid.json, scored-hybrid.json…), as JSON text. */
export const deskCalibrationSchema = z.object({
  knowledgeHash: z.string().regex(/^[0-9a-f]{16,64}$/),
  provider: z.string().min(1).max(100),
  files: z
    .record(z.string().regex(/^[a-z0-9][a-z0-9.-]{0,80}\.json$/), z.string().max(20_000_000))
    .refine((files) => Object.keys(files).length > 0 && Object.keys(files).length <= 20, { message: 'between 1 and 20 files' }),
});

export type DeskCalibrationInput = z.input<typeof deskCalibrationSchema>;

export interface DeskCalibration {
  knowledgeHash: string;
  provider: string;
  files: Record<string, string>;
  /** ISO time of the save (a replica copies the files into its DATA_DIR when they differ from its own). */
  savedAt: string;
}

export interface DeskCalibrationStore {
  /** Keeps the refit for its knowledge version and provider, replacing an earlier one. Invalid input throws and changes nothing. */
  save(input: DeskCalibrationInput): Promise<DeskCalibration>;
  get(knowledgeHash: string, provider: string): Promise<DeskCalibration | undefined>;
}
