import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerApp } from '../../src/server/app.js';
import { Metrics } from '../../src/server/metrics.js';
import { InFlight } from '../../src/server/in-flight.js';
import type { ServerPhase } from '../../src/server/health.js';
import type { KnowledgeStatus } from '../../src/engine/ports/knowledge.js';
import { createLogger } from '../../src/log.js';
import { postJson, startTestApp, type TestApp } from './start.js';
import { sqliteDb } from '../helpers/sqlite-handle.js';

describe('server: health, readiness, metrics, errors', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('is alive', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', uptimeSeconds: expect.any(Number) });
  });

  it('is ready, and says it runs lexical-only', async () => {
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      status: 'ready',
      retrieval: { mode: 'lexical-only', note: expect.stringContaining('lexical-only') },
      checks: { knowledge: { ok: true, vectors: 0 }, database: { ok: true }, shutdown: { ok: true, draining: false } },
    });
    expect(body.checks.knowledge.articles).toBeGreaterThan(10);
    // The shipped knowledge base keeps its committed calibration (no zero-label run), and says so.
    expect(body.retrieval.calibration).toMatchObject({ source: 'committed', note: expect.stringContaining('committed calibration') });
  });

  it('is not ready when the database refuses writes', async () => {
    sqliteDb(server.app).pragma('query_only = ON');
    try {
      const res = await fetch(`${server.url}/readyz`);
      expect(res.status).toBe(503);
      const body = await res.json();
      expect(body.status).toBe('not_ready');
      expect(body.checks.database).toMatchObject({ ok: false, error: expect.stringMatching(/readonly|read-only|query_only/i) });
    } finally {
      sqliteDb(server.app).pragma('query_only = OFF');
    }
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  it('exposes Prometheus metrics: process defaults, turns, decisions, latency', async () => {
    const turn = await postJson(`${server.url}/api/chat`, { conversationId: 'metrics-conversation', user: { id: 'metrics-user' }, text: 'my vpn does not connect' });
    expect(turn.status).toBe(200);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^helpdesk_turns_total\{channel="web",kind="text"\} [1-9]/m);
    expect(text).toMatch(/^helpdesk_decisions_total\{kind="(answer|clarify|escalate)"\} [1-9]/m);
    expect(text).toMatch(/^helpdesk_turn_duration_seconds_count\{channel="web"\} [1-9]/m);
    expect(text).toContain('helpdesk_channel_errors_total');
    expect(text).toContain('helpdesk_escalations_total');
  });

  it('answers unknown routes and bad bodies with short JSON 4xx', async () => {
    const missing = await fetch(`${server.url}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found' });
    const bad = await postJson(`${server.url}/api/messages`, '{"type": "message",');
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ error: 'invalid_json', message: expect.any(String) });
    const huge = await postJson(`${server.url}/api/messages`, { type: 'message', text: 'x'.repeat(300_000) });
    expect(huge.status).toBe(413);
    expect(JSON.stringify(huge.json)).not.toMatch(/at .*\.js/);
  });
});

describe('server: starting and draining', () => {
  let http: Server;
  let url: string;
  let phase: ServerPhase = 'serving';
  let loaded = true;

  beforeAll(async () => {
    const status: KnowledgeStatus = { ready: true, mode: 'hybrid', articles: 3, chunks: 9, vectors: 9, brokenFiles: [], warnings: [], knowledgeHash: 'x', embedder: { provider: 'use', model: 'use-lite', runtime: 'wasm (tfjs 4.5.0, SIMD, 1 thread)' } };
    const app = createServerApp({
      channels: [],
      metrics: new Metrics({ defaultMetrics: false }),
      logger: createLogger('silent'),
      readiness: { knowledge: () => (loaded ? status : undefined), database: async () => ({ ok: true }), phase: () => phase, startedAt: new Date() },
    });
    http = createServer(app);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => http?.close(() => resolve()));
  });

  it('reports hybrid retrieval when embeddings run', async () => {
    expect(await (await fetch(`${url}/readyz`)).json()).toMatchObject({ status: 'ready', retrieval: { mode: 'hybrid', embedder: { provider: 'use', runtime: 'wasm (tfjs 4.5.0, SIMD, 1 thread)' } } });
  });

  it('while the knowledge base loads: alive, not ready, work refused with 503', async () => {
    phase = 'starting';
    loaded = false;
    try {
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ phase: 'starting', retrieval: { mode: 'loading' }, checks: { knowledge: { ok: false, loading: true } } });
      const work = await postJson(`${url}/api/chat`, { text: 'hello' });
      expect(work.status).toBe(503);
      expect(work.json.error).toBe('starting');
    } finally {
      phase = 'serving';
      loaded = true;
    }
  });

  it('while draining: not ready, new work refused with 503 and Retry-After, health still answered', async () => {
    phase = 'draining';
    try {
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(503);
      expect((await ready.json()).checks.shutdown).toEqual({ ok: false, draining: true });
      const work = await postJson(`${url}/api/chat`, { text: 'hello' });
      expect(work.status).toBe(503);
      expect(work.headers.get('retry-after')).toBe('5');
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/metrics`)).status).toBe(200);
    } finally {
      phase = 'serving';
    }
  });

  it('waits for in-flight work before reporting idle, and gives up after the timeout', async () => {
    const inFlight = new InFlight();
    let finish!: () => void;
    const work = inFlight.run(() => new Promise<void>((resolve) => (finish = resolve)));
    expect(inFlight.size).toBe(1);
    expect(await inFlight.idle(50)).toBe(false);
    const idle = inFlight.idle(5_000);
    finish();
    await work;
    expect(await idle).toBe(true);
    expect(inFlight.size).toBe(0);
  });
});
