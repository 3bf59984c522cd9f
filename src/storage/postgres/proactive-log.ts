import type { ProactiveLog, ProactiveLogEntry } from '../../engine/ports/proactive-log.js';
import { withTransaction, type PgPool } from './pool.js';

interface Row {
  id: string;
  conversation_id: string;
  payload: string;
  created_at: string;
}

const toEntry = (r: Row): ProactiveLogEntry => ({ id: Number(r.id), conversationId: r.conversation_id, payload: r.payload, at: r.created_at });

/**
 * Proactive web chat messages in PostgreSQL (schema 0016_web_proactive_messages). Ids come from one
 * identity; a transaction-scoped advisory lock per conversation makes them commit in id order within
 * the conversation (two replicas appending at once: the second takes its id after the first has
 * committed), so a reader at "after id N" can never see N+2 and later miss N+1.
 */
export class PgProactiveLog implements ProactiveLog {
  constructor(private readonly pool: PgPool) {}

  async append(conversationId: string, payload: string, at: Date = new Date(), messageId?: string): Promise<number> {
    return withTransaction(this.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('web-proactive:' || $1, 0))`, [conversationId]);
      // Under the conversation's lock nobody else can store the same message id meanwhile.
      if (messageId !== undefined) {
        const { rows: found } = await client.query<{ id: string }>(
          'SELECT id FROM web_proactive_messages WHERE conversation_id = $1 AND message_id = $2',
          [conversationId, messageId],
        );
        if (found[0]) return Number(found[0].id);
      }
      const { rows } = await client.query<{ id: string }>(
        'INSERT INTO web_proactive_messages (conversation_id, payload, created_at, message_id) VALUES ($1, $2, $3, $4) RETURNING id',
        [conversationId, payload, at.toISOString(), messageId ?? null],
      );
      return Number(rows[0]!.id);
    });
  }

  async after(conversationId: string, afterId: number, limit: number): Promise<ProactiveLogEntry[]> {
    const { rows } = await this.pool.query<Row>(
      'SELECT id, conversation_id, payload, created_at FROM web_proactive_messages WHERE conversation_id = $1 AND id > $2 ORDER BY id LIMIT $3',
      [conversationId, afterId, limit],
    );
    return rows.map(toEntry);
  }

  async latest(conversationId: string, limit: number): Promise<ProactiveLogEntry[]> {
    const { rows } = await this.pool.query<Row>(
      'SELECT * FROM (SELECT id, conversation_id, payload, created_at FROM web_proactive_messages WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2) AS newest ORDER BY id',
      [conversationId, limit],
    );
    return rows.map(toEntry);
  }

  async newestIds(conversationIds: readonly string[]): Promise<Map<string, number>> {
    if (conversationIds.length === 0) return new Map();
    const { rows } = await this.pool.query<{ conversation_id: string; id: string }>(
      'SELECT conversation_id, MAX(id) AS id FROM web_proactive_messages WHERE conversation_id = ANY($1::text[]) GROUP BY conversation_id',
      [conversationIds],
    );
    return new Map(rows.map((r) => [r.conversation_id, Number(r.id)]));
  }

  async prune(before: Date): Promise<number> {
    const { rowCount } = await this.pool.query('DELETE FROM web_proactive_messages WHERE created_at < $1', [before.toISOString()]);
    return rowCount ?? 0;
  }
}
