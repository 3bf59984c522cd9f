import { randomUUID } from 'node:crypto';
import type { ConversationAddress, OutboundMessage } from '../../engine/contract.js';
import type { Lang } from '../../engine/lang.js';
import type {
  AnalyticsEvent,
  BeginTurnResult,
  ConversationRecord,
  ConversationSearch,
  ConversationStore,
  ConversationSummary,
  EventQuery,
  FeedbackRecord,
  FlowRunRecord,
  InboundTurn,
  TurnCommit,
  TurnRecord,
} from '../../engine/ports/conversation-store.js';
import { withTransaction, type PgPool } from './pool.js';
import { likePattern, toConversation, toEvent, toFlow, type ConversationRow, type EventRow, type FlowRow } from '../rows/conversations.js';
import { opt } from '../rows/columns.js';

/**
 * Conversations, turns, flow runs, feedback and analytics events in PostgreSQL (schema
 * 0001_conversations). Same behaviour as the SQLite store; what differs is how concurrency is made
 * safe across replicas: the conversation upsert takes the conversation's row lock, and the inbound
 * insert relies on the unique (conversation, message id) index, so a Slack or Bot Framework retry
 * reaching another replica finds the first delivery instead of recording a second one.
 */

export class PgConversationStore implements ConversationStore {
  constructor(private readonly pool: PgPool) {}

  async beginTurn(turn: InboundTurn): Promise<BeginTurnResult> {
    return withTransaction(this.pool, async (c): Promise<BeginTurnResult> => {
      const a = turn.address;
      // DO UPDATE (not DO NOTHING) so the row comes back and stays locked until commit: concurrent
      // first messages of one conversation on two replicas serialise here.
      const { rows } = await c.query<ConversationRow>(
        `INSERT INTO conversations (id, channel, channel_conversation_id, thread_id, user_id, user_name, user_email, user_locale,
           lang, status, started_at, last_activity_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $10)
         ON CONFLICT (channel, channel_conversation_id, thread_id) DO UPDATE SET
           user_name = COALESCE(excluded.user_name, conversations.user_name),
           user_email = COALESCE(excluded.user_email, conversations.user_email),
           user_locale = COALESCE(excluded.user_locale, conversations.user_locale)
         RETURNING *`,
        [randomUUID(), a.channel, a.conversationId, a.threadId ?? '', turn.user.id, turn.user.name ?? null,
          turn.user.email ?? null, turn.user.locale ?? null, turn.lang, turn.at],
      );
      const row = rows[0]!;
      const conversation = toConversation(row);
      // In a shared channel thread several people talk: the record keeps whoever spoke last.
      conversation.user = { ...conversation.user, ...turn.user };
      const flowRow = (await c.query<FlowRow>(`SELECT * FROM flow_runs WHERE conversation_id = $1 AND status = 'active'`, [row.id])).rows[0];
      const flow = flowRow ? toFlow(flowRow) : undefined;

      const inserted = await c.query<{ id: string }>(
        `INSERT INTO conversation_turns (conversation_id, direction, message_id, text, action_json, lang, at)
         VALUES ($1, 'in', $2, $3, $4, $5, $6)
         ON CONFLICT (conversation_id, message_id) WHERE message_id IS NOT NULL DO NOTHING
         RETURNING id`,
        [row.id, turn.messageId ?? null, turn.text, turn.action === undefined ? null : JSON.stringify(turn.action), turn.lang, turn.at],
      );
      if (inserted.rows[0]) return { turnId: Number(inserted.rows[0].id), conversation, ...opt('flow', flow) };
      const seen = (
        await c.query<{ id: string; handled_at: string | null; replies_json: string | null }>(
          'SELECT id, handled_at, replies_json FROM conversation_turns WHERE conversation_id = $1 AND message_id = $2',
          [row.id, turn.messageId],
        )
      ).rows[0]!;
      return {
        turnId: Number(seen.id),
        conversation,
        ...opt('flow', flow),
        ...(seen.handled_at ? { replay: JSON.parse(seen.replies_json ?? '[]') as OutboundMessage[] } : {}),
      };
    });
  }

