import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { escalationPacketSchema, type EscalationPacket } from '../engine/escalation/packet.js';
import type { EscalationSink } from '../engine/ports/escalation.js';
import { TicketError, type TicketProvider, type TicketRef } from '../engine/ports/tickets.js';
import type { OutboxFilter, OutboxItem, OutboxStatus, OutboxStore } from '../engine/ports/outbox.js';
import type { Logger } from '../log.js';

/**
 * Nothing lost: the transactional outbox between the engine and the ticket system.
 *
 * `submit` writes the packet to SQLite (durable when it returns) and nothing else; a worker then
 * delivers it with exponential backoff and full jitter, honouring the product's Retry-After, under a
 * lease so no two workers (or processes) deliver the same item at once, always with the packet id as
 * idempotency key so a retry after a crash finds the ticket the first attempt made instead of making
 * a second one. After `maxAttempts` (or a non-retryable error) the item is a dead letter, listed in
 * the console, which can `retry` it.
 *
 * Outcomes are announced through `onDelivered` / `onDead` so the engine can give the user the ticket
 * number. An outcome counts as announced once every listener has resolved; outcomes not announced
 * (no listener yet, a listener failed, the process died) are replayed by `start()`, so the user hears
 * at least once.
 */
export interface OutboxSettings {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long a claimed item is reserved; must exceed the longest delivery (a few HTTP timeouts). */
  leaseMs: number;
  /** How often an idle worker looks for due items. */
  pollMs: number;
}

export interface OutboxOptions extends OutboxSettings {
  store: OutboxStore;
  provider: TicketProvider;
  logger?: Logger;
  workerId?: string;
  /** In [0, 1); injectable so tests can pin the jitter. */
  random?: () => number;
  now?: () => number;
}

export interface DeliveredEvent {
  item: OutboxItem;
  ticket: TicketRef;
}

export interface DeadEvent {
  item: OutboxItem;
  error: string;
}

export interface RetryScheduledEvent {
  item: OutboxItem;
  error: string;
  nextAttemptAt: number;
}

type Listener<E> = (event: E) => void | Promise<void>;

