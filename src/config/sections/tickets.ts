import { z } from 'zod';
import { httpUrl, intInRange, optionalString } from '../env.js';

/**
 * Ticket system settings. TICKET_PROVIDER picks one adapter; only that adapter's variables are
 * required, and each missing one is reported by name. Everything is documented in .env.example.
 */
export const TICKET_PROVIDERS = ['local', 'servicenow', 'jira', 'glpi', 'zendesk', 'webhook'] as const;
export type TicketProviderName = (typeof TICKET_PROVIDERS)[number];

const list = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean));

const raw = z.object({
  TICKET_PROVIDER: z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v.trim().toLowerCase() : 'local'))
    .pipe(z.enum(TICKET_PROVIDERS, { errorMap: () => ({ message: `expected one of ${TICKET_PROVIDERS.join(', ')}` }) })),
  TICKET_HTTP_TIMEOUT_MS: intInRange(15_000, 1_000, 120_000),
  TICKET_NUMBER_PREFIX: z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v.trim().toUpperCase() : 'HD'))
    .pipe(z.string().regex(/^[A-Z]{1,10}$/, 'expected 1 to 10 letters, e.g. HD')),
  TICKET_OUTBOX_MAX_ATTEMPTS: intInRange(12, 1, 100),
  TICKET_OUTBOX_BASE_DELAY_MS: intInRange(2_000, 10, 600_000),
  TICKET_OUTBOX_MAX_DELAY_MS: intInRange(900_000, 100, 86_400_000),
  TICKET_OUTBOX_LEASE_MS: intInRange(300_000, 1_000, 3_600_000),
  TICKET_OUTBOX_POLL_MS: intInRange(1_000, 50, 600_000),
  /** Shared secret of POST /api/tickets/events (status changes pushed by the ticket system); unset: the endpoint answers 404. */
  TICKET_EVENTS_SECRET: optionalString,
  /** Replay window of that endpoint: requests signed longer ago (or ahead) than this are refused. */
  TICKET_EVENTS_TOLERANCE_SECONDS: intInRange(300, 30, 3600),

  SERVICENOW_INSTANCE_URL: httpUrl,
  SERVICENOW_USERNAME: optionalString,
  SERVICENOW_PASSWORD: optionalString,
  SERVICENOW_CLIENT_ID: optionalString,
  SERVICENOW_CLIENT_SECRET: optionalString,
  SERVICENOW_ASSIGNMENT_GROUP: optionalString,
  SERVICENOW_CATEGORY: optionalString,

  JIRA_BASE_URL: httpUrl,
  JIRA_EMAIL: optionalString,
  JIRA_API_TOKEN: optionalString,
  JIRA_PAT: optionalString,
  JIRA_SERVICE_DESK_ID: optionalString,
  JIRA_REQUEST_TYPE_ID: optionalString,
  JIRA_SEARCH_SETTLE_MS: intInRange(30_000, 0, 600_000),

  GLPI_API_URL: httpUrl,
  GLPI_APP_TOKEN: optionalString,
  GLPI_USER_TOKEN: optionalString,
  GLPI_ENTITY_ID: optionalString,
  GLPI_CATEGORY_ID: optionalString,

  ZENDESK_URL: httpUrl,
  ZENDESK_EMAIL: optionalString,
  ZENDESK_API_TOKEN: optionalString,
  ZENDESK_GROUP_ID: optionalString,
  ZENDESK_TAGS: list,

  TICKET_WEBHOOK_URL: httpUrl,
  TICKET_WEBHOOK_SECRET: optionalString,
  TICKET_WEBHOOK_STATUS_URL: optionalString,
  TICKET_WEBHOOK_LIST_URL: optionalString,
});

type Raw = z.output<typeof raw>;

const numeric = (v: string | undefined) => v === undefined || /^\d+$/.test(v);

