import type { Engine, InboundEvent, OutboundMessage } from '../engine/contract.js';
import type { Translator } from '../engine/i18n.js';
import { DEFAULT_LANG, langFromLocale, type Lang } from '../engine/lang.js';

/**
 * Per-user rate limit: a token bucket per (channel, user) holding up to `burst` messages and
 * refilled at `perMinute`. A message over the limit is not handled (nor stored): the user gets a
 * short, friendly reply in their language saying when to try again. Protects the engine, the
 * database and the ticket system from a runaway script or a stuck key, not from normal typing.
 */

export interface RateLimit {
  burst: number;
  perMinute: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Buckets kept at most; full ones (idle users) are dropped first when there are more. */
const MAX_BUCKETS = 50_000;

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = limit.perMinute / 60_000;
  }

  get size(): number {
    return this.buckets.size;
  }

  take(key: string): TakeResult {
    const now = this.now();
    const bucket = this.refilled(this.buckets.get(key), now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.store(key, bucket, now);
      return { ok: true };
    }
    this.store(key, bucket, now);
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)) };
  }

  private refilled(bucket: Bucket | undefined, now: number): Bucket {
    if (!bucket) return { tokens: this.limit.burst, at: now };
    return { tokens: Math.min(this.limit.burst, bucket.tokens + Math.max(0, now - bucket.at) * this.perMs), at: now };
  }

  private store(key: string, bucket: Bucket, now: number): void {
    // Re-inserted so the map stays in least-recently-used order.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size <= MAX_BUCKETS) return;
    for (const [k, b] of this.buckets) {
      if (this.buckets.size <= MAX_BUCKETS) break;
      if (this.refilled(b, now).tokens >= this.limit.burst) this.buckets.delete(k);
    }
    // Still too many active users: forget the least recently seen, which only makes the limit kinder.
    for (const k of this.buckets.keys()) {
      if (this.buckets.size <= MAX_BUCKETS) break;
      this.buckets.delete(k);
    }
  }
}

export interface RateLimitedEngineOptions {
  translator: Translator;
  /** Language of a message's text (the knowledge service's detector), for the reply. */
  detectLang?: (text: string, fallback: Lang) => Lang;
  onLimited?: (event: InboundEvent, retryAfterSeconds: number) => void;
}

/** TokenBuckets in memory, or a SharedRateLimiter (src/engine/ports/coordination.ts) shared by every replica. */
export interface Limiter {
  take(key: string): TakeResult | Promise<TakeResult>;
}

export function rateLimitedEngine(engine: Engine, buckets: Limiter, options: RateLimitedEngineOptions): Engine {
  return {
    async handle(event: InboundEvent): Promise<OutboundMessage[]> {
      const key = JSON.stringify([event.address?.channel ?? '', event.user?.id ?? '']);
      const taken = await buckets.take(key);
      if (taken.ok) return engine.handle(event);
      options.onLimited?.(event, taken.retryAfterSeconds);
      const hint = langFromLocale(event.user?.locale) ?? DEFAULT_LANG;
      const lang = event.text && options.detectLang ? options.detectLang(event.text, hint) : hint;
      return [{ lang, parts: [{ kind: 'text', text: options.translator.t(lang, 'limits.rate_limited', { seconds: taken.retryAfterSeconds }) }] }];
    },
  };
}
