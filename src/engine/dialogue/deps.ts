import type { DialogueConfig } from '../../config/sections/dialogue.js';
import type { Translator } from '../i18n.js';
import type { KnowledgeService } from '../ports/knowledge.js';
import type { ConversationStore } from '../ports/conversation-store.js';
import type { EscalationSink } from '../ports/escalation.js';
import type { TicketOwnership, TicketProvider } from '../ports/tickets.js';
import type { ActionRegistry } from '../flows/actions.js';
import type { FlowCatalog } from '../flows/catalog.js';
import type { LanguageAssistant } from '../llm/assistant.js';
import type { TurnInterceptor } from './intercept.js';
import type { LabelledExampleStore } from '../ports/labelled-examples.js';
import type { KeyedLock } from '../ports/coordination.js';

/** Minimal logger (pino-compatible); the engine only ever logs redacted text. */
export interface EngineLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Everything the engine needs, as ports: the composition root wires the adapters. */
export interface EngineDeps {
  knowledge: KnowledgeService;
  store: ConversationStore;
  escalation: EscalationSink;
  flows: FlowCatalog;
  config: DialogueConfig;
  /** For "status of HD-000123" and "my tickets"; without it the bot says lookups are not available. */
  tickets?: TicketProvider;
  /** For providers that do not say who requested a ticket: tickets opened from the user's own conversations. */
  ticketOwnership?: TicketOwnership;
  /** Integration actions for flow `action` steps; defaults to none (every action "not configured"). */
  actions?: ActionRegistry;
  translator?: Translator;
  clock?: () => Date;
  /** UUID generator (packet ids, topic ids, flow run ids). */
  newId?: () => string;
  logger?: EngineLogger;
  /** Optional language model (conversational answers, follow-up rewriting, ticket summaries); absent = extractive only. */
  llm?: LanguageAssistant;
  /**
   * Tickets a user may open (per channel and user id): a script cannot flood the ticket system.
   * Absent: no limit.
   */
  ticketLimit?: { take(key: string): TicketLimitResult | Promise<TicketLimitResult> };
  /** Sees each turn first and may take it (the live handoff keeps the bot silent while a technician talks). */
  beforeTurn?: TurnInterceptor;
  /** Where an employee's confirmed "it worked" becomes a labelled example (README "Learning from the desk"). */
  labels?: LabelledExampleStore;
  /**
   * Serialises the engine's work on one conversation's state (turns, announcements, ticket news,
   * technician relay, guided-fix time-outs), under keys `engine:<conversation>`. With several
   * replicas it must be the cross-replica lock; absent: a lock in this process's memory.
   */
  lock?: KeyedLock;
}

type TicketLimitResult = { ok: true } | { ok: false; retryAfterSeconds: number };

type OptionalDeps = 'tickets' | 'ticketOwnership' | 'logger' | 'llm' | 'beforeTurn' | 'ticketLimit' | 'labels' | 'lock';
export type ResolvedDeps = Required<Omit<EngineDeps, OptionalDeps>> & Pick<EngineDeps, OptionalDeps>;
