import { resolve } from 'node:path';
import { Router } from 'express';
import type { AppConfig } from '../config/index.js';
import type { Translator } from '../engine/i18n.js';
import type { ConversationStore } from '../engine/ports/conversation-store.js';
import type { DraftStore } from '../engine/ports/drafts.js';
import type { ManagedKnowledgeService } from '../engine/ports/knowledge.js';
import type { StorageBundle } from '../storage/bundle.js';
import type { TicketProvider } from '../engine/ports/tickets.js';
import type { ActionAuditLog } from '../engine/ports/action-audit.js';
import type { Logger } from '../log.js';
import { LocalTicketProvider } from '../tickets/local.js';
import type { TicketOutbox } from '../tickets/outbox.js';
import { createConsoleRouter, type ConsoleDeps, type ReplySender } from './index.js';

/** What the composition root hands the console. */
export interface ConsoleContext {
  config: AppConfig;
  logger: Logger;
  knowledge: ManagedKnowledgeService;
  store: ConversationStore;
  drafts: DraftStore;
  outbox: TicketOutbox;
  tickets: TicketProvider;
  translator: Translator;
  /** Technicians' notes and the sign-in audit log come from the app's storage bundle. */
  storage: Pick<StorageBundle, 'ticketNotes' | 'adminAudit'>;
  /** Technicians' replies go out through the app's ProactiveRouter. */
  proactive?: ReplySender;
  knowledgeSync?: ConsoleDeps['knowledgeSync'];
  actionAudit?: ActionAuditLog;
  labels?: ConsoleDeps['labels'];
  calibration?: ConsoleDeps['calibration'];
}

/** The console mounted at /admin, or nothing (with a clear log line) when ADMIN_TOKEN is not set. */
export function consoleRoutes(context: ConsoleContext): Router[] {
  const { config, logger } = context;
  const token = config.console.adminToken;
  if (!token) {
    logger.warn('technician console disabled: set ADMIN_TOKEN (at least 16 characters) to enable /admin');
    return [];
  }
  const secureCookie = config.console.cookieSecure === 'auto' ? Boolean(config.core.publicUrl?.startsWith('https:')) : config.console.cookieSecure;
  const audit = context.storage.adminAudit;
  const router = Router();
  router.use(
    '/admin',
    createConsoleRouter({
      config: { ...config.console, adminToken: token },
      kbDir: resolve(config.core.kbDir),
      secureCookie,
      knowledge: context.knowledge,
      store: context.store,
      drafts: context.drafts,
      outbox: context.outbox,
      ...(context.tickets instanceof LocalTicketProvider ? { tickets: context.tickets.store } : {}),
      providerName: context.tickets.name,
      notes: context.storage.ticketNotes,
      ...(context.proactive ? { replies: context.proactive } : {}),
      translator: context.translator,
      logger: logger.child({ part: 'console' }),
      audit: (entry) => audit.record(entry),
      ...(context.knowledgeSync ? { knowledgeSync: context.knowledgeSync } : {}),
      ...(context.actionAudit ? { actionAudit: context.actionAudit } : {}),
      ...(context.labels ? { labels: context.labels } : {}),
      ...(context.calibration ? { calibration: context.calibration } : {}),
    }),
  );
  logger.info('technician console at /admin');
  return [router];
}
