import { describe, expect, it } from 'vitest';
import type { Engine, InboundEvent } from '../../src/engine/contract.js';
import { translator } from '../../src/engine/i18n.js';
import { rateLimitedEngine, TokenBuckets } from '../../src/server/rate-limit.js';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('per-user token bucket', () => {
  it('allows the burst, then one message per refill interval, and says when to retry', () => {
    const c = clock();
    const buckets = new TokenBuckets({ burst: 3, perMinute: 6 }, c.now);
    expect([1, 2, 3].map(() => buckets.take('u').ok)).toEqual([true, true, true]);
    expect(buckets.take('u')).toEqual({ ok: false, retryAfterSeconds: 10 });
    c.advance(4_000);
    expect(buckets.take('u')).toEqual({ ok: false, retryAfterSeconds: 6 });
    c.advance(6_000);
    expect(buckets.take('u').ok).toBe(true);
    expect(buckets.take('u').ok).toBe(false);
    // A long pause refills up to the burst, not beyond.
    c.advance(3_600_000);
    expect([1, 2, 3, 4].map(() => buckets.take('u').ok)).toEqual([true, true, true, false]);
  });

  it('keeps users apart', () => {
    const buckets = new TokenBuckets({ burst: 1, perMinute: 1 }, clock().now);
    expect(buckets.take('a').ok).toBe(true);
    expect(buckets.take('a').ok).toBe(false);
    expect(buckets.take('b').ok).toBe(true);
  });

  it('bounds its memory by forgetting idle users first', () => {
    const c = clock();
    const buckets = new TokenBuckets({ burst: 2, perMinute: 60 }, c.now);
    for (let i = 0; i < 50_010; i++) buckets.take(`user-${i}`);
    expect(buckets.size).toBeLessThanOrEqual(50_000);
  });
});

describe('rate-limited engine', () => {
  const t = translator();
  const handled: InboundEvent[] = [];
  const inner: Engine = {
    async handle(event) {
      handled.push(event);
      return [{ lang: 'en', parts: [{ kind: 'text', text: 'answer' }] }];
    },
  };
  const event = (user: string, text: string, locale?: string): InboundEvent => ({
    address: { channel: 'web', conversationId: `c-${user}` },
    user: { id: user, ...(locale ? { locale } : {}) },
    text,
  });

  it('answers over-limit messages itself, kindly and in the user language, without reaching the engine', async () => {
    const limited: string[] = [];
    const engine = rateLimitedEngine(inner, new TokenBuckets({ burst: 2, perMinute: 2 }, clock().now), {
      translator: t,
      detectLang: (text, fallback) => (/\b(mon|est|ne)\b/.test(text) ? 'fr' : fallback),
      onLimited: (e) => limited.push(e.user.id),
    });
    handled.length = 0;
    await engine.handle(event('lea', 'my vpn is down'));
    await engine.handle(event('lea', 'my vpn is down'));
    const [en] = await engine.handle(event('lea', 'my vpn is down'));
    const [fr] = await engine.handle(event('lea', 'mon vpn ne marche pas', 'en-US'));
    const [byLocale] = await engine.handle({ ...event('lea', 'x'), text: undefined, action: { payload: { a: 'feedback' } }, user: { id: 'lea', locale: 'fr-CA' } });
    expect(handled).toHaveLength(2);
    expect(limited).toEqual(['lea', 'lea', 'lea']);
    expect(en).toEqual({ lang: 'en', parts: [{ kind: 'text', text: t.t('en', 'limits.rate_limited', { seconds: 30 }) }] });
    expect(fr?.lang).toBe('fr');
    expect((fr?.parts[0] as { text: string }).text).toBe(t.t('fr', 'limits.rate_limited', { seconds: 30 }));
    expect(byLocale?.lang).toBe('fr');
    // Another user is not affected.
    expect(await engine.handle(event('noah', 'printer jam'))).toEqual([{ lang: 'en', parts: [{ kind: 'text', text: 'answer' }] }]);
  });
});
