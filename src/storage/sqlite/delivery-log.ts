import { DEFAULT_DELIVERY_TTL_MS, type DeliveryLog } from '../../engine/ports/delivery-log.js';
import type { Db, Migration } from './database.js';

/**
 * Inbound delivery ids (Slack event_id, client_msg_id, action ids) already taken in, in SQLite so
 * that a signed request replayed after a restart is still recognised (the DeliveryLog port).
 */
export const deliveryLogMigrations: Migration[] = [
  {
    name: 'channels/001_deliveries',
    up: `CREATE TABLE channel_deliveries (
      channel TEXT NOT NULL,
      key TEXT NOT NULL,
      seen_at INTEGER NOT NULL,
      PRIMARY KEY (channel, key)
    );
    CREATE INDEX channel_deliveries_seen ON channel_deliveries (seen_at);`,
  },
  {
    // Each key carries its own time to live; rows written before keep the day they had.
    name: 'channels/002_deliveries_expiry',
    up: `ALTER TABLE channel_deliveries ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;
         UPDATE channel_deliveries SET expires_at = seen_at + ${24 * 60 * 60 * 1000};
         CREATE INDEX channel_deliveries_expiry ON channel_deliveries (expires_at);`,
  },
];

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
