import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, isRetryableStatus, parseRetryAfter } from '../../src/tickets/http.js';
import { TicketError } from '../../src/engine/ports/tickets.js';
import { FakeServer } from './servers/base.js';
import { createServer, type AddressInfo } from 'node:net';

describe('ticket HTTP helper', () => {
  const server = new FakeServer((req) => ({ status: 200, body: { echo: req.json ?? null, q: req.query.get('q') } }));
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it('parses Retry-After as seconds or HTTP-date', () => {
    const now = Date.parse('2024-05-02T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 02 May 2024 10:01:30 GMT', now)).toBe(90_000);
    expect(parseRetryAfter('Thu, 02 May 2024 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('classifies statuses', () => {
    expect([400, 401, 403, 404, 422].map(isRetryableStatus)).toEqual([false, false, false, false, false]);
    expect([408, 409, 425, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
  });

  it('sends JSON and reads JSON', async () => {
    const http = new HttpClient({ service: 'Test', baseUrl: server.url, timeoutMs: 1000 });
    const res = await http.request({ method: 'POST', path: '/x', query: { q: 'a b', skip: undefined }, json: { a: 1 } });
    expect(res.data).toEqual({ echo: { a: 1 }, q: 'a b' });
    expect(server.requests.at(-1)!.headers['content-type']).toBe('application/json');
  });

  it('scrubs secrets, in clear and URL-encoded, and leaves query strings out of messages', async () => {
    const secret = 'p@ss/w0rd+secret';
    server.failNext({ status: 403, body: { message: `denied for ${secret} and ${encodeURIComponent(secret)}` } });
    const http = new HttpClient({ service: 'Test', baseUrl: server.url, timeoutMs: 1000, secrets: [secret] });
    const err = (await http.request({ method: 'GET', path: '/y', query: { email: 'someone@example.org' } }).catch((e: unknown) => e)) as TicketError;
    expect(err).toBeInstanceOf(TicketError);
    expect(err.message).toBe('Test GET /y → HTTP 403: denied for [REDACTED] and [REDACTED]');
    http.addSecret('session-abc-123');
    expect(http.scrub('token session-abc-123')).toBe('token [REDACTED]');
  });

  it('maps a refused connection to a retryable error', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise((r) => closed.close(r));
    const http = new HttpClient({ service: 'Test', baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 1000 });
    const err = (await http.request({ method: 'GET', path: '/' }).catch((e: unknown) => e)) as TicketError;
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/network error \(ECONNREFUSED\)/);
  });
});
