import type { DeliveryLog } from '../../channels/types.js';
import type { Db, Migration } from './database.js';

/**
 * Inbound delivery ids (Slack event_id, client_msg_id, action ids) already taken in, in SQLite so
 * that a signed request replayed after a restart is still recognised. Kept for a day: Slack's
 * signature refuses anything older than five minutes anyway.
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
];

const KEEP_MS = 24 * 60 * 60 * 1000;
const PRUNE_EVERY = 500;

export class SqliteDeliveryLog implements DeliveryLog {
  private inserts = 0;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  firstDelivery(channel: string, keys: string[]): boolean {
    if (!keys.length) return true;
    const insert = this.db.prepare('INSERT OR IGNORE INTO channel_deliveries (channel, key, seen_at) VALUES (?, ?, ?)');
    const at = this.now();
    const fresh = this.db.transaction(() => keys.map((k) => insert.run(channel, k.slice(0, 200), at).changes > 0))();
    if (++this.inserts % PRUNE_EVERY === 0) this.db.prepare('DELETE FROM channel_deliveries WHERE seen_at < ?').run(at - KEEP_MS);
    return fresh.every(Boolean);
  }
}
