import type { ChannelReferences } from '../../engine/ports/channel-references.js';
import type { Db } from './database.js';

/**
 * What a channel must remember to speak first in a conversation (Bot Framework conversation
 * references: service URL, tenant, bot and conversation ids). Written on every inbound activity,
 * read when the bot posts on its own (ticket number, handoff relay), kept across restarts.
 * The reference is opaque JSON here; the channel that wrote it validates it when reading.
 */

export class SqliteChannelReferences implements ChannelReferences {
  private readonly upsert;
  private readonly select;
  private readonly remove;

  constructor(db: Db) {
    this.upsert = db.prepare(
      `INSERT INTO conversation_references (channel, conversation_id, reference_json, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (channel, conversation_id) DO UPDATE SET reference_json = excluded.reference_json, updated_at = excluded.updated_at
       WHERE reference_json <> excluded.reference_json`,
    );
    this.select = db.prepare('SELECT reference_json FROM conversation_references WHERE channel = ? AND conversation_id = ? AND (? IS NULL OR updated_at >= ?)');
    this.remove = db.prepare('DELETE FROM conversation_references WHERE channel = ? AND updated_at < ?');
  }

  async save(channel: string, conversationId: string, reference: unknown, at: Date = new Date()): Promise<void> {
    this.upsert.run(channel, conversationId, JSON.stringify(reference), at.toISOString());
  }

  async get(channel: string, conversationId: string, notBefore?: Date): Promise<unknown> {
    const since = notBefore?.toISOString() ?? null;
    const row = this.select.get(channel, conversationId, since, since) as { reference_json: string } | undefined;
    return row ? (JSON.parse(row.reference_json) as unknown) : undefined;
  }

  async prune(channel: string, before: Date): Promise<number> {
    return this.remove.run(channel, before.toISOString()).changes;
  }
}
