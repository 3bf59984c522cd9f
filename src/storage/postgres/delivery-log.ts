import { DEFAULT_DELIVERY_TTL_MS, type DeliveryLog } from '../../engine/ports/delivery-log.js';
import type { PgPool } from './pool.js';

/**
 * Inbound delivery ids (Slack event_id, client_msg_id, action ids) in PostgreSQL (schema
 * 0010_channel_deliveries), shared by every replica: a Slack or Bot Framework retry that lands on
 * another replica, or after a restart, is recognised. One INSERT … ON CONFLICT per call: of two
 * replicas taking the same key at once, the unique key lets exactly one in.
 */
const PRUNE_EVERY = 500;

export class PgDeliveryLog implements DeliveryLog {
  private inserts = 0;

  constructor(
    private readonly pool: PgPool,
    private readonly now: () => number = Date.now,
  ) {}

  async firstDelivery(channel: string, keys: string[], ttlMs: number = DEFAULT_DELIVERY_TTL_MS): Promise<boolean> {
    const unique = [...new Set(keys.map((k) => k.slice(0, 200)))];
    if (!unique.length) return true;
    const at = this.now();
    // A key whose time to live ran out is taken in again (and its clock restarts).
    const { rowCount } = await this.pool.query(
      `INSERT INTO channel_deliveries (channel, key, seen_at, expires_at)
       SELECT $1, k, $3, $4 FROM unnest($2::text[]) AS k
       ON CONFLICT (channel, key) DO UPDATE SET seen_at = excluded.seen_at, expires_at = excluded.expires_at
       WHERE channel_deliveries.expires_at <= excluded.seen_at`,
      [channel, unique, at, at + ttlMs],
    );
    if (++this.inserts % PRUNE_EVERY === 0) await this.pool.query('DELETE FROM channel_deliveries WHERE expires_at <= $1', [at]);
    return rowCount === unique.length;
  }
}
