import type { UserRef } from '../contract.js';
import type { Lang } from '../lang.js';

/**
 * Integration actions that flows can call (`type: action`), e.g. `directory.unlockAccount`.
 * Connectors (Entra ID / Active Directory, printing, MDM) register handlers at the composition
 * root; an action with no handler reports `not_configured` and the flow takes its `fail` branch,
 * so a flow always works, automated or not.
 */
export interface ActionContext {
  user: UserRef;
  lang: Lang;
  conversationId: string;
}

export interface ActionResult {
  outcome: 'ok' | 'fail' | 'not_configured';
  /** Short technical detail for the transcript and the ticket (never secrets). */
  detail?: string;
}

export type ActionHandler = (params: Record<string, string>, ctx: ActionContext) => Promise<ActionResult>;

export interface ActionRegistry {
  run(name: string, params: Record<string, string>, ctx: ActionContext): Promise<ActionResult>;
  has(name: string): boolean;
}

/** Actions the shipped flows use and that a connector may implement; `helpdesk lint` warns on others. */
export const KNOWN_ACTIONS = ['directory.unlockAccount'] as const;

export function createActionRegistry(handlers: Record<string, ActionHandler> = {}): ActionRegistry {
  return {
    has: (name) => Object.hasOwn(handlers, name),
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
