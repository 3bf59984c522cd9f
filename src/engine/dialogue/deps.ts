import type { DialogueConfig } from '../../config/sections/dialogue.js';
import type { Translator } from '../i18n.js';
import type { KnowledgeService } from '../ports/knowledge.js';
import type { ConversationStore } from '../ports/conversation-store.js';
import type { EscalationSink } from '../ports/escalation.js';
import type { TicketProvider } from '../ports/tickets.js';
import type { ActionRegistry } from '../flows/actions.js';
import type { FlowCatalog } from '../flows/catalog.js';
import type { LanguageAssistant } from '../llm/assistant.js';

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
  /** Integration actions for flow `action` steps; defaults to none (every action "not configured"). */
  actions?: ActionRegistry;
  translator?: Translator;
  clock?: () => Date;
  /** UUID generator (packet ids, topic ids, flow run ids). */
  newId?: () => string;
  logger?: EngineLogger;
  /** Optional language model (conversational answers, follow-up rewriting, ticket summaries); absent = extractive only. */
  llm?: LanguageAssistant;
}

export type ResolvedDeps = Required<Omit<EngineDeps, 'tickets' | 'logger' | 'llm'>> & Pick<EngineDeps, 'tickets' | 'logger' | 'llm'>;
