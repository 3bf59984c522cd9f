import { deskCalibrationSchema, type DeskCalibration, type DeskCalibrationInput, type DeskCalibrationStore } from '../../engine/ports/desk-calibrations.js';
import type { Db } from './database.js';

type Row = { knowledge_hash: string; provider: string; files: string; saved_at: string };

const toCalibration = (r: Row): DeskCalibration => ({ knowledgeHash: r.knowledge_hash, provider: r.provider, files: JSON.parse(r.files) as Record<string, string>, savedAt: r.saved_at });

/** The desk's refits in helpdesk.db (migration desk_calibrations/001_init). */
export class SqliteDeskCalibrationStore implements DeskCalibrationStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async save(input: DeskCalibrationInput): Promise<DeskCalibration> {
    const x = deskCalibrationSchema.parse(input);
    const row: Row = { knowledge_hash: x.knowledgeHash, provider: x.provider, files: JSON.stringify(x.files), saved_at: this.now().toISOString() };
    this.db
      .prepare(
        `INSERT INTO desk_calibrations (knowledge_hash, provider, files, saved_at) VALUES (@knowledge_hash, @provider, @files, @saved_at)
         ON CONFLICT (knowledge_hash, provider) DO UPDATE SET files = excluded.files, saved_at = excluded.saved_at`,
      )
      .run(row);
    return toCalibration(row);
  }

  async get(knowledgeHash: string, provider: string): Promise<DeskCalibration | undefined> {
    const row = this.db.prepare('SELECT * FROM desk_calibrations WHERE knowledge_hash = ? AND provider = ?').get(knowledgeHash, provider) as Row | undefined;
    return row && toCalibration(row);
  }
}
