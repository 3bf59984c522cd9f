import type { UserRef } from '../contract.js';
import type { Lang } from '../lang.js';

/**
 * Integration actions that flows can call (`type: action`), e.g. `directory.unlockAccount`.
 * Connectors (Entra ID / Active Directory, printing, MDM) register handlers at the composition
 * root; an action with no handler reports `not_configured` and the flow takes its `fail` branch,
 * so a flow always works, automated or not.
 */
export interface ActionContext {
  /** Channel the user talks in ('teams', 'slack', 'web', …): tells how far its identity can be trusted. */
  channel: string;
  user: UserRef;
  lang: Lang;
  conversationId: string;
}

export interface ActionResult {
  outcome: 'ok' | 'fail' | 'not_configured';
  /** Short technical detail for the transcript and the ticket (never secrets). */
  detail?: string;
  /** Already in the user's language: shown after the step's text (e.g. the account's state). */
  message?: string;
}

export type ActionHandler = (params: Record<string, string>, ctx: ActionContext) => Promise<ActionResult>;

export interface ActionRegistry {
  run(name: string, params: Record<string, string>, ctx: ActionContext): Promise<ActionResult>;
  has(name: string): boolean;
  /** Whether the action may be offered to this user at all (connector, configuration, verified identity). */
  available(name: string, ctx: ActionContext): boolean;
}

/** Actions the shipped flows use and that a connector may implement; `helpdesk lint` warns on others. */
export const KNOWN_ACTIONS = ['directory.unlockAccount', 'directory.resetMfa', 'directory.revokeSessions', 'directory.passwordStatus', 'directory.resetPassword'] as const;

export function createActionRegistry(
  handlers: Record<string, ActionHandler> = {},
  available: (name: string, ctx: ActionContext) => boolean = (name) => Object.hasOwn(handlers, name),
): ActionRegistry {
  return {
    has: (name) => Object.hasOwn(handlers, name),
    available: (name, ctx) => Object.hasOwn(handlers, name) && available(name, ctx),
    async run(name, params, ctx) {
      const handler = handlers[name];
      if (!handler) return { outcome: 'not_configured', detail: `no connector registered for ${name}` };
      try {
        return await handler(params, ctx);
      } catch (err) {
        // A connector failure is a normal flow branch (the user is told, the flow goes on).
        return { outcome: 'fail', detail: err instanceof Error ? err.message : String(err) };
      }
    },
  };
}
