import { describe, expect, it } from 'vitest';
import { parseSection } from '../../src/config/env.js';
import { ticketsSchema } from '../../src/config/sections/tickets.js';
import { openDatabase } from '../../src/storage/sqlite/database.js';
import { sqliteStorageOn } from '../../src/storage/sqlite/bundle.js';
import { createTicketOutbox, createTicketProvider } from '../../src/tickets/factory.js';
import { LocalTicketProvider } from '../../src/tickets/local.js';
import { ServiceNowProvider } from '../../src/tickets/servicenow.js';
import { JiraProvider } from '../../src/tickets/jira.js';
import { GlpiProvider } from '../../src/tickets/glpi.js';
import { ZendeskProvider } from '../../src/tickets/zendesk.js';
import { WebhookProvider } from '../../src/tickets/webhook.js';

const parse = (env: Record<string, string>) => parseSection(ticketsSchema, env);

describe('tickets configuration and factory', () => {
  it('defaults to the local provider with sane outbox settings', () => {
    const { value, problems } = parse({});
    expect(problems).toEqual([]);
    expect(value!.provider).toEqual({ kind: 'local', numberPrefix: 'HD' });
    expect(value!.outbox).toEqual({ maxAttempts: 12, baseDelayMs: 2000, maxDelayMs: 900_000, leaseMs: 300_000, pollMs: 1000 });
  });

  it('names every missing variable of the chosen provider', () => {
    expect(parse({ TICKET_PROVIDER: 'servicenow' }).problems).toEqual([
      'SERVICENOW_INSTANCE_URL: required when TICKET_PROVIDER=servicenow',
      'SERVICENOW_USERNAME: required when TICKET_PROVIDER=servicenow (or use SERVICENOW_CLIENT_ID/SECRET)',
      'SERVICENOW_PASSWORD: required when TICKET_PROVIDER=servicenow (or use SERVICENOW_CLIENT_ID/SECRET)',
    ]);
    expect(parse({ TICKET_PROVIDER: 'jira', JIRA_BASE_URL: 'https://acme.atlassian.net', JIRA_SERVICE_DESK_ID: 'IT' }).problems).toEqual([
      'JIRA_REQUEST_TYPE_ID: required when TICKET_PROVIDER=jira',
      'JIRA_SERVICE_DESK_ID: expected a numeric id',
      'JIRA_EMAIL: required when TICKET_PROVIDER=jira (Cloud), or set JIRA_PAT (Data Center)',
      'JIRA_API_TOKEN: required when TICKET_PROVIDER=jira (Cloud), or set JIRA_PAT (Data Center)',
    ]);
    expect(parse({ TICKET_PROVIDER: 'glpi', GLPI_API_URL: 'https://glpi.example.org' }).problems).toEqual([
      'GLPI_USER_TOKEN: required when TICKET_PROVIDER=glpi',
      'GLPI_API_URL: expected the URL of apirest.php, e.g. https://glpi.example.org/apirest.php',
    ]);
    expect(parse({ TICKET_PROVIDER: 'zendesk' }).problems).toHaveLength(3);
    expect(parse({ TICKET_PROVIDER: 'webhook', TICKET_WEBHOOK_URL: 'https://x.example.org/h', TICKET_WEBHOOK_SECRET: 'short' }).problems).toEqual([
      'TICKET_WEBHOOK_SECRET: expected at least 32 characters (e.g. openssl rand -hex 32)',
    ]);
    expect(parse({ TICKET_PROVIDER: 'remedy' }).problems).toEqual([
      'TICKET_PROVIDER: expected one of local, servicenow, jira, glpi, zendesk, webhook',
    ]);
    expect(parse({ TICKET_OUTBOX_LEASE_MS: '100000', TICKET_HTTP_TIMEOUT_MS: '15000' }).problems).toEqual([
      'TICKET_OUTBOX_LEASE_MS: must be at least 8 × TICKET_HTTP_TIMEOUT_MS',
    ]);
    expect(
      parse({ TICKET_PROVIDER: 'servicenow', SERVICENOW_INSTANCE_URL: 'https://acme.service-now.com', SERVICENOW_USERNAME: 'u', SERVICENOW_CLIENT_ID: 'c', SERVICENOW_CLIENT_SECRET: 's' }).problems,
    ).toEqual(['SERVICENOW_CLIENT_ID: set either SERVICENOW_USERNAME/PASSWORD or SERVICENOW_CLIENT_ID/SECRET, not both']);
  });

  it('builds each provider from its variables', async () => {
    const db = openDatabase(':memory:');
    const storage = sqliteStorageOn(db);
    const make = (env: Record<string, string>) => {
      const { value, problems } = parse(env);
      expect(problems).toEqual([]);
      return createTicketProvider(value!, { storage });
    };
    expect(make({})).toBeInstanceOf(LocalTicketProvider);
    expect(make({ TICKET_PROVIDER: 'ServiceNow', SERVICENOW_INSTANCE_URL: 'https://acme.service-now.com/', SERVICENOW_CLIENT_ID: 'c', SERVICENOW_CLIENT_SECRET: 's' })).toBeInstanceOf(ServiceNowProvider);
    expect(make({ TICKET_PROVIDER: 'jira', JIRA_BASE_URL: 'https://acme.atlassian.net', JIRA_PAT: 'p', JIRA_SERVICE_DESK_ID: '4', JIRA_REQUEST_TYPE_ID: '25' })).toBeInstanceOf(JiraProvider);
    expect(make({ TICKET_PROVIDER: 'glpi', GLPI_API_URL: 'https://glpi.example.org/apirest.php', GLPI_USER_TOKEN: 't' })).toBeInstanceOf(GlpiProvider);
    expect(make({ TICKET_PROVIDER: 'zendesk', ZENDESK_URL: 'https://acme.zendesk.com', ZENDESK_EMAIL: 'a@b.c', ZENDESK_API_TOKEN: 't', ZENDESK_TAGS: 'a, b' })).toBeInstanceOf(ZendeskProvider);
    expect(make({ TICKET_PROVIDER: 'webhook', TICKET_WEBHOOK_URL: 'https://x.example.org/h', TICKET_WEBHOOK_SECRET: 'x'.repeat(32) })).toBeInstanceOf(WebhookProvider);
    const { value } = parse({ TICKET_PROVIDER: 'zendesk', ZENDESK_URL: 'https://acme.zendesk.com', ZENDESK_EMAIL: 'a@b.c', ZENDESK_API_TOKEN: 't', ZENDESK_TAGS: 'a, b' });
    expect(value!.provider).toMatchObject({ tags: ['a', 'b'] });
    const outbox = createTicketOutbox(parse({}).value!, make({}), { storage });
    expect(await outbox.counts()).toEqual({ pending: 0, delivering: 0, delivered: 0, dead: 0 });
    db.close();
  });
});
