import type { TicketProvider } from '../engine/ports/tickets.js';
import type { OutboxStore } from '../engine/ports/outbox.js';
import type { LocalTicketStore } from '../engine/ports/local-tickets.js';
import type { TicketsConfig } from '../config/sections/tickets.js';
import { migrate, type Db } from '../storage/sqlite/database.js';
import { SqliteTicketStore, ticketMigrations } from '../storage/sqlite/ticket-store.js';
import { SqliteOutboxStore, outboxMigrations } from '../storage/sqlite/outbox-store.js';
import type { Logger } from '../log.js';
import { LocalTicketProvider } from './local.js';
import { ServiceNowProvider } from './servicenow.js';
import { JiraProvider } from './jira.js';
import { GlpiProvider } from './glpi.js';
import { ZendeskProvider } from './zendesk.js';
import { WebhookProvider } from './webhook.js';
import { TicketOutbox } from './outbox.js';

/** Composition helpers: the configured provider, and the outbox that delivers to it. */
export interface TicketDeps {
  /** The application database (local tickets and the outbox live there). */
  db: Db;
  logger?: Logger;
  fetch?: typeof fetch;
  /** The outbox store when it is not the SQLite one in `db` (PostgreSQL). */
  store?: OutboxStore;
  /** Builds the local ticket store when it is not the SQLite one in `db` (PostgreSQL). */
  localTickets?: (options: { prefix: string; onListenerError: (err: unknown) => void }) => LocalTicketStore;
}

export function createTicketProvider(config: TicketsConfig, deps: TicketDeps): TicketProvider {
  const p = config.provider;
  const http = { timeoutMs: config.httpTimeoutMs, fetch: deps.fetch };
  switch (p.kind) {
    case 'local': {
      const options = {
        prefix: p.numberPrefix,
        onListenerError: (err: unknown) => deps.logger?.error({ err: String(err) }, 'ticket change listener failed'),
      };
      if (deps.localTickets) return new LocalTicketProvider(deps.localTickets(options));
      migrate(deps.db, ticketMigrations);
      return new LocalTicketProvider(new SqliteTicketStore(deps.db, options));
    }
    case 'servicenow':
      return new ServiceNowProvider({ config: p, ...http });
    case 'jira':
      return new JiraProvider({ config: p, ...http });
    case 'glpi':
      return new GlpiProvider({ config: p, ...http });
    case 'zendesk':
      return new ZendeskProvider({ config: p, ...http });
    case 'webhook':
      return new WebhookProvider({ config: p, ...http });
  }
}

export function createTicketOutbox(config: TicketsConfig, provider: TicketProvider, deps: TicketDeps): TicketOutbox {
  const store = deps.store ?? (migrate(deps.db, outboxMigrations), new SqliteOutboxStore(deps.db));
  return new TicketOutbox({ ...config.outbox, store, provider, logger: deps.logger });
}