/** Which variables each provider needs; `either` lists alternatives of which one complete set is required. */
function checkProvider(e: Raw, ctx: z.RefinementCtx): void {
  const need = (name: keyof Raw, why = `required when TICKET_PROVIDER=${e.TICKET_PROVIDER}`) => {
    if (e[name] === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message: why });
  };
  const mustBeNumeric = (name: keyof Raw) => {
    if (!numeric(e[name] as string | undefined)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message: 'expected a numeric id' });
  };
  switch (e.TICKET_PROVIDER) {
    case 'local':
      return;
    case 'servicenow': {
      need('SERVICENOW_INSTANCE_URL');
      const basic = e.SERVICENOW_USERNAME !== undefined || e.SERVICENOW_PASSWORD !== undefined;
      const oauth = e.SERVICENOW_CLIENT_ID !== undefined || e.SERVICENOW_CLIENT_SECRET !== undefined;
      if (basic && oauth) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['SERVICENOW_CLIENT_ID'], message: 'set either SERVICENOW_USERNAME/PASSWORD or SERVICENOW_CLIENT_ID/SECRET, not both' });
      } else if (oauth) {
        need('SERVICENOW_CLIENT_ID', 'required with SERVICENOW_CLIENT_SECRET');
        need('SERVICENOW_CLIENT_SECRET', 'required with SERVICENOW_CLIENT_ID');
      } else {
        need('SERVICENOW_USERNAME', 'required when TICKET_PROVIDER=servicenow (or use SERVICENOW_CLIENT_ID/SECRET)');
        need('SERVICENOW_PASSWORD', 'required when TICKET_PROVIDER=servicenow (or use SERVICENOW_CLIENT_ID/SECRET)');
      }
      return;
    }
    case 'jira':
      need('JIRA_BASE_URL');
      need('JIRA_SERVICE_DESK_ID');
      need('JIRA_REQUEST_TYPE_ID');
      mustBeNumeric('JIRA_SERVICE_DESK_ID');
      mustBeNumeric('JIRA_REQUEST_TYPE_ID');
      if (e.JIRA_PAT === undefined) {
        need('JIRA_EMAIL', 'required when TICKET_PROVIDER=jira (Cloud), or set JIRA_PAT (Data Center)');
        need('JIRA_API_TOKEN', 'required when TICKET_PROVIDER=jira (Cloud), or set JIRA_PAT (Data Center)');
      }
      return;
    case 'glpi':
      need('GLPI_API_URL');
      need('GLPI_USER_TOKEN');
      mustBeNumeric('GLPI_ENTITY_ID');
      mustBeNumeric('GLPI_CATEGORY_ID');
      if (e.GLPI_API_URL && !/\/apirest\.php$/.test(e.GLPI_API_URL)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['GLPI_API_URL'], message: 'expected the URL of apirest.php, e.g. https://glpi.example.org/apirest.php' });
      }
      return;
    case 'zendesk':
      need('ZENDESK_URL');
      need('ZENDESK_EMAIL');
      need('ZENDESK_API_TOKEN');
      mustBeNumeric('ZENDESK_GROUP_ID');
      return;
    case 'webhook':
      need('TICKET_WEBHOOK_URL');
      need('TICKET_WEBHOOK_SECRET');
      if (e.TICKET_WEBHOOK_SECRET !== undefined && e.TICKET_WEBHOOK_SECRET.length < 32) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['TICKET_WEBHOOK_SECRET'], message: 'expected at least 32 characters (e.g. openssl rand -hex 32)' });
      }
      return;
  }
}

export type TicketProviderConfig =
  | { kind: 'local'; numberPrefix: string }
  | {
      kind: 'servicenow';
      instanceUrl: string;
      auth: { type: 'basic'; username: string; password: string } | { type: 'oauth'; clientId: string; clientSecret: string };
      /** sys_id of the assignment group. */
      assignmentGroup?: string;
      /** Category when the packet has none. */
      defaultCategory?: string;
    }
  | {
      kind: 'jira';
      baseUrl: string;
      auth: { type: 'basic'; email: string; apiToken: string } | { type: 'pat'; token: string };
      serviceDeskId: string;
      requestTypeId: string;
      searchSettleMs: number;
    }
  | { kind: 'glpi'; apiUrl: string; appToken?: string; userToken: string; entityId?: number; categoryId?: number }
  | { kind: 'zendesk'; url: string; email: string; apiToken: string; groupId?: number; tags: string[] }
  | { kind: 'webhook'; url: string; secret: string; statusUrl?: string; listUrl?: string };

// superRefine has already checked that the chosen provider's variables are present.
const req = <T>(v: T | undefined): T => v as T;

