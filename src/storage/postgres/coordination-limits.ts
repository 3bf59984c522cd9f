import type { Pool } from 'pg';
import type { RateLimitSpec, SharedRateLimiter, TakeResult } from '../../engine/ports/coordination.js';

/** Idle rows (full buckets) are deleted every this many takes. */
const PRUNE_EVERY = 1_000;

/**
 * The token bucket as a "theoretical arrival time" (GCRA): one row per key holding when the
 * bucket would be full again. A take moves it one emission interval forward unless that would put
 * it more than `burst` intervals ahead of now. The same rule as TokenBuckets in memory, in one
 * UPSERT: the row lock serialises takes of one key across replicas.
 */
export class PgRateLimiter implements SharedRateLimiter {
  private readonly intervalMs: number;
  private readonly capacityMs: number;
  private takes = 0;

  constructor(
    private readonly pool: Pool,
    private readonly name: string,
    spec: RateLimitSpec,
    private readonly now: () => number = Date.now,
  ) {
    this.intervalMs = 60_000 / spec.perMinute;
    this.capacityMs = spec.burst * this.intervalMs;
  }

  async take(key: string): Promise<TakeResult> {
    const now = this.now();
    const id = JSON.stringify([this.name, key]);
    if (++this.takes % PRUNE_EVERY === 0) await this.pool.query('DELETE FROM coordination_rate WHERE tat < $1', [now]);
    const { rows } = await this.pool.query<{ taken: number | null; current: number | null }>(
      `WITH up AS (
         INSERT INTO coordination_rate AS r (key, tat) VALUES ($1, $2::float8 + $3::float8)
         ON CONFLICT (key) DO UPDATE SET tat = GREATEST(r.tat, $2::float8) + $3::float8
         WHERE GREATEST(r.tat, $2::float8) + $3::float8 - $2::float8 <= $4::float8 + 0.001
         RETURNING tat)
       SELECT (SELECT tat FROM up) AS taken, (SELECT tat FROM coordination_rate WHERE key = $1) AS current`,
      [id, now, this.intervalMs, this.capacityMs],
    );
    const row = rows[0]!;
    if (row.taken !== null) return { ok: true };
    const waitMs = Number(row.current ?? now) + this.intervalMs - now - this.capacityMs;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
}
