import type { Redaction } from '../redact.js';
import type { Turn } from './turn.js';

/** What a turn interceptor sees of the inbound message: the redacted text, or the button's raw payload. */
export interface TurnInput {
  redaction?: Redaction;
  payload?: unknown;
}

/**
 * Runs right after the inbound message is durably stored and before the dialogue sees it. Returns
 * true when it handled the turn: during a live handoff the message goes to the technician and the
 * bot stays silent (no retrieval, no intents). Whatever it adds to the turn is committed as usual.
 */
export type TurnInterceptor = (turn: Turn, input: TurnInput) => Promise<boolean>;
