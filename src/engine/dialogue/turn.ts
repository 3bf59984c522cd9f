import { randomBytes } from 'node:crypto';
import type { ConversationAddress, OutboundMessage, ReplyPart, TurnProgress, UserRef } from '../contract.js';
import type { Lang } from '../lang.js';
import type { Params } from '../i18n.js';
import type {
  AnalyticsEvent,
  AnalyticsEventType,
  ConversationRecord,
  ConversationStatus,
  FeedbackRecord,
  FlowRunRecord,
  FlowRunStatus,
} from '../ports/conversation-store.js';
import type { Flow } from '../flows/schema.js';
import type { FlowRun, RunnerEnv } from '../flows/runner.js';
import type { ResolvedDeps } from './deps.js';
import { RECENT_QUESTIONS, REPEAT_WINDOW_MS, type DialogueState, type Topic } from './state.js';

export interface ActiveFlow {
  flow: Flow;
  run: FlowRun;
}

/**
 * One turn of a conversation: the loaded state, the replies and the analytics collected while
 * handling it. Handlers mutate it; the engine commits it to the store in one transaction.
 */
export class Turn {
  readonly messages: OutboundMessage[] = [];
  readonly events: AnalyticsEvent[] = [];
  readonly feedback: FeedbackRecord[] = [];
  /** Flow runs to persist, in order. */
  readonly flowWrites: FlowRunRecord[] = [];
  status: ConversationStatus;
  /** The channel's live progress display for this turn, if it has one. */
  progress: TurnProgress | undefined;

  constructor(
    readonly deps: ResolvedDeps,
    readonly conversation: ConversationRecord,
    public state: DialogueState,
    public flow: ActiveFlow | undefined,
    public lang: Lang,
    readonly now: Date,
    readonly user: UserRef,
  ) {
    this.status = conversation.status;
  }

  get address(): ConversationAddress {
    return this.conversation.address;
  }

  get at(): string {
    return this.now.toISOString();
  }

  t(key: string, params?: Params): string {
    return this.deps.translator.t(this.lang, `dialogue.${key}`, params);
  }

  common(key: string): string {
    return this.deps.translator.t(this.lang, `common.${key}`);
  }

  send(parts: ReplyPart[]): void {
    if (parts.length) this.messages.push({ lang: this.lang, parts });
  }

  text(key: string, params?: Params): void {
    this.send([{ kind: 'text', text: this.t(key, params) }]);
  }

  /** A short random token tying buttons to the prompt that showed them. */
  nonce(): string {
    return randomBytes(6).toString('base64url');
  }

  event(type: AnalyticsEventType, fields: Partial<Omit<AnalyticsEvent, 'type' | 'at' | 'conversationId' | 'channel' | 'lang'>> = {}): void {
    this.events.push({
      type,
      at: this.at,
      conversationId: this.conversation.id,
      channel: this.address.channel,
      lang: this.lang,
      ...(this.state.topic ? { topicId: this.state.topic.id } : {}),
      ...fields,
    });
  }

  /** Questions asked within the repeat window: asking one again is a sign of frustration. */
  recentQuestionTexts(): string[] {
    const since = this.now.getTime() - REPEAT_WINDOW_MS;
    return this.state.recentQuestions.filter((q) => Date.parse(q.at) >= since).map((q) => q.text);
  }

  /** Starts a new topic (a new question): follow-ups and "no" answers refer to it. */
  newTopic(question: string): Topic {
    const topic: Topic = {
      id: this.deps.newId(),
      question,
      startedAt: this.at,
      articlesShown: [],
      flowsTried: [],
      consecutiveNo: 0,
    };
    this.state.topic = topic;
    this.state.pending = undefined;
    this.state.recentQuestions = [...this.state.recentQuestions, { text: question, at: this.at }].slice(-RECENT_QUESTIONS);
    this.status = 'active';
    return topic;
  }

  /** Records the flow run's new state; a run that is no longer active leaves the turn. */
  saveFlow(active: ActiveFlow, status: FlowRunStatus): void {
    this.flowWrites.push({
      id: active.run.runId,
      conversationId: this.conversation.id,
      flowId: active.flow.id,
      stepId: active.run.stepId,
      status,
      state: active.run,
      startedAt: active.run.startedAt,
      updatedAt: active.run.updatedAt,
    });
    this.flow = status === 'active' ? active : undefined;
  }

  /** Ends the active flow: analytics, the topic's flow trace (for a ticket), and the stored run. */
  endFlow(status: Exclude<FlowRunStatus, 'active'>, data?: Record<string, unknown>): void {
    const active = this.flow;
    if (!active) return;
    this.event('flow_ended', { flowId: active.flow.id, stepId: active.run.stepId, value: status, ...(data ? { data } : {}) });
    if (this.state.topic) {
      this.state.topic.flowTrace = { flowId: active.flow.id, path: active.run.path, outcome: status === 'timed_out' ? 'abandoned' : status };
    }
    this.saveFlow(active, status);
  }

  runnerEnv(): RunnerEnv {
    const { config, translator, actions } = this.deps;
    return {
      lang: this.lang,
      placeholders: {
        passwordResetUrl: config.passwordResetUrl,
        mfaSetupUrl: config.mfaSetupUrl,
        serviceDesk: config.serviceDeskContact ?? this.t('flow.service_desk'),
        userName: this.user.name?.split(' ')[0] ?? '',
      },
      actions,
      actionContext: { channel: this.address.channel, user: this.user, lang: this.lang, conversationId: this.conversation.id },
      t: translator,
      now: () => this.at,
      nonce: () => this.nonce(),
    };
  }
}