function providerConfig(e: Raw): TicketProviderConfig {
  switch (e.TICKET_PROVIDER) {
    case 'local':
      return { kind: 'local' as const, numberPrefix: e.TICKET_NUMBER_PREFIX };
    case 'servicenow':
      return {
        kind: 'servicenow' as const,
        instanceUrl: req(e.SERVICENOW_INSTANCE_URL),
        auth:
          e.SERVICENOW_CLIENT_ID !== undefined
            ? { type: 'oauth' as const, clientId: req(e.SERVICENOW_CLIENT_ID), clientSecret: req(e.SERVICENOW_CLIENT_SECRET) }
            : { type: 'basic' as const, username: req(e.SERVICENOW_USERNAME), password: req(e.SERVICENOW_PASSWORD) },
        assignmentGroup: e.SERVICENOW_ASSIGNMENT_GROUP,
        defaultCategory: e.SERVICENOW_CATEGORY,
      };
    case 'jira':
      return {
        kind: 'jira' as const,
        baseUrl: req(e.JIRA_BASE_URL),
        auth:
          e.JIRA_PAT !== undefined
            ? { type: 'pat' as const, token: e.JIRA_PAT }
            : { type: 'basic' as const, email: req(e.JIRA_EMAIL), apiToken: req(e.JIRA_API_TOKEN) },
        serviceDeskId: req(e.JIRA_SERVICE_DESK_ID),
        requestTypeId: req(e.JIRA_REQUEST_TYPE_ID),
        searchSettleMs: e.JIRA_SEARCH_SETTLE_MS,
      };
    case 'glpi':
      return {
        kind: 'glpi' as const,
        apiUrl: req(e.GLPI_API_URL),
        appToken: e.GLPI_APP_TOKEN,
        userToken: req(e.GLPI_USER_TOKEN),
        entityId: e.GLPI_ENTITY_ID === undefined ? undefined : Number(e.GLPI_ENTITY_ID),
        categoryId: e.GLPI_CATEGORY_ID === undefined ? undefined : Number(e.GLPI_CATEGORY_ID),
      };
    case 'zendesk':
      return {
        kind: 'zendesk' as const,
        url: req(e.ZENDESK_URL),
        email: req(e.ZENDESK_EMAIL),
        apiToken: req(e.ZENDESK_API_TOKEN),
        groupId: e.ZENDESK_GROUP_ID === undefined ? undefined : Number(e.ZENDESK_GROUP_ID),
        tags: e.ZENDESK_TAGS.length ? e.ZENDESK_TAGS : ['helpdesk-bot'],
      };
    case 'webhook':
      return {
        kind: 'webhook' as const,
        url: req(e.TICKET_WEBHOOK_URL),
        secret: req(e.TICKET_WEBHOOK_SECRET),
        statusUrl: e.TICKET_WEBHOOK_STATUS_URL,
        listUrl: e.TICKET_WEBHOOK_LIST_URL,
      };
  }
}

export const ticketsSchema = raw
  .superRefine((e, ctx) => {
    checkProvider(e, ctx);
    if (e.TICKET_EVENTS_SECRET !== undefined && e.TICKET_EVENTS_SECRET.length < 32) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['TICKET_EVENTS_SECRET'], message: 'expected at least 32 characters (e.g. openssl rand -hex 32)' });
    }
    if (e.TICKET_OUTBOX_MAX_DELAY_MS < e.TICKET_OUTBOX_BASE_DELAY_MS) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['TICKET_OUTBOX_MAX_DELAY_MS'], message: 'must be at least TICKET_OUTBOX_BASE_DELAY_MS' });
    }
    // A delivery makes up to seven HTTP calls (GLPI); the lease must outlive them or two workers could overlap.
    if (e.TICKET_OUTBOX_LEASE_MS < 8 * e.TICKET_HTTP_TIMEOUT_MS) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['TICKET_OUTBOX_LEASE_MS'], message: 'must be at least 8 × TICKET_HTTP_TIMEOUT_MS' });
    }
  })
  .transform((e) => ({
    provider: providerConfig(e),
    httpTimeoutMs: e.TICKET_HTTP_TIMEOUT_MS,
    /** Inbound status events (POST /api/tickets/events); undefined: the endpoint is off. */
    events: e.TICKET_EVENTS_SECRET === undefined ? undefined : { secret: e.TICKET_EVENTS_SECRET, toleranceSeconds: e.TICKET_EVENTS_TOLERANCE_SECONDS },
    outbox: {
      maxAttempts: e.TICKET_OUTBOX_MAX_ATTEMPTS,
      baseDelayMs: e.TICKET_OUTBOX_BASE_DELAY_MS,
      maxDelayMs: e.TICKET_OUTBOX_MAX_DELAY_MS,
      leaseMs: e.TICKET_OUTBOX_LEASE_MS,
      pollMs: e.TICKET_OUTBOX_POLL_MS,
    },
  }));

export type TicketsConfig = z.output<typeof ticketsSchema>;
export type ProviderConfig<K extends TicketProviderName> = Extract<TicketProviderConfig, { kind: K }>;
