import type { ChannelReferences } from '../../engine/ports/channel-references.js';
import type { PgPool } from './pool.js';

/**
 * Bot Framework conversation references in PostgreSQL (schema 0011_conversation_references), so
 * any replica can speak first in a conversation another replica took in. Opaque JSON here; the
 * channel validates it when reading.
 */
export class PgChannelReferences implements ChannelReferences {
  constructor(private readonly pool: PgPool) {}

  async save(channel: string, conversationId: string, reference: unknown, at: Date = new Date()): Promise<void> {
    // A write only when it changed: most activities carry the same reference again.
    await this.pool.query(
      `INSERT INTO conversation_references (channel, conversation_id, reference_json, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (channel, conversation_id) DO UPDATE SET reference_json = excluded.reference_json, updated_at = excluded.updated_at
       WHERE conversation_references.reference_json <> excluded.reference_json`,
      [channel, conversationId, JSON.stringify(reference), at.toISOString()],
    );
  }

  async get(channel: string, conversationId: string, notBefore?: Date): Promise<unknown> {
    const row = (
      await this.pool.query<{ reference_json: string }>(
        'SELECT reference_json FROM conversation_references WHERE channel = $1 AND conversation_id = $2 AND ($3::text IS NULL OR updated_at >= $3)',
        [channel, conversationId, notBefore?.toISOString() ?? null],
      )
    ).rows[0];
    return row ? (JSON.parse(row.reference_json) as unknown) : undefined;
  }

  async prune(channel: string, before: Date): Promise<number> {
    const { rowCount } = await this.pool.query('DELETE FROM conversation_references WHERE channel = $1 AND updated_at < $2', [channel, before.toISOString()]);
    return rowCount ?? 0;
  }
}