  async commitTurn(t: TurnCommit): Promise<void> {
    await withTransaction(this.pool, async (c) => {
      await c.query(`UPDATE conversations SET lang = $1, status = $2, last_activity_at = $3, state_json = $4 WHERE id = $5`, [
        t.lang, t.status, t.at, JSON.stringify(t.state ?? {}), t.conversationId,
      ]);
      for (const f of t.flows) {
        await c.query(
          `INSERT INTO flow_runs (id, conversation_id, flow_id, step_id, status, state_json, started_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (id) DO UPDATE SET step_id = excluded.step_id, status = excluded.status,
             state_json = excluded.state_json, updated_at = excluded.updated_at`,
          [f.id, f.conversationId, f.flowId, f.stepId, f.status, JSON.stringify(f.state), f.startedAt, f.updatedAt],
        );
      }
      for (const o of t.outbound) {
        await c.query(`INSERT INTO conversation_turns (conversation_id, direction, text, parts_json, lang, at) VALUES ($1, 'out', $2, $3, $4, $5)`, [
          t.conversationId, o.text, JSON.stringify(o.message.parts), o.message.lang, t.at,
        ]);
      }
      if (t.inboundTurnId !== undefined) {
        await c.query(`UPDATE conversation_turns SET handled_at = $1, replies_json = $2 WHERE id = $3`, [
          t.at, JSON.stringify(t.outbound.map((o) => o.message)), t.inboundTurnId,
        ]);
      }
      for (const f of t.feedback) {
        await c.query(
          `INSERT INTO conversation_feedback (conversation_id, topic_id, article_id, value, question, channel, lang, at, comment)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [f.conversationId, f.topicId ?? null, f.articleId, f.value, f.question, f.channel, f.lang, f.at, f.comment ?? null],
        );
      }
      for (const e of t.events) {
        await c.query(
          `INSERT INTO conversation_events (type, at, conversation_id, topic_id, channel, lang, article_id, flow_id, step_id, decision,
             confidence, value, priority, text, data_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
          [e.type, e.at, e.conversationId, e.topicId ?? null, e.channel, e.lang, e.articleId ?? null, e.flowId ?? null,
            e.stepId ?? null, e.decision ?? null, e.confidence ?? null, e.value ?? null, e.priority ?? null, e.text ?? null,
            e.data ? JSON.stringify(e.data) : null],
        );
      }
    });
  }

  async getConversation(id: string): Promise<ConversationRecord | undefined> {
    const row = (await this.pool.query<ConversationRow>('SELECT * FROM conversations WHERE id = $1', [id])).rows[0];
    return row ? toConversation(row) : undefined;
  }

  async findConversation(address: ConversationAddress): Promise<ConversationRecord | undefined> {
    const row = (
      await this.pool.query<ConversationRow>(
        'SELECT * FROM conversations WHERE channel = $1 AND channel_conversation_id = $2 AND thread_id = $3',
        [address.channel, address.conversationId, address.threadId ?? ''],
      )
    ).rows[0];
    return row ? toConversation(row) : undefined;
  }

  async activeFlow(conversationId: string): Promise<FlowRunRecord | undefined> {
    const row = (await this.pool.query<FlowRow>(`SELECT * FROM flow_runs WHERE conversation_id = $1 AND status = 'active'`, [conversationId])).rows[0];
    return row ? toFlow(row) : undefined;
  }

  async idleFlows(before: string): Promise<Array<{ conversation: ConversationRecord; flow: FlowRunRecord }>> {
    const { rows } = await this.pool.query<FlowRow & { c: ConversationRow }>(
      `SELECT f.*, row_to_json(c.*) AS c FROM flow_runs f JOIN conversations c ON c.id = f.conversation_id
       WHERE f.status = 'active' AND f.updated_at < $1 ORDER BY f.updated_at`,
      [before],
    );
    return rows.map((r) => ({ conversation: toConversation(r.c), flow: toFlow(r) }));
  }

  async transcript(conversationId: string, options: { since?: string; limit?: number } = {}): Promise<TurnRecord[]> {
    const { rows } = await this.pool.query<{ id: string; conversation_id: string; direction: 'in' | 'out'; text: string; at: string; lang: string | null }>(
      `SELECT id, conversation_id, direction, text, at, lang FROM conversation_turns
       WHERE conversation_id = $1 AND at >= $2 ORDER BY id DESC LIMIT $3`,
      [conversationId, options.since ?? '', options.limit ?? null],
    );
    return rows.reverse().map((r) => ({
      id: Number(r.id),
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
    const p = (v: unknown): string => `$${params.push(v)}`;
    if (q.types?.length) where.push(`type = ANY(${p(q.types)})`);
    if (q.conversationId) where.push(`conversation_id = ${p(q.conversationId)}`);
    if (q.since) where.push(`at >= ${p(q.since)}`);
    if (q.until) where.push(`at < ${p(q.until)}`);
    const { rows } = await this.pool.query<EventRow>(
      `SELECT * FROM conversation_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ${p(q.limit ?? null)}`,
      params,
    );
    return rows.map(toEvent);
  }

  async feedback(q: { articleId?: string; since?: string } = {}): Promise<FeedbackRecord[]> {
    const { rows } = await this.pool.query<{
      conversation_id: string;
      topic_id: string | null;
      article_id: string;
      value: 'yes' | 'no';
      question: string;
      channel: string;
      lang: string;
      at: string;
      comment: string | null;
    }>(`SELECT * FROM conversation_feedback WHERE ($1::text IS NULL OR article_id = $1) AND at >= $2 ORDER BY id`, [
      q.articleId ?? null,
      q.since ?? '',
    ]);
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
    const p = (v: unknown): string => `$${params.push(v)}`;
    if (q.user) {
      const u = p(likePattern(q.user));
      where.push(
        `(lower(c.user_id) LIKE ${u} ESCAPE '\\' OR lower(COALESCE(c.user_name, '')) LIKE ${u} ESCAPE '\\' OR lower(COALESCE(c.user_email, '')) LIKE ${u} ESCAPE '\\')`,
      );
    }
    if (q.text) {
      where.push(`EXISTS (SELECT 1 FROM conversation_turns s WHERE s.conversation_id = c.id AND lower(s.text) LIKE ${p(likePattern(q.text))} ESCAPE '\\')`);
    }
    if (q.status) where.push(`c.status = ${p(q.status)}`);
    if (q.channel) where.push(`c.channel = ${p(q.channel)}`);
    if (q.activeSince) where.push(`c.last_activity_at >= ${p(q.activeSince)}`);
    const { rows } = await this.pool.query<ConversationRow & { turn_count: number; first_text: string | null }>(
      `SELECT c.*,
         (SELECT COUNT(*)::int FROM conversation_turns t WHERE t.conversation_id = c.id) AS turn_count,
         (SELECT t.text FROM conversation_turns t WHERE t.conversation_id = c.id AND t.direction = 'in' ORDER BY t.id LIMIT 1) AS first_text
       FROM conversations c ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY c.last_activity_at DESC, c.id LIMIT ${p(q.limit ?? 50)} OFFSET ${p(q.offset ?? 0)}`,
      params,
    );
    return rows.map((r) => {
      const { state: _state, ...record } = toConversation(r);
      return { ...record, turns: r.turn_count, ...opt('firstText', r.first_text) };
    });
  }
}
