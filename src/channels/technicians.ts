import type { TechnicianAction, TechnicianEvents, TechnicianMessage } from '../engine/contract.js';
import type { Logger } from '../log.js';
import { TAKE_HANDOFF_ACTION } from './handoff-summary.js';

/**
 * Routing for the technicians' side of a live handoff. Buttons on the technicians' card carry
 * `{ action: "handoff.…" }` (see handoff-summary.ts); they go to the handoff hook wherever they are
 * clicked, like every message and click in the configured technicians' channel.
 */
const HANDOFF_ACTION_PREFIX = TAKE_HANDOFF_ACTION.slice(0, TAKE_HANDOFF_ACTION.indexOf('.') + 1);

export function isHandoffPayload(payload: unknown): boolean {
  if (!payload || typeof payload !== 'object') return false;
  const action = (payload as { action?: unknown }).action;
  return typeof action === 'string' && action.startsWith(HANDOFF_ACTION_PREFIX);
}

/** Used until a handoff relay is wired: technicians' events are logged, not lost silently. */
export function loggingTechnicianEvents(logger: Logger): TechnicianEvents {
  return {
    async onTechnicianMessage(message: TechnicianMessage): Promise<void> {
      logger.info(
        { channel: message.address.channel, conversationId: message.address.conversationId, threadId: message.address.threadId, technician: message.user.id },
        'technician message received, but no handoff relay is configured',
      );
    },
    async onTechnicianAction(action: TechnicianAction): Promise<void> {
      logger.info(
        { channel: action.address.channel, conversationId: action.address.conversationId, technician: action.user.id },
        'technician action received, but no handoff relay is configured',
      );
    },
  };
}
