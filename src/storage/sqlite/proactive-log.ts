import type { ProactiveLog, ProactiveLogEntry } from '../../engine/ports/proactive-log.js';
import type { Db } from './database.js';

interface Row {
  id: number;
  conversation_id: string;
  payload: string;
  created_at: string;
}

const toEntry = (r: Row): ProactiveLogEntry => ({ id: r.id, conversationId: r.conversation_id, payload: r.payload, at: r.created_at });

/**
 * Proactive web chat messages in SQLite (schema web/001_proactive_messages). AUTOINCREMENT ids
 * never go back, even after every row was pruned, and one writer at a time stores them in order.
 */
export class SqliteProactiveLog implements ProactiveLog {
  private readonly insert;
  private readonly selectByMessage;
  private readonly selectAfter;
  private readonly selectLatest;
  private readonly remove;

  constructor(private readonly db: Db) {
    this.insert = db.prepare('INSERT OR IGNORE INTO web_proactive_messages (conversation_id, payload, created_at, message_id) VALUES (?, ?, ?, ?)');
    this.selectByMessage = db.prepare('SELECT id FROM web_proactive_messages WHERE conversation_id = ? AND message_id = ?');
    this.selectAfter = db.prepare('SELECT id, conversation_id, payload, created_at FROM web_proactive_messages WHERE conversation_id = ? AND id > ? ORDER BY id LIMIT ?');
    this.selectLatest = db.prepare(
      'SELECT * FROM (SELECT id, conversation_id, payload, created_at FROM web_proactive_messages WHERE conversation_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id',
    );
    this.remove = db.prepare('DELETE FROM web_proactive_messages WHERE created_at < ?');
  }

  async append(conversationId: string, payload: string, at: Date = new Date(), messageId?: string): Promise<number> {
    const result = this.insert.run(conversationId, payload, at.toISOString(), messageId ?? null);
    if (result.changes > 0) return Number(result.lastInsertRowid);
    // Ignored: the unique (conversation, message id) index says it is already stored.
    return (this.selectByMessage.get(conversationId, messageId) as { id: number }).id;
  }

  async after(conversationId: string, afterId: number, limit: number): Promise<ProactiveLogEntry[]> {
    return (this.selectAfter.all(conversationId, afterId, limit) as Row[]).map(toEntry);
  }

  async latest(conversationId: string, limit: number): Promise<ProactiveLogEntry[]> {
    return (this.selectLatest.all(conversationId, limit) as Row[]).map(toEntry);
  }

  async newestIds(conversationIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    // Chunks stay well under SQLite's bound-parameter limit.
    for (let i = 0; i < conversationIds.length; i += 500) {
      const chunk = conversationIds.slice(i, i + 500);
      const rows = this.db
        .prepare(`SELECT conversation_id, MAX(id) AS id FROM web_proactive_messages WHERE conversation_id IN (${chunk.map(() => '?').join(',')}) GROUP BY conversation_id`)
        .all(...chunk) as Array<{ conversation_id: string; id: number }>;
      for (const r of rows) out.set(r.conversation_id, r.id);
    }
    return out;
  }

  async prune(before: Date): Promise<number> {
    return this.remove.run(before.toISOString()).changes;
  }
}
