import type { Pool } from 'pg';
import type { JobClaims } from '../../engine/ports/coordination.js';

/**
 * One row per job with the newest tick claimed. The conditional UPSERT returns a row only to the
 * replica that moved the tick forward; the others wait on the row lock and then see the new tick.
 */
export class PgJobClaims implements JobClaims {
  constructor(private readonly pool: Pool) {}

  async claim(job: string, tick: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO coordination_jobs AS j (job, tick) VALUES ($1, $2)
       ON CONFLICT (job) DO UPDATE SET tick = excluded.tick, claimed_at = now() WHERE j.tick < excluded.tick
       RETURNING tick`,
      [job, tick],
    );
    return rowCount === 1;
  }
}
