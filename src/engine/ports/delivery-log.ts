/**
 * Durable inbound de-duplication: the delivery ids a channel already took in (Slack event_id,
 * client_msg_id, button action ids), each kept for a time to live, so a retry, the app_mention twin
 * of a message or a signed request replayed after a restart, or sent to another replica, is taken in
 * once. Replaces the per-process memory cache: the store is shared by every replica.
 * Backends: src/storage/sqlite/delivery-log.ts (and the PostgreSQL one).
 */
export interface DeliveryLog {
  /**
   * Records the keys as first seen now, kept for `ttlMs` (default: a day). False when any of them
   * was recorded before and has not expired. Atomic per key: of two concurrent callers with the
   * same key, exactly one gets true.
   */
  firstDelivery(channel: string, keys: string[], ttlMs?: number): Promise<boolean>;
}

/** A day: Slack's signature check refuses anything older than five minutes anyway. */
export const DEFAULT_DELIVERY_TTL_MS = 24 * 60 * 60 * 1000;
