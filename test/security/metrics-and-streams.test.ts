import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvents, type SseReader } from '../helpers/sse.js';
import { startTestApp, type TestApp } from '../server/start.js';

/**
 * Issue 15, Low: /metrics can require a bearer token (METRICS_TOKEN), and the number of open web
 * chat event streams is capped per client address and in total (SSE_MAX_STREAMS*).
 */

const TOKEN = 'metrics-token-0123456789abcdef';

describe('/metrics token and SSE caps', () => {
  let server: TestApp;
  const streams: SseReader[] = [];
  beforeAll(async () => {
    server = await startTestApp({ METRICS_TOKEN: TOKEN, SSE_MAX_STREAMS_PER_CLIENT: '3', SSE_MAX_STREAMS: '5' });
  });
  afterAll(async () => {
    for (const s of streams) s.close();
    await server?.stop();
  });

  it('answers /metrics only with the bearer token', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    const ok = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/^# HELP /m);
  });

  it('caps open event streams per client address, and frees a slot when one closes', async () => {
    const open = (i: number) => openEvents(`${server.url}/api/chat/events?conversationId=sse-cap-conversation-${i}`);
    for (let i = 0; i < 3; i++) {
      const s = await open(i);
      streams.push(s);
      expect(s.status).toBe(200);
    }
    const refused = await open(3);
    expect(refused.status).toBe(429);
    refused.close();
    streams.shift()!.close();
    let again: SseReader | undefined;
    for (let i = 0; i < 100; i++) {
      again = await open(4);
      if (again.status === 200) break;
      again.close();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(again!.status).toBe(200);
    streams.push(again!);
  });
});

describe('SSE total cap', () => {
  let server: TestApp;
  const streams: SseReader[] = [];
  beforeAll(async () => {
    server = await startTestApp({ SSE_MAX_STREAMS: '2', SSE_MAX_STREAMS_PER_CLIENT: '10' });
  });
  afterAll(async () => {
    for (const s of streams) s.close();
    await server?.stop();
  });

  it('refuses a stream over the total, whoever asks', async () => {
    for (let i = 0; i < 2; i++) {
      const s = await openEvents(`${server.url}/api/chat/events?conversationId=sse-total-conversation-${i}`);
      streams.push(s);
      expect(s.status).toBe(200);
    }
    const refused = await openEvents(`${server.url}/api/chat/events?conversationId=sse-total-conversation-9`);
    streams.push(refused);
    expect(refused.status).toBe(429);
  });
});
