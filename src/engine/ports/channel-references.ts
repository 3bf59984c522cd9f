/**
 * What a channel must remember to speak first in a conversation (Bot Framework conversation
 * references: service URL, tenant, bot and conversation ids). Written on every inbound activity,
 * read when the bot posts on its own (ticket number, handoff relay), kept across restarts and
 * shared by every replica. The reference is opaque JSON here; the channel that wrote it validates
 * it when reading. Backends: src/storage/sqlite/channel-references.ts (and the PostgreSQL one).
 */
export interface ChannelReferences {
  /** Upserts the reference (a write only when it changed). */
  save(channel: string, conversationId: string, reference: unknown, at?: Date): Promise<void>;
  /**
   * The stored reference (parsed JSON), or undefined; with `notBefore`, undefined as well when it
   * was last written before then (entries that only live for a while, such as Teams' sent cards).
   */
  get(channel: string, conversationId: string, notBefore?: Date): Promise<unknown>;
  /** Deletes the channel's entries last written before `before`; returns how many went. */
  prune(channel: string, before: Date): Promise<number>;
}
