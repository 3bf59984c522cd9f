import { describe, expect, it } from 'vitest';
import { StandInEmbedder } from '../../src/bench/stand-in-embedder.js';
import { HashingEmbedder } from '../helpers/hashing-embedder.js';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('the benchmark stand-in embedder', () => {
  it('gives articles unit stand-in vectors from the real pool, then hands questions to the real model', async () => {
    const real = new HashingEmbedder();
    const pool = Array.from({ length: 64 }, (_, i) => `seed article number ${i}`);
    const standIn = new StandInEmbedder(real, async (r) => r.embedPassages(pool));
    await standIn.init();
    expect(standIn.provider).toBe(real.provider);
    expect(standIn.dimension).toBe(real.dimension);

    const texts = ['The VPN fails with error 809 at home', 'The VPN fails with error 809 at the office', 'Order a new desk chair'];
    const [a, b, c] = await standIn.embedPassages(texts);
    for (const v of [a!, b!, c!]) expect(Math.abs(dot(v, v) - 1)).toBeLessThan(1e-4);
    // Deterministic, and texts sharing words lie nearer each other than unrelated ones.
    expect([...(await standIn.embedPassages([texts[0]!]))[0]!]).toEqual([...a!]);
    expect(dot(a!, b!)).toBeGreaterThan(dot(a!, c!));
    // Not the model's vector while the stand-in is on.
    const [modelA] = await real.embedPassages([texts[0]!]);
    expect(dot(a!, modelA!)).toBeLessThan(0.999);
    expect(standIn.standIns).toBe(4);

    standIn.standIn = false;
    const [query] = await standIn.embedQueries(['vpn error 809']);
    const [expected] = await real.embedQueries(['vpn error 809']);
    expect([...query!]).toEqual([...expected!]);
    expect(standIn.standIns).toBe(4);
  });
});
