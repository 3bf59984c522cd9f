import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebhookProvider } from '../../src/tickets/webhook.js';
import { TicketError } from '../../src/engine/ports/tickets.js';
import { sign, verify } from '../../src/tickets/signature.js';
import type { ProviderConfig } from '../../src/config/sections/tickets.js';
import { createWebhookServer, WEBHOOK_SECRET } from './servers/webhook.js';
import { errorContract } from './contract.js';
import { makePacket } from './fixtures/packet.js';

const TIMEOUT = 800;

describe('webhook provider (signed JSON contract)', () => {
  let wh: ReturnType<typeof createWebhookServer>;
  let config: ProviderConfig<'webhook'>;
  let provider: WebhookProvider;

  beforeAll(async () => {
    wh = createWebhookServer();
    await wh.server.start();
  });
  afterAll(() => wh.server.stop());
  beforeEach(() => {
    wh.server.requests.length = 0;
    config = {
      kind: 'webhook',
      url: `${wh.server.url}/hooks/escalations`,
      secret: WEBHOOK_SECRET,
      statusUrl: `${wh.server.url}/tickets/{id}`,
      listUrl: `${wh.server.url}/tickets?email={email}`,
    };
    provider = new WebhookProvider({ config, timeoutMs: TIMEOUT });
  });

  it('posts the packet signed over timestamp.body with the idempotency key', async () => {
    const packet = makePacket();
    const ref = await provider.create(packet, { idempotencyKey: packet.id, attempt: 1 });
    expect(ref).toEqual({ provider: 'webhook', id: expect.any(String), number: expect.stringMatching(/^EXT-/), url: expect.stringContaining('https://tickets.example.org/') });
    const req = wh.server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['idempotency-key']).toBe(packet.id);
    const ts = req.headers['x-helpdesk-timestamp'] as string;
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(5);
    expect(req.headers['x-helpdesk-signature']).toBe(sign(WEBHOOK_SECRET, Number(ts), req.body));
    expect(verify(WEBHOOK_SECRET, { timestamp: ts, signature: req.headers['x-helpdesk-signature'] as string }, req.body)).toEqual({ ok: true });
    const body = req.json as { type: string; packet: unknown; text: string };
    expect(body.type).toBe('escalation.created');
    expect(body.packet).toEqual(packet);
    expect(body.text).toContain('What was already tried');
  });

  it('a retry with the same key gets the same ticket from the receiver', async () => {
    const packet = makePacket();
    const a = await provider.create(packet, { idempotencyKey: packet.id, attempt: 1 });
    const b = await provider.create(packet, { idempotencyKey: packet.id, attempt: 2 });
    expect(b).toEqual(a);
    expect(wh.tickets.filter((t) => t.key === packet.id)).toHaveLength(1);
  });

  it('falls back to the escalation id when the receiver answers without a body', async () => {
    const packet = makePacket();
    wh.server.failNext({ status: 204 }, (r) => r.method === 'POST');
    expect(await provider.create(packet, { idempotencyKey: packet.id, attempt: 1 })).toEqual({ provider: 'webhook', id: packet.id, number: packet.id, url: undefined });
  });

  it('reads status and lists through the optional signed endpoints', async () => {
    const packet = makePacket({ user: { id: 'U8', email: 'zoe@example.org' } });
    const ref = await provider.create(packet, { idempotencyKey: packet.id, attempt: 1 });
    wh.tickets.find((t) => t.number === ref.number)!.status = 'in_progress';
    expect(await provider.status(ref.number)).toMatchObject({ number: ref.number, state: 'in_progress' });
    const get = wh.server.requests.at(-1)!;
    expect(get.headers['x-helpdesk-signature']).toBe(sign(WEBHOOK_SECRET, Number(get.headers['x-helpdesk-timestamp']), ''));
    expect(await provider.status('EXT-0')).toBeUndefined();
    expect((await provider.listForRequester({ id: 'U8', email: 'zoe@example.org' })).map((t) => t.number)).toEqual([ref.number]);
    const bare = new WebhookProvider({ config: { ...config, statusUrl: undefined, listUrl: undefined }, timeoutMs: TIMEOUT });
    expect(await bare.status(ref.number)).toBeUndefined();
    expect(await bare.listForRequester({ id: 'U8', email: 'zoe@example.org' })).toEqual([]);
  });

  it('sends a signed ticket.comment event the receiver accepts; a receiver error surfaces as TicketError', async () => {
    const packet = makePacket();
    const ref = await provider.create(packet, { idempotencyKey: packet.id, attempt: 1 });
    wh.server.requests.length = 0;

    await provider.addComment(ref, { text: 'Still down, password is [REDACTED]', author: 'Léa Martin' });

    expect(wh.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /hooks/escalations']);
    const req = wh.server.requests[0]!;
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['idempotency-key']).toBeUndefined();
    expect(verify(WEBHOOK_SECRET, { timestamp: req.headers['x-helpdesk-timestamp'] as string, signature: req.headers['x-helpdesk-signature'] as string }, req.body)).toEqual({ ok: true });
    expect(req.json).toEqual({
      type: 'ticket.comment',
      ticket: { id: ref.id, number: ref.number, url: ref.url },
      comment: { text: 'Still down, password is [REDACTED]', author: 'Léa Martin' },
    });
    expect(wh.comments).toContainEqual({ ticketId: ref.id, text: 'Still down, password is [REDACTED]', author: 'Léa Martin' });

    const err = await provider.addComment({ ...ref, id: 'nope' }, { text: 'x', author: 'L' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TicketError);
    expect(err).toMatchObject({ httpStatus: 404, retryable: false });
    expect((err as TicketError).message).toContain('unknown ticket');
    const unsigned = new WebhookProvider({ config: { ...config, secret: 'whsec_wrong_wrong_wrong_wrong_wrong' }, timeoutMs: TIMEOUT });
    await expect(unsigned.addComment(ref, { text: 'x', author: 'L' })).rejects.toMatchObject({ name: 'TicketError', httpStatus: 401 });
  });

  it('signature verification rejects a changed body, a wrong secret and a stale timestamp', () => {
    const body = '{"a":1}';
    const now = Date.now();
    const ts = Math.floor(now / 1000);
    const signature = sign(WEBHOOK_SECRET, ts, body);
    expect(verify(WEBHOOK_SECRET, { timestamp: String(ts), signature }, '{"a":2}', { now })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verify('another-secret', { timestamp: String(ts), signature }, body, { now })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verify(WEBHOOK_SECRET, { timestamp: String(ts), signature }, body, { now: now + 301_000 })).toEqual({ ok: false, reason: 'stale' });
    expect(verify(WEBHOOK_SECRET, { timestamp: undefined, signature }, body)).toEqual({ ok: false, reason: 'missing' });
  });

  errorContract(() => ({
    provider,
    badProvider: new WebhookProvider({ config: { ...config, secret: 'wrong-secret-wrong-secret-wrong-secret' }, timeoutMs: TIMEOUT }),
    server: wh.server,
    isCreate: (r) => r.method === 'POST',
    unauthorizedText: 'invalid signature',
    badRequestBody: { error: 'packet.user.email is required by this receiver' },
    badRequestText: 'packet.user.email is required by this receiver',
    timeoutMs: TIMEOUT,
    secrets: ['wrong-secret-wrong-secret-wrong-secret', WEBHOOK_SECRET],
  }));
});
