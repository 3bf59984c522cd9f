/**
 * What the bot said on its own in a web chat conversation (ticket number, ticket news, technician
 * relay, guided-fix time-out), written before any replica is told about it: a replica that missed
 * the wake-up on the bus, or a page that reconnects elsewhere, reads here what it has not sent.
 * Ids only grow within a conversation, in the order the messages were stored, so "everything after
 * the last id I sent" never skips one. Rows older than the retention are pruned.
 * Backends: src/storage/sqlite/proactive-log.ts, src/storage/postgres/proactive-log.ts.
 */
export interface ProactiveLogEntry {
  /** Greater than every id stored before it in the same conversation (not dense). */
  id: number;
  conversationId: string;
  /** Opaque to the store: the channel's rendered message (JSON). */
  payload: string;
  /** ISO-8601. */
  at: string;
}

export interface ProactiveLog {
  /**
   * Stores the message; returns its id. Committed (readable from any replica) when it resolves.
   * With `messageId` (the channel's id of the message) it is idempotent: a message of the same
   * conversation already stored under that id is not stored again, and its id is returned.
   */
  append(conversationId: string, payload: string, at?: Date, messageId?: string): Promise<number>;
  /** Messages of the conversation with an id above `afterId`, oldest first, at most `limit`. */
  after(conversationId: string, afterId: number, limit: number): Promise<ProactiveLogEntry[]>;
  /** The newest `limit` messages of the conversation, oldest first (a page that never saw one). */
  latest(conversationId: string, limit: number): Promise<ProactiveLogEntry[]>;
  /** The newest id of each of these conversations that has one (a replica's catch-up check). */
  newestIds(conversationIds: readonly string[]): Promise<Map<string, number>>;
  /** Deletes messages stored before `before`; returns how many went. */
  prune(before: Date): Promise<number>;
}
