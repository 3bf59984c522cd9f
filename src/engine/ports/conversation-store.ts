import type { ConversationAddress, OutboundMessage, UserRef } from '../contract.js';
import type { Lang } from '../lang.js';

/**
 * Durable conversation state, turns and analytics. Async so a server database can replace the
 * embedded SQLite store (src/storage/sqlite/conversation-store.ts). Every text given to the store
 * is already redacted by the engine.
 */

export type ConversationStatus = 'active' | 'resolved' | 'escalated';
export type FlowRunStatus = 'active' | 'resolved' | 'escalated' | 'abandoned' | 'timed_out';

export interface ConversationRecord {
  /** Engine id (UUID), distinct from the channel's conversation id. */
  id: string;
  address: ConversationAddress;
  user: UserRef;
  lang: Lang;
  status: ConversationStatus;
  startedAt: string;
  lastActivityAt: string;
  /** The dialogue state (JSON); the engine validates it when loading. */
  state: unknown;
}

export interface FlowRunRecord {
  id: string;
  conversationId: string;
  flowId: string;
  stepId: string;
  status: FlowRunStatus;
  /** The runner's state (JSON); validated by the engine. */
  state: unknown;
  startedAt: string;
  updatedAt: string;
}

export interface InboundTurn {
  address: ConversationAddress;
  user: UserRef;
  /** Channel message id; with the conversation it is the deduplication key. */
  messageId?: string;
  /** Redacted text, or a description of the clicked button. */
  text: string;
  /** The button payload as received (redacted), for audit. */
  action?: unknown;
  /** Language for a conversation created by this turn. */
  lang: Lang;
  at: string;
}

export interface BeginTurnResult {
  turnId: number;
  conversation: ConversationRecord;
  /** The active flow run, if any. */
  flow?: FlowRunRecord;
  /** Set when this message was already handled: the replies that were sent then. */
  replay?: OutboundMessage[];
}

export type AnalyticsEventType =
  | 'question'
  | 'decision'
  | 'answer_shown'
  | 'clarify_shown'
  | 'feedback'
  | 'flow_started'
  | 'flow_step'
  | 'flow_ended'
  | 'resolved'
  | 'escalation_offered'
  | 'escalation_declined'
  | 'escalated'
  | 'ticket_opened'
  | 'ticket_failed'
  | 'intent'
  | 'secret_redacted'
  /** Live handoff: queued for the technicians, taken by one, ended (value: closed, handed_back, cancelled). */
  | 'handoff_queued'
  | 'handoff_taken'
  | 'handoff_ended'
  /** The user's 1–5 rating after a handoff (value: the rating). */
  | 'satisfaction'
  /** A ticket's status change told to the user (value: the new state). */
  | 'ticket_status';

export interface AnalyticsEvent {
  type: AnalyticsEventType;
  at: string;
  conversationId: string;
  /** Groups the events of one question and its follow-ups (deflection is counted per topic). */
  topicId?: string;
  channel: string;
  lang: Lang;
  articleId?: string;
  flowId?: string;
  stepId?: string;
  /** Gate decision kind or intent name. */
  decision?: string;
  confidence?: number;
  /** yes/no for feedback (whose `text` is the user's redacted comment, if any); reason for escalations; outcome for flow_ended. */
  value?: string;
  priority?: string;
  /** Redacted question or gate explanation. */
  text?: string;
  data?: Record<string, unknown>;
}

export interface FeedbackRecord {
  conversationId: string;
  topicId?: string;
  articleId: string;
  value: 'yes' | 'no';
  /** Redacted question the article was shown for. */
  question: string;
  channel: string;
  lang: Lang;
  at: string;
  /** What the user wrote with the thumb (Teams' feedback form), redacted and at most FEEDBACK_COMMENT_MAX characters. */
  comment?: string;
}

export interface OutboundTurn {
  text: string;
  message: OutboundMessage;
}

export interface TurnCommit {
  conversationId: string;
  /** The inbound turn this commit answers; absent for proactive messages (timeouts). */
  inboundTurnId?: number;
  at: string;
  lang: Lang;
  status: ConversationStatus;
  state: unknown;
  /** Flow runs to insert or update, in order (a run ending before the next one starts). */
  flows: FlowRunRecord[];
  outbound: OutboundTurn[];
  feedback: FeedbackRecord[];
  events: AnalyticsEvent[];
}

export interface TurnRecord {
  id: number;
  conversationId: string;
  direction: 'in' | 'out';
  text: string;
  at: string;
  lang?: Lang;
}

export interface EventQuery {
  types?: AnalyticsEventType[];
  conversationId?: string;
  since?: string;
  until?: string;
  limit?: number;
}

/** Console search over conversations; every field narrows the result. */
export interface ConversationSearch {
  /** Part of the user's id, name or e-mail (case-insensitive). */
  user?: string;
  /** Part of any turn's text (case-insensitive). */
  text?: string;
  status?: ConversationStatus;
  channel?: string;
  /** Last activity at or after this ISO time. */
  activeSince?: string;
  limit?: number;
  offset?: number;
}

export interface ConversationSummary extends Omit<ConversationRecord, 'state'> {
  turns: number;
  /** The first thing the user wrote (redacted). */
  firstText?: string;
}

export interface ConversationStore {
  /**
   * Durably records an inbound message before it is processed (creating the conversation on first
   * contact) and returns the conversation with its active flow. A message already handled comes
   * back with `replay`; one recorded but never finished (crash) is processed again.
   */
  beginTurn(turn: InboundTurn): Promise<BeginTurnResult>;
  /** Atomically stores the outcome of a turn: state, flow run, bot replies, feedback and events. */
  commitTurn(commit: TurnCommit): Promise<void>;
  getConversation(id: string): Promise<ConversationRecord | undefined>;
  /** The conversation at a channel address, if the bot has talked there. */
  findConversation(address: ConversationAddress): Promise<ConversationRecord | undefined>;
  /** The conversation's active flow run, if any. */
  activeFlow(conversationId: string): Promise<FlowRunRecord | undefined>;
  /** Active flow runs with no activity since `before` (ISO), with their conversations. */
  idleFlows(before: string): Promise<Array<{ conversation: ConversationRecord; flow: FlowRunRecord }>>;
  /** Turns of a conversation, oldest first; `since` (ISO) and `limit` (most recent N) narrow it. */
  transcript(conversationId: string, options?: { since?: string; limit?: number }): Promise<TurnRecord[]>;
  events(query?: EventQuery): Promise<AnalyticsEvent[]>;
  feedback(query?: { articleId?: string; since?: string }): Promise<FeedbackRecord[]>;
  /** Most recently active first. Optional: the technician console needs it, the engine does not. */
  searchConversations?(query?: ConversationSearch): Promise<ConversationSummary[]>;
  close?(): Promise<void>;
}
