import type { TicketProvider } from '../engine/ports/tickets.js';
import type { TicketsConfig } from '../config/sections/tickets.js';
import type { StorageBundle } from '../storage/bundle.js';
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
  /** Where local tickets and the outbox live (the app's storage bundle). */
  storage: Pick<StorageBundle, 'localTickets' | 'outbox'>;
  logger?: Logger;
  fetch?: typeof fetch;
}

export function createTicketProvider(config: TicketsConfig, deps: TicketDeps): TicketProvider {
  const p = config.provider;
  const http = { timeoutMs: config.httpTimeoutMs, fetch: deps.fetch };
  switch (p.kind) {
    case 'local':
      return new LocalTicketProvider(
        deps.storage.localTickets({
          prefix: p.numberPrefix,
          onListenerError: (err) => deps.logger?.error({ err: String(err) }, 'ticket change listener failed'),
        }),
      );
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
  return new TicketOutbox({ ...config.outbox, store: deps.storage.outbox, provider, logger: deps.logger });
}
