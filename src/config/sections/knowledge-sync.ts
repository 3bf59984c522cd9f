import { z } from 'zod';
import { httpUrl, intInRange, optionalString } from '../env.js';

/**
 * Scheduled import of knowledge from the systems where it already lives (issue 17, "Bring your
 * own knowledge"). Off unless KNOWLEDGE_SYNC_SOURCES names sources. Credentials come from these
 * variables only and are never written into the knowledge folder. Each source's variables are
 * required only when it is enabled; options are validated again by the source's own schema.
 */
export const KNOWLEDGE_SYNC_SOURCES = ['servicenow', 'zendesk', 'confluence', 'glpi', 'folder'] as const;

const sourceList = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const names = (v ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    for (const n of names) {
      if (!(KNOWLEDGE_SYNC_SOURCES as readonly string[]).includes(n)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `unknown source "${n}" (expected ${KNOWLEDGE_SYNC_SOURCES.join(', ')})` });
      }
    }
    return [...new Set(names)];
  });

const raw = z.object({
  KNOWLEDGE_SYNC_SOURCES: sourceList,
  KNOWLEDGE_SYNC_INTERVAL_MINUTES: intInRange(60, 1, 7 * 24 * 60),
  /** Output root; each source writes into its own subfolder. Default: <articles folder>/imported. */
  KNOWLEDGE_SYNC_DIR: optionalString,
  KNOWLEDGE_SYNC_TIMEOUT_MS: intInRange(30_000, 1_000, 300_000),

  KNOWLEDGE_SYNC_SERVICENOW_URL: httpUrl,
  KNOWLEDGE_SYNC_SERVICENOW_USERNAME: optionalString,
  KNOWLEDGE_SYNC_SERVICENOW_PASSWORD: optionalString,
  KNOWLEDGE_SYNC_SERVICENOW_KNOWLEDGE_BASES: optionalString,
  KNOWLEDGE_SYNC_SERVICENOW_LANGUAGES: optionalString,
  KNOWLEDGE_SYNC_SERVICENOW_EVERYONE_CRITERIA: optionalString,
  KNOWLEDGE_SYNC_SERVICENOW_GUEST_CRITERIA: optionalString,

  KNOWLEDGE_SYNC_ZENDESK_URL: httpUrl,
  KNOWLEDGE_SYNC_ZENDESK_EMAIL: optionalString,
  KNOWLEDGE_SYNC_ZENDESK_API_TOKEN: optionalString,
  KNOWLEDGE_SYNC_ZENDESK_LOCALES: optionalString,

  KNOWLEDGE_SYNC_CONFLUENCE_URL: httpUrl,
  KNOWLEDGE_SYNC_CONFLUENCE_DEPLOYMENT: z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v.trim().toLowerCase() : 'cloud'))
    .pipe(z.enum(['cloud', 'datacenter'], { errorMap: () => ({ message: 'expected cloud or datacenter' }) })),
  KNOWLEDGE_SYNC_CONFLUENCE_EMAIL: optionalString,
  KNOWLEDGE_SYNC_CONFLUENCE_API_TOKEN: optionalString,
  KNOWLEDGE_SYNC_CONFLUENCE_SPACES: optionalString,

  KNOWLEDGE_SYNC_GLPI_URL: httpUrl,
  KNOWLEDGE_SYNC_GLPI_APP_TOKEN: optionalString,
  KNOWLEDGE_SYNC_GLPI_USER_TOKEN: optionalString,

  KNOWLEDGE_SYNC_FOLDER_PATH: optionalString,
});

type Raw = z.output<typeof raw>;

