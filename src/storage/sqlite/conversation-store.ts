import { randomUUID } from 'node:crypto';
import { type Db } from './database.js';
import { migrateSqlite } from './migrations.js';
import type { ConversationAddress, OutboundMessage } from '../../engine/contract.js';
import type { Lang } from '../../engine/lang.js';
import type {
  AnalyticsEvent,
  BeginTurnResult,
  ConversationRecord,
  ConversationSearch,
  ConversationSummary,
  ConversationStore,
  EventQuery,
  FeedbackRecord,
  FlowRunRecord,
  InboundTurn,
  TurnCommit,
  TurnRecord,
} from '../../engine/ports/conversation-store.js';
import { likePattern, toConversation, toEvent, toFlow, type ConversationRow, type EventRow, type FlowRow } from '../rows/conversations.js';
import { opt } from '../rows/columns.js';

/**
 * Conversations, turns, flow runs, feedback and analytics events in the embedded SQLite database.
 * Texts arrive redacted. Columns the technician console reports on (type, article, confidence,
 * channel, language, time) are real columns with indexes, not buried in JSON.
 */

export class SqliteConversationStore implements ConversationStore {
  constructor(private readonly db: Db) {}

  async beginTurn(turn: InboundTurn): Promise<BeginTurnResult> {
    return this.db.transaction((): BeginTurnResult => {
      const a = turn.address;
      this.db
        .prepare(
          `INSERT INTO conversations (id, channel, channel_conversation_id, thread_id, user_id, user_name, user_email, user_locale,
             lang, status, started_at, last_activity_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)
           ON CONFLICT (channel, channel_conversation_id, thread_id) DO UPDATE SET
             user_name = COALESCE(excluded.user_name, user_name),
             user_email = COALESCE(excluded.user_email, user_email),
             user_locale = COALESCE(excluded.user_locale, user_locale)`,
        )
        .run(randomUUID(), a.channel, a.conversationId, a.threadId ?? '', turn.user.id, turn.user.name ?? null,
          turn.user.email ?? null, turn.user.locale ?? null, turn.lang, turn.at, turn.at);
      const row = this.db
        .prepare('SELECT * FROM conversations WHERE channel = ? AND channel_conversation_id = ? AND thread_id = ?')
        .get(a.channel, a.conversationId, a.threadId ?? '') as ConversationRow;
      const conversation = toConversation(row);
      // In a shared channel thread several people talk: the record keeps whoever spoke last.
      conversation.user = { ...conversation.user, ...turn.user };
      const flowRow = this.db.prepare(`SELECT * FROM flow_runs WHERE conversation_id = ? AND status = 'active'`).get(row.id) as FlowRow | undefined;
      const flow = flowRow ? toFlow(flowRow) : undefined;

      if (turn.messageId) {
        const seen = this.db
          .prepare(`SELECT id, handled_at, replies_json FROM conversation_turns WHERE conversation_id = ? AND message_id = ?`)
          .get(row.id, turn.messageId) as { id: number; handled_at: string | null; replies_json: string | null } | undefined;
        if (seen) {
          return {
            turnId: seen.id,
            conversation,
            ...opt('flow', flow),
            ...(seen.handled_at ? { replay: JSON.parse(seen.replies_json ?? '[]') as OutboundMessage[] } : {}),
          };
        }
      }
      const inserted = this.db
        .prepare(
          `INSERT INTO conversation_turns (conversation_id, direction, message_id, text, action_json, lang, at)
           VALUES (?, 'in', ?, ?, ?, ?, ?)`,
        )
        .run(row.id, turn.messageId ?? null, turn.text, turn.action === undefined ? null : JSON.stringify(turn.action), turn.lang, turn.at);
      return { turnId: Number(inserted.lastInsertRowid), conversation, ...opt('flow', flow) };
    }).immediate();
  }

