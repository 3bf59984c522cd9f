import { DEFAULT_DELIVERY_TTL_MS, type DeliveryLog } from '../../engine/ports/delivery-log.js';
import type { Db } from './database.js';

/**
 * Inbound delivery ids (Slack event_id, client_msg_id, action ids) already taken in, in SQLite so
 * that a signed request replayed after a restart is still recognised (the DeliveryLog port).
 */

const PRUNE_EVERY = 500;

export class SqliteDeliveryLog implements DeliveryLog {
  private inserts = 0;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async firstDelivery(channel: string, keys: string[], ttlMs: number = DEFAULT_DELIVERY_TTL_MS): Promise<boolean> {
    if (!keys.length) return true;
    // A key whose time to live ran out is taken in again (and its clock restarts).
    const claim = this.db.prepare(
      `INSERT INTO channel_deliveries (channel, key, seen_at, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (channel, key) DO UPDATE SET seen_at = excluded.seen_at, expires_at = excluded.expires_at
       WHERE channel_deliveries.expires_at <= excluded.seen_at`,
    );
    const at = this.now();
    const fresh = this.db.transaction(() => keys.map((k) => claim.run(channel, k.slice(0, 200), at, at + ttlMs).changes > 0))();
    if (++this.inserts % PRUNE_EVERY === 0) this.db.prepare('DELETE FROM channel_deliveries WHERE expires_at <= ?').run(at);
    return fresh.every(Boolean);
  }
}
