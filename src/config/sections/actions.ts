import { z } from 'zod';
import { intInRange } from '../env.js';
import { DIRECTORY_PROVIDERS, directoryProvider } from '../../directory/registry.js';
import { KNOWN_ACTIONS } from '../../engine/flows/actions.js';

/**
 * Actions on the user's own account through the identity provider (README "Actions"). Off unless
 * both a DIRECTORY_PROVIDER and the actions in ACTIONS_ENABLED are set; the chosen provider's own
 * variables are checked by its descriptor (src/directory/<provider>.ts).
 */
const names = DIRECTORY_PROVIDERS.map((d) => d.name);

const actionList = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const list = (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    for (const a of list) {
      if (!(KNOWN_ACTIONS as readonly string[]).includes(a)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `unknown action "${a}" (known: ${KNOWN_ACTIONS.join(', ')})` });
    }
    return list;
  });

/** `directory.unlockAccount=Staff,Pilot;directory.resetMfa=Staff`: only members of those groups may use that action. */
const groupMap = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const map: Record<string, string[]> = {};
    for (const entry of (v ?? '').split(';').map((s) => s.trim()).filter(Boolean)) {
      const [action, groups] = entry.split('=', 2).map((s) => s.trim());
      if (!action || !groups || !(KNOWN_ACTIONS as readonly string[]).includes(action)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected "<action>=<group>,<group>;…" with a known action, got "${entry}"` });
        continue;
      }
      map[action] = groups.split(',').map((g) => g.trim()).filter(Boolean);
    }
    return map;
  });

export const actionsSchema = z
  .object({
    DIRECTORY_PROVIDER: z
      .string()
      .optional()
      .transform((v) => (v?.trim() ? v.trim().toLowerCase() : 'none'))
      .pipe(z.enum(['none', ...names] as [string, ...string[]], { errorMap: () => ({ message: `expected none or one of ${names.join(', ')}` }) })),
    ACTIONS_ENABLED: actionList,
    ACTION_GROUPS: groupMap,
    ACTIONS_PER_USER_PER_HOUR: intInRange(3, 1, 100),
    DIRECTORY_TIMEOUT_MS: intInRange(10_000, 500, 120_000),
    /** How long a user's directory groups (audiences of restricted articles) are kept before being read again. */
    DIRECTORY_GROUPS_CACHE_MINUTES: intInRange(15, 1, 24 * 60),
  })
  .passthrough()
  .transform((e, ctx) => {
    const descriptor = e.DIRECTORY_PROVIDER === 'none' ? undefined : directoryProvider(e.DIRECTORY_PROVIDER);
    let provider: { name: string; config: unknown } | undefined;
    if (descriptor) {
      const parsed = descriptor.configSchema.safeParse(e);
      if (parsed.success) provider = { name: descriptor.name, config: parsed.data };
      else for (const issue of parsed.error.issues) ctx.addIssue(issue);
    }
    return {
      provider,
      enabled: e.ACTIONS_ENABLED,
      groups: e.ACTION_GROUPS,
      perUserPerHour: e.ACTIONS_PER_USER_PER_HOUR,
      timeoutMs: e.DIRECTORY_TIMEOUT_MS,
      groupsCacheMinutes: e.DIRECTORY_GROUPS_CACHE_MINUTES,
    };
  });

export type ActionsConfig = z.output<typeof actionsSchema>;