  async commitTurn(c: TurnCommit): Promise<void> {
    this.db.transaction(() => {
      this.db
        .prepare(`UPDATE conversations SET lang = ?, status = ?, last_activity_at = ?, state_json = ? WHERE id = ?`)
        .run(c.lang, c.status, c.at, JSON.stringify(c.state ?? {}), c.conversationId);
      for (const f of c.flows) {
        this.db
          .prepare(
            `INSERT INTO flow_runs (id, conversation_id, flow_id, step_id, status, state_json, started_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET step_id = excluded.step_id, status = excluded.status,
               state_json = excluded.state_json, updated_at = excluded.updated_at`,
          )
          .run(f.id, f.conversationId, f.flowId, f.stepId, f.status, JSON.stringify(f.state), f.startedAt, f.updatedAt);
      }
      const out = this.db.prepare(
        `INSERT INTO conversation_turns (conversation_id, direction, text, parts_json, lang, at) VALUES (?, 'out', ?, ?, ?, ?)`,
      );
      for (const o of c.outbound) out.run(c.conversationId, o.text, JSON.stringify(o.message.parts), o.message.lang, c.at);
      if (c.inboundTurnId !== undefined) {
        this.db
          .prepare(`UPDATE conversation_turns SET handled_at = ?, replies_json = ? WHERE id = ?`)
          .run(c.at, JSON.stringify(c.outbound.map((o) => o.message)), c.inboundTurnId);
      }
      const fb = this.db.prepare(
        `INSERT INTO conversation_feedback (conversation_id, topic_id, article_id, value, question, channel, lang, at, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const f of c.feedback) fb.run(f.conversationId, f.topicId ?? null, f.articleId, f.value, f.question, f.channel, f.lang, f.at, f.comment ?? null);
      const ev = this.db.prepare(
        `INSERT INTO conversation_events (type, at, conversation_id, topic_id, channel, lang, article_id, flow_id, step_id, decision,
           confidence, value, priority, text, data_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const e of c.events) {
        ev.run(e.type, e.at, e.conversationId, e.topicId ?? null, e.channel, e.lang, e.articleId ?? null, e.flowId ?? null,
          e.stepId ?? null, e.decision ?? null, e.confidence ?? null, e.value ?? null, e.priority ?? null, e.text ?? null,
          e.data ? JSON.stringify(e.data) : null);
      }
    }).immediate();
  }

  async getConversation(id: string): Promise<ConversationRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM conversations WHERE id = ?').get(id) as ConversationRow | undefined;
    return row ? toConversation(row) : undefined;
  }

  async findConversation(address: ConversationAddress): Promise<ConversationRecord | undefined> {
    const row = this.db
      .prepare('SELECT * FROM conversations WHERE channel = ? AND channel_conversation_id = ? AND thread_id = ?')
      .get(address.channel, address.conversationId, address.threadId ?? '') as ConversationRow | undefined;
    return row ? toConversation(row) : undefined;
  }

  async activeFlow(conversationId: string): Promise<FlowRunRecord | undefined> {
    const row = this.db.prepare(`SELECT * FROM flow_runs WHERE conversation_id = ? AND status = 'active'`).get(conversationId) as FlowRow | undefined;
    return row ? toFlow(row) : undefined;
  }

  async idleFlows(before: string): Promise<Array<{ conversation: ConversationRecord; flow: FlowRunRecord }>> {
    const rows = this.db
      .prepare(`SELECT * FROM flow_runs WHERE status = 'active' AND updated_at < ? ORDER BY updated_at`)
      .all(before) as FlowRow[];
    return rows.flatMap((f) => {
      const c = this.db.prepare('SELECT * FROM conversations WHERE id = ?').get(f.conversation_id) as ConversationRow | undefined;
      return c ? [{ conversation: toConversation(c), flow: toFlow(f) }] : [];
    });
  }

