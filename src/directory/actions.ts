import type { ActionsConfig } from '../config/sections/actions.js';
import { createActionRegistry, type ActionContext, type ActionHandler, type ActionRegistry, type ActionResult } from '../engine/flows/actions.js';
import type { Translator } from '../engine/i18n.js';
import type { ActionAuditLog } from '../engine/ports/action-audit.js';
import { verifiedIdentity } from './identity.js';
import { DIRECTORY_ACTIONS, DirectoryError, type AccountState, type DirectoryAction, type DirectoryConnector } from './types.js';

/**
 * The flows' `directory.*` actions on top of a directory connector, with the guards every account
 * action needs: enabled by configuration (ACTIONS_ENABLED, off by default), a verified identity,
 * group membership (ACTION_GROUPS), a per-user hourly limit, and an audit entry for every attempt.
 * The user's confirmation is the flow's `check` step before the action (enforced by the linter).
 * A refusal or failure is the step's `fail` branch: self-service steps, and a ticket whose packet
 * carries the detail.
 */

export interface DirectoryActionsDeps {
  connector: DirectoryConnector;
  config: Pick<ActionsConfig, 'enabled' | 'groups' | 'perUserPerHour'>;
  audit: ActionAuditLog;
  translator: Translator;
  now?: () => Date;
}

const PREFIX = 'directory.';

function stateMessage(t: (key: string, params?: Record<string, string>) => string, s: AccountState, lang: string): string {
  const date = (iso: string) => new Date(iso).toLocaleDateString(lang === 'fr' ? 'fr-FR' : 'en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  const lines: string[] = [];
  if (s.disabled) lines.push(t('state.disabled'));
  if (s.locked) lines.push(t('state.locked'));
  if (s.passwordExpired) lines.push(s.passwordExpiresAt ? t('state.expired_on', { date: date(s.passwordExpiresAt) }) : t('state.expired'));
  else if (s.passwordExpiresAt) lines.push(t('state.expires_on', { date: date(s.passwordExpiresAt) }));
  if (!lines.length) lines.push(t('state.fine'));
  return lines.map((l) => `- ${l}`).join('\n');
}

export function directoryActions(deps: DirectoryActionsDeps): ActionRegistry {
  const { connector, config, audit, translator } = deps;
  const now = deps.now ?? (() => new Date());

  const enabled = (name: string): DirectoryAction | undefined => {
    const action = name.slice(PREFIX.length) as DirectoryAction;
    return name.startsWith(PREFIX) && (DIRECTORY_ACTIONS as readonly string[]).includes(action) && config.enabled.includes(name) && connector.supports.includes(action)
      ? action
      : undefined;
  };

  const handler = (name: string): ActionHandler => async (_params, ctx: ActionContext): Promise<ActionResult> => {
    const t = (key: string, params?: Record<string, string>) => translator.t(ctx.lang, `actions.${key}`, params);
    const at = now().toISOString();
    const base = { at, action: name, provider: connector.name, channel: ctx.channel, userId: ctx.user.id, ...(ctx.user.name ? { userName: ctx.user.name } : {}), conversationId: ctx.conversationId };
    const refuse = async (reason: string, message: string, account?: string): Promise<ActionResult> => {
      await audit.record({ ...base, ...(account ? { account } : {}), outcome: 'refused', detail: reason });
      return { outcome: 'fail', detail: `refused: ${reason}`, message };
    };

    const action = enabled(name);
    if (!action) return refuse(`${name} is not enabled`, t('refused.not_enabled'));
    const identity = verifiedIdentity(ctx.channel, ctx.user);
    if (!identity) return refuse('no verified identity on this channel', t('refused.identity'));
    const since = new Date(now().getTime() - 3_600_000).toISOString();
    if ((await audit.attemptsSince(ctx.channel, ctx.user.id, since)) >= config.perUserPerHour) {
      return refuse(`more than ${config.perUserPerHour} account actions in an hour`, t('refused.rate_limited'));
    }

    let account: string | undefined;
    try {
      const user = await connector.findUser(identity);
      account = user.email ?? user.id;
      const groups = config.groups[name];
      if (groups?.length) {
        const memberOf = (await connector.groupsOf(user)).map((g) => g.toLowerCase());
        if (!groups.some((g) => memberOf.includes(g.toLowerCase()))) {
          return refuse(`not a member of ${groups.join(' or ')}`, t('refused.group'), account);
        }
      }
      const done = await connector.run(action, user);
      await audit.record({ ...base, account, outcome: 'ok', detail: done.detail });
      const parts = [done.state ? stateMessage(t, done.state, ctx.lang) : t(`done.${action}`)];
      if (done.notified) parts.push(t('notified'));
      return { outcome: 'ok', detail: done.detail, message: parts.join('\n\n') };
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      await audit.record({ ...base, ...(account ? { account } : {}), outcome: 'fail', detail });
      const code = err instanceof DirectoryError ? err.code : 'unavailable';
      const message =
        code === 'throttled' ? t('failed.throttled') : code === 'not_found' ? t('failed.not_found') : code === 'unavailable' ? t('failed.unavailable') : t('failed.refused');
      return { outcome: 'fail', detail: `${connector.name}: ${detail}`, message };
    }
  };

  const handlers = Object.fromEntries(DIRECTORY_ACTIONS.map((a) => [`${PREFIX}${a}`, handler(`${PREFIX}${a}`)]));
  return createActionRegistry(handlers, (name, ctx) => enabled(name) !== undefined && verifiedIdentity(ctx.channel, ctx.user) !== undefined);
}
