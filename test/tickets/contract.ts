import { expect, it } from 'vitest';
import { TicketError, type TicketProvider } from '../../src/engine/ports/tickets.js';
import type { FakeServer, RecordedRequest } from './servers/base.js';
import { makePacket } from './fixtures/packet.js';

/**
 * The error half of every adapter's contract, run against that product's fake server: wrong
 * credentials, a rejected payload (the product's own 400 body), rate limiting with Retry-After,
 * a server error and a slow answer. The caller supplies the product-specific bodies and texts.
 */
export interface ErrorContractContext {
  provider: TicketProvider;
  /** Same server, wrong credentials. */
  badProvider: TicketProvider;
  server: FakeServer;
  /** Matches the request that creates the ticket. */
  isCreate: (req: RecordedRequest) => boolean;
  /** Text of the product's 401 answer that must reach the error message. */
  unauthorizedText: string;
  badRequestBody: unknown;
  badRequestText: string;
  /** Client timeout configured for `provider`, in ms. */
  timeoutMs: number;
  /** Every credential value, none of which may appear in a message. */
  secrets: string[];
}

async function createError(provider: TicketProvider): Promise<TicketError> {
  try {
    await provider.create(makePacket(), { idempotencyKey: crypto.randomUUID(), attempt: 1 });
  } catch (err) {
    expect(err).toBeInstanceOf(TicketError);
    return err as TicketError;
  }
  throw new Error('expected create to fail');
}

export function errorContract(ctx: () => ErrorContractContext): void {
  const noSecrets = (e: TicketError, c: ErrorContractContext) => {
    for (const s of c.secrets) expect(e.message).not.toContain(s);
  };

  it('wrong credentials: 401 with the product message, not retryable, no secret in the message', async () => {
    const c = ctx();
    const e = await createError(c.badProvider);
    expect(e.httpStatus).toBe(401);
    expect(e.retryable).toBe(false);
    expect(e.message).toContain(c.unauthorizedText);
    noSecrets(e, c);
  });

  it('rejected payload: 400 with the product error body, not retryable', async () => {
    const c = ctx();
    c.server.failNext({ status: 400, body: c.badRequestBody }, c.isCreate);
    const e = await createError(c.provider);
    expect(e.httpStatus).toBe(400);
    expect(e.retryable).toBe(false);
    expect(e.message).toContain(c.badRequestText);
    noSecrets(e, c);
  });

  it('rate limited: 429 is retryable and honours Retry-After seconds', async () => {
    const c = ctx();
    c.server.failNext({ status: 429, headers: { 'Retry-After': '7' }, body: { error: 'Too Many Requests' } }, c.isCreate);
    const e = await createError(c.provider);
    expect(e.httpStatus).toBe(429);
    expect(e.retryable).toBe(true);
    expect(e.retryAfterMs).toBeGreaterThanOrEqual(7000);
  });

  it('unavailable: 503 is retryable and honours a Retry-After HTTP-date', async () => {
    const c = ctx();
    const at = new Date(Date.now() + 120_000).toUTCString();
    c.server.failNext({ status: 503, headers: { 'Retry-After': at }, body: 'Service Unavailable' }, c.isCreate);
    const e = await createError(c.provider);
    expect(e.retryable).toBe(true);
    expect(e.retryAfterMs).toBeGreaterThan(100_000);
    expect(e.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it('server error: 500 is retryable', async () => {
    const c = ctx();
    c.server.failNext({ status: 500, body: { error: 'Internal Server Error' } }, c.isCreate);
    const e = await createError(c.provider);
    expect(e.httpStatus).toBe(500);
    expect(e.retryable).toBe(true);
  });

  it('slow answer: the request times out and is retryable', async () => {
    const c = ctx();
    c.server.failNext({ delayMs: c.timeoutMs + 400 }, c.isCreate);
    const e = await createError(c.provider);
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(/timed out/);
    expect(e.httpStatus).toBeUndefined();
  });
}
