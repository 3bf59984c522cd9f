import { z } from 'zod';
import { boolFlag, httpUrl, intInRange, optionalString } from '../env.js';
import { DEFAULT_LANG, LANGS } from '../../engine/lang.js';

/**
 * Channels and the HTTP server. Teams credentials and Slack credentials are each all-or-nothing:
 * without them the server runs the web chat (and the Bot Framework endpoint in local/emulator
 * mode); a partial set is reported by name at start. Documented in .env.example ("Channels").
 */

export const MICROSOFT_APP_TYPES = ['SingleTenant', 'MultiTenant', 'UserAssignedMSI'] as const;
export type MicrosoftAppType = (typeof MICROSOFT_APP_TYPES)[number];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const appType = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return undefined;
    const found = MICROSOFT_APP_TYPES.find((t) => t.toLowerCase() === v.trim().toLowerCase());
    if (!found) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected one of ${MICROSOFT_APP_TYPES.join(', ')}, got "${v}"` });
      return z.NEVER;
    }
    return found;
  });

const raw = z.object({
  MICROSOFT_APP_ID: optionalString,
  MICROSOFT_APP_PASSWORD: optionalString,
  MICROSOFT_APP_TENANT_ID: optionalString,
  MICROSOFT_APP_TYPE: appType,
  /** Teams channel (19:…@thread.tacv2) where technicians receive handoffs. */
  TEAMS_TECHNICIANS_CHANNEL_ID: optionalString,

  SLACK_BOT_TOKEN: optionalString,
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_API_URL: httpUrl,
  /** Slack channel id (C…/G…) where technicians receive handoffs. */
  SLACK_TECHNICIANS_CHANNEL: optionalString,

  /** Minutes a live handoff waits for a taker before the watchdog reminds the technicians and tells the user (then again each interval). */
  HANDOFF_WATCHDOG_MINUTES: intInRange(10, 1, 24 * 60),
  /** Watchdog reminders per handoff at most. */
  HANDOFF_MAX_REMINDERS: intInRange(3, 0, 50),
  /** Language of the technicians' channel (cards, notes, reminders). */
  HANDOFF_LANG: z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v.trim().toLowerCase() : DEFAULT_LANG))
    .pipe(z.enum(LANGS, { errorMap: () => ({ message: `expected one of ${LANGS.join(', ')}` }) })),

  WEB_CHAT_ENABLED: boolFlag(true),
  SHUTDOWN_TIMEOUT_SECONDS: intInRange(15, 1, 600),
  FLOW_SWEEP_INTERVAL_SECONDS: intInRange(60, 1, 3600),
});

type Raw = z.output<typeof raw>;

function checkTeams(e: Raw, ctx: z.RefinementCtx): void {
  const issue = (path: keyof Raw, message: string): void => ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message });
  const any = e.MICROSOFT_APP_ID ?? e.MICROSOFT_APP_PASSWORD ?? e.MICROSOFT_APP_TENANT_ID ?? e.MICROSOFT_APP_TYPE;
  if (any === undefined) return;
  if (e.MICROSOFT_APP_ID === undefined) return issue('MICROSOFT_APP_ID', 'required when any MICROSOFT_APP_* variable is set');
  if (!GUID.test(e.MICROSOFT_APP_ID)) issue('MICROSOFT_APP_ID', 'expected the application (client) ID, a GUID');
  if (e.MICROSOFT_APP_TENANT_ID !== undefined && !GUID.test(e.MICROSOFT_APP_TENANT_ID)) {
    issue('MICROSOFT_APP_TENANT_ID', 'expected the directory (tenant) ID, a GUID');
  }
  switch (e.MICROSOFT_APP_TYPE ?? 'MultiTenant') {
    case 'SingleTenant':
      if (e.MICROSOFT_APP_PASSWORD === undefined) issue('MICROSOFT_APP_PASSWORD', 'required when MICROSOFT_APP_TYPE=SingleTenant');
      if (e.MICROSOFT_APP_TENANT_ID === undefined) issue('MICROSOFT_APP_TENANT_ID', 'required when MICROSOFT_APP_TYPE=SingleTenant');
      return;
    case 'MultiTenant':
      if (e.MICROSOFT_APP_PASSWORD === undefined) issue('MICROSOFT_APP_PASSWORD', 'required when MICROSOFT_APP_TYPE=MultiTenant (the default)');
      return;
    case 'UserAssignedMSI':
      if (e.MICROSOFT_APP_TENANT_ID === undefined) issue('MICROSOFT_APP_TENANT_ID', 'required when MICROSOFT_APP_TYPE=UserAssignedMSI');
      if (e.MICROSOFT_APP_PASSWORD !== undefined) issue('MICROSOFT_APP_PASSWORD', 'must be empty when MICROSOFT_APP_TYPE=UserAssignedMSI (the managed identity has no secret)');
      return;
  }
}

function checkSlack(e: Raw, ctx: z.RefinementCtx): void {
  const issue = (path: keyof Raw, message: string): void => ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message });
  if (e.SLACK_BOT_TOKEN === undefined && e.SLACK_SIGNING_SECRET === undefined) return;
  if (e.SLACK_BOT_TOKEN === undefined) issue('SLACK_BOT_TOKEN', 'required with SLACK_SIGNING_SECRET');
  else if (!e.SLACK_BOT_TOKEN.startsWith('xoxb-')) issue('SLACK_BOT_TOKEN', 'expected the Bot User OAuth Token (xoxb-…)');
  if (e.SLACK_SIGNING_SECRET === undefined) issue('SLACK_SIGNING_SECRET', 'required with SLACK_BOT_TOKEN: every request from Slack is checked with it');
}

export const channelsSchema = raw
  .superRefine((e, ctx) => {
    checkTeams(e, ctx);
    checkSlack(e, ctx);
  })
  .transform((e) => ({
    teams: {
      /** Undefined: local/emulator mode, no authentication (only loopback service URLs accepted). */
      credentials:
        e.MICROSOFT_APP_ID === undefined
          ? undefined
          : {
              appId: e.MICROSOFT_APP_ID,
              password: e.MICROSOFT_APP_PASSWORD,
              tenantId: e.MICROSOFT_APP_TENANT_ID,
              appType: e.MICROSOFT_APP_TYPE ?? ('MultiTenant' as MicrosoftAppType),
            },
      techniciansChannelId: e.TEAMS_TECHNICIANS_CHANNEL_ID,
    },
    slack:
      e.SLACK_BOT_TOKEN !== undefined && e.SLACK_SIGNING_SECRET !== undefined
        ? {
            botToken: e.SLACK_BOT_TOKEN,
            signingSecret: e.SLACK_SIGNING_SECRET,
            apiUrl: `${e.SLACK_API_URL ?? 'https://slack.com/api'}/`,
            techniciansChannel: e.SLACK_TECHNICIANS_CHANNEL,
          }
        : undefined,
    /** Live handoff to a technician: on when a technicians' channel is set (Teams or Slack). */
    handoff: {
      watchdogMinutes: e.HANDOFF_WATCHDOG_MINUTES,
      maxReminders: e.HANDOFF_MAX_REMINDERS,
      techniciansLang: e.HANDOFF_LANG,
    },
    web: { enabled: e.WEB_CHAT_ENABLED },
    server: {
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000,
      sweepIntervalMs: e.FLOW_SWEEP_INTERVAL_SECONDS * 1000,
    },
  }));

export type ChannelsConfig = z.output<typeof channelsSchema>;
export type TeamsCredentials = NonNullable<ChannelsConfig['teams']['credentials']>;
export type SlackConfig = NonNullable<ChannelsConfig['slack']>;
