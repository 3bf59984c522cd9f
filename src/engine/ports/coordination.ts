/**
 * Coordination between replicas of the server. Every piece of state that used to live in one
 * process (the per-conversation turn order, rate limits, the web chat's open streams, the scheduled
 * sweeps, the served knowledge) goes through these ports, so one replica or several behave alike.
 * Backends: in-process (one replica, the default with SQLite), PostgreSQL, Redis (src/storage/).
 */

/** Runs one piece of work at a time per key across every replica (one turn per conversation). */
export interface KeyedLock {
  /**
   * Waits for the key, runs `work`, releases it. A replica that dies while holding a key loses it
   * (its connection or lease ends), so the others are not blocked for ever.
   */
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
}

export type Unsubscribe = () => Promise<void>;

/**
 * Broadcast to every replica (including the sender): at-most-once, to replicas connected now. What
 * must not be lost is stored first and the bus only says "look" (the web chat's ProactiveLog).
 */
export interface MessageBus {
  publish(topic: string, payload: string): Promise<void>;
  /**
   * Resolves once the subscription is live: a publish after it is delivered. `onResubscribed` runs
   * each time the subscription is live again after the connection to the bus was lost (whatever was
   * published in between was not delivered: the subscriber reads what it missed from storage).
   */
  subscribe(topic: string, handler: (payload: string) => void, onResubscribed?: () => void): Promise<Unsubscribe>;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface RateLimitSpec {
  /** Messages that may come at once. */
  burst: number;
  /** Refill rate. */
  perMinute: number;
}

/** A token bucket per key, the same bucket whichever replica the request reaches. */
export interface SharedRateLimiter {
  take(key: string): Promise<TakeResult>;
}

/** Who runs a scheduled job: one replica per tick. */
export interface JobClaims {
  /**
   * True for exactly one caller per (job, tick) across replicas; false for every other. Ticks of a
   * job only go forward: a claim for a tick older than the newest claimed one is refused.
   */
  claim(job: string, tick: number): Promise<boolean>;
}

/** Everything coordination needs, built once by the composition root. */
export interface Coordination {
  /** 'in-process' | 'postgres' | 'redis', for logs and /readyz. */
  readonly backend: string;
  readonly lock: KeyedLock;
  readonly bus: MessageBus;
  limiter(name: string, spec: RateLimitSpec): SharedRateLimiter;
  readonly jobs: JobClaims;
  close(): Promise<void>;
}

/** "Something shared changed, reload it" (the knowledge after a console edit), heard by every other replica. */
export interface ChangeSignal {
  notify(): Promise<void>;
  /** The listener runs on every replica except the one that notified. */
  onChange(listener: () => void): Promise<Unsubscribe>;
}