const REQUIRED: Record<(typeof KNOWLEDGE_SYNC_SOURCES)[number], (keyof Raw)[]> = {
  servicenow: ['KNOWLEDGE_SYNC_SERVICENOW_URL', 'KNOWLEDGE_SYNC_SERVICENOW_USERNAME', 'KNOWLEDGE_SYNC_SERVICENOW_PASSWORD'],
  zendesk: ['KNOWLEDGE_SYNC_ZENDESK_URL', 'KNOWLEDGE_SYNC_ZENDESK_EMAIL', 'KNOWLEDGE_SYNC_ZENDESK_API_TOKEN'],
  confluence: ['KNOWLEDGE_SYNC_CONFLUENCE_URL', 'KNOWLEDGE_SYNC_CONFLUENCE_API_TOKEN', 'KNOWLEDGE_SYNC_CONFLUENCE_SPACES'],
  glpi: ['KNOWLEDGE_SYNC_GLPI_URL', 'KNOWLEDGE_SYNC_GLPI_USER_TOKEN'],
  folder: ['KNOWLEDGE_SYNC_FOLDER_PATH'],
};

/** Options of every source whose variables are set (the CLI may import one that the server does not sync). */
function sourceOptions(e: Raw): Record<string, Record<string, unknown>> {
  const timeoutMs = e.KNOWLEDGE_SYNC_TIMEOUT_MS;
  return {
    servicenow: {
      url: e.KNOWLEDGE_SYNC_SERVICENOW_URL,
      username: e.KNOWLEDGE_SYNC_SERVICENOW_USERNAME,
      password: e.KNOWLEDGE_SYNC_SERVICENOW_PASSWORD,
      knowledgeBases: e.KNOWLEDGE_SYNC_SERVICENOW_KNOWLEDGE_BASES,
      languages: e.KNOWLEDGE_SYNC_SERVICENOW_LANGUAGES,
      everyoneCriteria: e.KNOWLEDGE_SYNC_SERVICENOW_EVERYONE_CRITERIA,
      guestCriteria: e.KNOWLEDGE_SYNC_SERVICENOW_GUEST_CRITERIA,
      timeoutMs,
    },
    zendesk: { url: e.KNOWLEDGE_SYNC_ZENDESK_URL, email: e.KNOWLEDGE_SYNC_ZENDESK_EMAIL, apiToken: e.KNOWLEDGE_SYNC_ZENDESK_API_TOKEN, locales: e.KNOWLEDGE_SYNC_ZENDESK_LOCALES, timeoutMs },
    confluence: {
      url: e.KNOWLEDGE_SYNC_CONFLUENCE_URL,
      deployment: e.KNOWLEDGE_SYNC_CONFLUENCE_DEPLOYMENT,
      email: e.KNOWLEDGE_SYNC_CONFLUENCE_EMAIL,
      apiToken: e.KNOWLEDGE_SYNC_CONFLUENCE_API_TOKEN,
      spaces: e.KNOWLEDGE_SYNC_CONFLUENCE_SPACES,
      timeoutMs,
    },
    glpi: { url: e.KNOWLEDGE_SYNC_GLPI_URL, appToken: e.KNOWLEDGE_SYNC_GLPI_APP_TOKEN, userToken: e.KNOWLEDGE_SYNC_GLPI_USER_TOKEN, timeoutMs },
    folder: { path: e.KNOWLEDGE_SYNC_FOLDER_PATH },
  };
}

export const knowledgeSyncSchema = raw
  .superRefine((e, ctx) => {
    for (const name of e.KNOWLEDGE_SYNC_SOURCES) {
      for (const v of REQUIRED[name as keyof typeof REQUIRED] ?? []) {
        if (e[v] === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [v], message: `required when KNOWLEDGE_SYNC_SOURCES includes ${name}` });
      }
    }
  })
  .transform((e) => ({
    /** Sources the server syncs on schedule; empty = no scheduled sync. */
    sources: e.KNOWLEDGE_SYNC_SOURCES,
    intervalMinutes: e.KNOWLEDGE_SYNC_INTERVAL_MINUTES,
    dir: e.KNOWLEDGE_SYNC_DIR,
    /** Per-source options (credentials included): handed to the source descriptor, never written anywhere. */
    options: sourceOptions(e),
  }));

export type KnowledgeSyncConfig = z.output<typeof knowledgeSyncSchema>;
