import type { Router } from 'express';
import type { ConversationAddress, Engine, ProactiveSender, TechnicianEvents } from '../engine/contract.js';
import type { Translator } from '../engine/i18n.js';
import type { DeliveryLog } from '../engine/ports/delivery-log.js';
import type { Logger } from '../log.js';

/** What every channel gets from the composition root. */
export interface ChannelDeps {
  /** The engine, already instrumented (metrics) by the server. */
  engine: Engine;
  /** Live-handoff hook for the technicians' channel. */
  technicians: TechnicianEvents;
  translator: Translator;
  logger: Logger;
  /**
   * Runs one unit of channel work (a turn and the posting of its replies) so graceful shutdown can
   * wait for it, including work that continues after the HTTP request was acknowledged (Slack).
   */
  track<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Runs work for one conversation after the work already queued for it: a turn and the posting
   * of its replies, or a proactive message. Keeps "Opening a ticket…" before "Ticket HD-000042
   * opened" even when the ticket system answers faster than the channel posts.
   */
  inOrder<T>(address: ConversationAddress, work: () => Promise<T>): Promise<T>;
  /** Counts and logs a failure at a channel stage (e.g. "turn", "post", "update", "lookup"). */
  reportError(stage: string, err: unknown, context?: Record<string, unknown>): void;
  /** Delivery ids already taken in, kept across restarts and replicas (a retried or replayed request is not answered twice). */
  deliveries: DeliveryLog;
}

/** A transport: its HTTP routes, its proactive sender, and what to release at shutdown. */
export interface Channel {
  readonly name: string;
  readonly sender: ProactiveSender;
  /** Mounted at the root of the one express app; routes carry their full paths. */
  readonly router: Router;
  close?(): Promise<void>;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