/** Retry-After beyond this is treated as this, so a misconfigured header cannot park an escalation for days. */
const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/** Full jitter (AWS architecture blog, "Exponential Backoff And Jitter"): uniform in [0, min(cap, base·2^(n-1))]. */
export function backoffDelay(attempt: number, settings: Pick<OutboxSettings, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Whether the worker `owner` (`host:pid:random`, see workerId) certainly no longer runs: on this
 * host, and either its process is gone or it had our pid (a restarted container's PID 1) but is
 * not us. Workers on other hosts or in live processes keep their lease.
 */
export function isGoneWorker(owner: string, self: string): boolean {
  const [host, pidText] = owner.split(':');
  const pid = Number(pidText);
  if (owner === self || host !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export class TicketOutbox implements EscalationSink {
  readonly workerId: string;
  private readonly delivered = new Set<Listener<DeliveredEvent>>();
  private readonly dead = new Set<Listener<DeadEvent>>();
  private readonly retrying = new Set<Listener<RetryScheduledEvent>>();
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<number> | undefined;
  private replay: Promise<void> | undefined;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly options: OutboxOptions) {
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  get store(): OutboxStore {
    return this.options.store;
  }

  /** EscalationSink: durably records the escalation and returns; delivery happens in the background. */
  async submit(packet: EscalationPacket): Promise<void> {
    const valid = escalationPacketSchema.parse(packet);
    const inserted = await this.options.store.insert(valid);
    this.options.logger?.info({ outboxId: valid.id, inserted }, 'escalation queued for ticket delivery');
    if (this.running) this.schedule(0);
  }

  onDelivered(listener: Listener<DeliveredEvent>): () => void {
    this.delivered.add(listener);
    return () => this.delivered.delete(listener);
  }

  onDead(listener: Listener<DeadEvent>): () => void {
    this.dead.add(listener);
    return () => this.dead.delete(listener);
  }

  onRetryScheduled(listener: Listener<RetryScheduledEvent>): () => void {
    this.retrying.add(listener);
    return () => this.retrying.delete(listener);
  }

  /** Starts the background worker and replays outcomes the user has not heard yet. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.replay = (async () => {
      try {
        // After a crash the items our previous process was delivering would wait for their lease (minutes).
        const released = await this.options.store.releaseLeases((owner) => isGoneWorker(owner, this.workerId));
        if (released > 0) this.options.logger?.info({ released }, 'outbox: took over the deliveries of a process that is gone');
      } catch (err) {
        this.options.logger?.error({ err: errorMessage(err) }, 'outbox lease release failed');
      }
      if (this.running) this.schedule(0);
      await this.replayNotifications();
    })().catch((err: unknown) => {
      this.options.logger?.error({ err: errorMessage(err) }, 'outbox notification replay failed');
    });
  }

  /** Stops polling and waits for the delivery and notification replay in progress, if any. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await Promise.all([this.pass, this.replay]);
  }

  /** Delivers everything due now, one item at a time; resolves with the number of attempts made. */
  runOnce(): Promise<number> {
    this.pass ??= this.drain().finally(() => {
      this.pass = undefined;
    });
    return this.pass;
  }

  /** Console action: see OutboxStore.retry (src/engine/ports/outbox.ts). */
  async retry(id: string): Promise<OutboxItem | undefined> {
    const item = await this.options.store.retry(id);
    if (item) {
      this.options.logger?.info({ outboxId: id }, 'outbox item retried by hand');
      if (this.running) this.schedule(0);
    }
    return item;
  }

  get(id: string): Promise<OutboxItem | undefined> {
    return this.options.store.get(id);
  }

  list(filter?: OutboxFilter): Promise<OutboxItem[]> {
    return this.options.store.list(filter);
  }

  /** Waiting for delivery, including items being delivered right now. */
  pending(limit?: number): Promise<OutboxItem[]> {
    return this.list({ statuses: ['pending', 'delivering'], limit });
  }

  deliveredItems(limit?: number): Promise<OutboxItem[]> {
    return this.list({ statuses: ['delivered'], limit });
  }

  deadLetters(limit?: number): Promise<OutboxItem[]> {
    return this.list({ statuses: ['dead'], limit });
  }

  byConversation(conversationId: string, limit?: number): Promise<OutboxItem[]> {
    return this.list({ conversationId, limit });
  }

  counts(): Promise<Record<OutboxStatus, number>> {
    return this.options.store.counts();
  }

  async replayNotifications(): Promise<void> {
    for (const item of await this.options.store.unnotified()) {
      if (item.status === 'delivered' && item.ticket) await this.announceDelivered(item, item.ticket);
      else if (item.status === 'dead') await this.announceDead(item, item.lastError ?? 'unknown error');
    }
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    let wait = this.options.pollMs;
    try {
      await this.runOnce();
      const due = await this.options.store.nextDueAt();
      if (due !== undefined) wait = Math.max(0, Math.min(this.options.pollMs, due - this.now()));
    } catch (err) {
      // A database error (busy, I/O) must neither stop the worker nor escape as an unhandled rejection.
      this.options.logger?.error({ err: errorMessage(err) }, 'outbox pass failed');
    }
    if (this.running) this.schedule(wait);
  }

  private async drain(): Promise<number> {
    let attempts = 0;
    for (;;) {
      const item = await this.options.store.claim(this.workerId, this.options.leaseMs);
      if (!item) return attempts;
      attempts++;
      await this.deliver(item);
    }
  }

  private async deliver(item: OutboxItem): Promise<void> {
    const { store, provider, logger } = this.options;
    const log = { outboxId: item.id, attempt: item.totalAttempts, provider: provider.name };
    let ticket: TicketRef;
    try {
      ticket = await provider.create(item.packet, { idempotencyKey: item.id, attempt: item.totalAttempts });
    } catch (err) {
      const e = err instanceof TicketError ? err : undefined;
      const message = errorMessage(err);
      // Anything that is not a TicketError is unexpected (a bug, a malformed answer): retry, it may be transient.
      const retryable = e?.retryable ?? true;
      if (!retryable || item.attempts >= this.options.maxAttempts) {
        if (await store.markDead(item.id, this.workerId, message)) {
          logger?.error({ ...log, err: message, retryable }, 'ticket delivery gave up: dead letter');
          await this.announceDead({ ...item, status: 'dead', lastError: message }, message);
        }
        return;
      }
      const retryAfter = Math.min(e?.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS);
      const nextAttemptAt = this.now() + Math.max(retryAfter, backoffDelay(item.attempts, this.options, this.random));
      if (await store.markRetry(item.id, this.workerId, message, nextAttemptAt)) {
        logger?.warn({ ...log, err: message, nextAttemptAt: new Date(nextAttemptAt).toISOString() }, 'ticket delivery failed, will retry');
        await this.emit(this.retrying, { item, error: message, nextAttemptAt });
      }
      return;
    }
    if (!(await store.markDelivered(item.id, this.workerId, ticket))) {
      // Our lease expired and another worker took over; it will find the same ticket by the idempotency key.
      logger?.warn({ ...log, ticket: ticket.number }, 'delivered after losing the lease; the new owner will reconcile');
      return;
    }
    logger?.info({ ...log, ticket: ticket.number }, 'ticket delivered');
    await this.announceDelivered({ ...item, status: 'delivered', ticket }, ticket);
  }

  private async announceDelivered(item: OutboxItem, ticket: TicketRef): Promise<void> {
    if (await this.emit(this.delivered, { item, ticket })) await this.options.store.markNotified(item.id);
  }

  private async announceDead(item: OutboxItem, error: string): Promise<void> {
    if (await this.emit(this.dead, { item, error })) await this.options.store.markNotified(item.id);
  }

  /** True when there was at least one listener and all of them succeeded. */
  private async emit<E>(listeners: Set<Listener<E>>, event: E): Promise<boolean> {
    if (!listeners.size) return false;
    let ok = true;
    for (const listener of [...listeners]) {
      try {
        await listener(event);
      } catch (err) {
        ok = false;
        this.options.logger?.error({ err: errorMessage(err) }, 'outbox listener failed');
      }
    }
    return ok;
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
