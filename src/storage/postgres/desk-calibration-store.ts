import { deskCalibrationSchema, type DeskCalibration, type DeskCalibrationInput, type DeskCalibrationStore } from '../../engine/ports/desk-calibrations.js';
import type { PgPool } from './pool.js';

type Row = { knowledge_hash: string; provider: string; files: string; saved_at: string };

const toCalibration = (r: Row): DeskCalibration => ({ knowledgeHash: r.knowledge_hash, provider: r.provider, files: JSON.parse(r.files) as Record<string, string>, savedAt: r.saved_at });

/** The desk's refits in PostgreSQL (schema 0020_desk_calibrations), read by every replica. */
export class PgDeskCalibrationStore implements DeskCalibrationStore {
  constructor(
    private readonly pool: PgPool,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async save(input: DeskCalibrationInput): Promise<DeskCalibration> {
    const x = deskCalibrationSchema.parse(input);
    // One statement: two replicas saving at once leave one row (the later one).
    const { rows } = await this.pool.query<Row>(
      `INSERT INTO desk_calibrations (knowledge_hash, provider, files, saved_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (knowledge_hash, provider) DO UPDATE SET files = EXCLUDED.files, saved_at = EXCLUDED.saved_at
       RETURNING *`,
      [x.knowledgeHash, x.provider, JSON.stringify(x.files), this.now().toISOString()],
    );
    return toCalibration(rows[0]!);
  }

  async get(knowledgeHash: string, provider: string): Promise<DeskCalibration | undefined> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM desk_calibrations WHERE knowledge_hash = $1 AND provider = $2', [knowledgeHash, provider]);
    return rows[0] && toCalibration(rows[0]);
  }
}