  async transcript(conversationId: string, options: { since?: string; limit?: number } = {}): Promise<TurnRecord[]> {
    const rows = this.db
      .prepare(
        `SELECT id, conversation_id, direction, text, at, lang FROM conversation_turns
         WHERE conversation_id = ? AND at >= ? ORDER BY id DESC LIMIT ?`,
      )
      .all(conversationId, options.since ?? '', options.limit ?? -1) as Array<{
      id: number;
      conversation_id: string;
      direction: 'in' | 'out';
      text: string;
      at: string;
      lang: string | null;
    }>;
    return rows.reverse().map((r) => ({
      id: r.id,
      conversationId: r.conversation_id,
      direction: r.direction,
      text: r.text,
      at: r.at,
      ...opt('lang', r.lang as Lang | null),
    }));
  }

  async events(q: EventQuery = {}): Promise<AnalyticsEvent[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.types?.length) {
      where.push(`type IN (${q.types.map(() => '?').join(', ')})`);
      params.push(...q.types);
    }
    if (q.conversationId) {
      where.push('conversation_id = ?');
      params.push(q.conversationId);
    }
    if (q.since) {
      where.push('at >= ?');
      params.push(q.since);
    }
    if (q.until) {
      where.push('at < ?');
      params.push(q.until);
    }
    const rows = this.db
      .prepare(`SELECT * FROM conversation_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`)
      .all(...params, q.limit ?? -1) as EventRow[];
    return rows.map(toEvent);
  }

  async feedback(q: { articleId?: string; since?: string } = {}): Promise<FeedbackRecord[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM conversation_feedback WHERE (? IS NULL OR article_id = ?) AND at >= ? ORDER BY id`,
      )
      .all(q.articleId ?? null, q.articleId ?? null, q.since ?? '') as Array<{
      conversation_id: string;
      topic_id: string | null;
      article_id: string;
      value: 'yes' | 'no';
      question: string;
      channel: string;
      lang: string;
      at: string;
      comment: string | null;
    }>;
    return rows.map((r) => ({
      conversationId: r.conversation_id,
      ...opt('topicId', r.topic_id),
      articleId: r.article_id,
      value: r.value,
      question: r.question,
      channel: r.channel,
      lang: r.lang as Lang,
      at: r.at,
      ...opt('comment', r.comment),
    }));
  }

  async searchConversations(q: ConversationSearch = {}): Promise<ConversationSummary[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.user) {
      where.push(
        `(lower(c.user_id) LIKE ? ESCAPE '\\' OR lower(COALESCE(c.user_name, '')) LIKE ? ESCAPE '\\' OR lower(COALESCE(c.user_email, '')) LIKE ? ESCAPE '\\')`,
      );
      params.push(likePattern(q.user), likePattern(q.user), likePattern(q.user));
    }
    if (q.text) {
      where.push(`EXISTS (SELECT 1 FROM conversation_turns s WHERE s.conversation_id = c.id AND lower(s.text) LIKE ? ESCAPE '\\')`);
      params.push(likePattern(q.text));
    }
    if (q.status) {
      where.push('c.status = ?');
      params.push(q.status);
    }
    if (q.channel) {
      where.push('c.channel = ?');
      params.push(q.channel);
    }
    if (q.activeSince) {
      where.push('c.last_activity_at >= ?');
      params.push(q.activeSince);
    }
    const rows = this.db
      .prepare(
        `SELECT c.*,
           (SELECT COUNT(*) FROM conversation_turns t WHERE t.conversation_id = c.id) AS turn_count,
           (SELECT t.text FROM conversation_turns t WHERE t.conversation_id = c.id AND t.direction = 'in' ORDER BY t.id LIMIT 1) AS first_text
         FROM conversations c ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY c.last_activity_at DESC, c.id LIMIT ? OFFSET ?`,
      )
      .all(...params, q.limit ?? 50, q.offset ?? 0) as Array<ConversationRow & { turn_count: number; first_text: string | null }>;
    return rows.map((r) => {
      const { state: _state, ...record } = toConversation(r);
      return { ...record, turns: r.turn_count, ...opt('firstText', r.first_text) };
    });
  }
}

/** Applies this module's migrations and returns the store. */
export function openConversationStore(db: Db): SqliteConversationStore {
  migrateSqlite(db);
  return new SqliteConversationStore(db);
}
