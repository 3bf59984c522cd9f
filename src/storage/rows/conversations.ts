import type { Lang } from '../../engine/lang.js';
import type {
  AnalyticsEvent,
  AnalyticsEventType,
  ConversationRecord,
  ConversationStatus,
  FlowRunRecord,
  FlowRunStatus,
} from '../../engine/ports/conversation-store.js';
import { opt } from './columns.js';

/**
 * Row shapes of the conversation tables and their mapping to records, shared by the SQLite and
 * PostgreSQL stores (both return these columns as the same JS types: text timestamps, JSON text).
 */

export interface ConversationRow {
  id: string;
  channel: string;
  channel_conversation_id: string;
  thread_id: string;
  user_id: string;
  user_name: string | null;
  user_email: string | null;
  user_locale: string | null;
  lang: string;
  status: ConversationStatus;
  started_at: string;
  last_activity_at: string;
  state_json: string;
}

export interface FlowRow {
  id: string;
  conversation_id: string;
  flow_id: string;
  step_id: string;
  status: FlowRunStatus;
  state_json: string;
  started_at: string;
  updated_at: string;
}

export interface EventRow {
  type: AnalyticsEventType;
  at: string;
  conversation_id: string;
  topic_id: string | null;
  channel: string;
  lang: string;
  article_id: string | null;
  flow_id: string | null;
  step_id: string | null;
  decision: string | null;
  confidence: number | null;
  value: string | null;
  priority: string | null;
  text: string | null;
  data_json: string | null;
}

/** A LIKE pattern matching `s` anywhere, with LIKE's own wildcards escaped (ESCAPE '\\'). */
export const likePattern = (s: string): string => `%${s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function toConversation(r: ConversationRow): ConversationRecord {
  return {
    id: r.id,
    address: { channel: r.channel, conversationId: r.channel_conversation_id, ...opt('threadId', r.thread_id || undefined) },
    user: { id: r.user_id, ...opt('name', r.user_name), ...opt('email', r.user_email), ...opt('locale', r.user_locale) },
    lang: r.lang as Lang,
    status: r.status,
    startedAt: r.started_at,
    lastActivityAt: r.last_activity_at,
    state: JSON.parse(r.state_json) as unknown,
  };
}

export function toFlow(r: FlowRow): FlowRunRecord {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    flowId: r.flow_id,
    stepId: r.step_id,
    status: r.status,
    state: JSON.parse(r.state_json) as unknown,
    startedAt: r.started_at,
    updatedAt: r.updated_at,
  };
}

export function toEvent(r: EventRow): AnalyticsEvent {
  return {
    type: r.type,
    at: r.at,
    conversationId: r.conversation_id,
    channel: r.channel,
    lang: r.lang as Lang,
    ...opt('topicId', r.topic_id),
    ...opt('articleId', r.article_id),
    ...opt('flowId', r.flow_id),
    ...opt('stepId', r.step_id),
    ...opt('decision', r.decision),
    ...opt('confidence', r.confidence),
    ...opt('value', r.value),
    ...opt('priority', r.priority),
    ...opt('text', r.text),
    ...opt('data', r.data_json ? (JSON.parse(r.data_json) as Record<string, unknown>) : null),
  };
}
