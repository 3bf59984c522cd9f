import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A load balancer for the cluster test (round-robin-proxy.ts is the load script's, without health
 * checks): plain node:http on 127.0.0.1, round-robin over upstream servers, no
 * sticky sessions. Requests and responses are streamed through (Server-Sent Events included), as
 * nginx does with buffering off. Like a real balancer it checks each upstream's `/readyz` and sends
 * traffic only to ready ones, and a refused connection (a dead process) sends the request to the
 * next upstream: nothing reached the dead one, so that is safe for any method. When an upstream dies
 * after it got the request, the client gets a 502 (or its streamed response is cut) and must retry
 * itself, as a browser would.
 */

export interface Upstream {
  port: number;
  ready: boolean;
  /** Requests this upstream answered (a response started), since the proxy started. */
  served: number;
}

export interface RoundRobinProxy {
  url: string;
  upstreams: Upstream[];
  /** Requests that could not be forwarded to any upstream, or were cut by an upstream's death. */
  failures: number;
  close(): Promise<void>;
}

export async function startRoundRobinProxy(ports: number[], options: { healthEveryMs?: number } = {}): Promise<RoundRobinProxy> {
  const upstreams: Upstream[] = ports.map((port) => ({ port, ready: false, served: 0 }));
  const sockets = new Set<Socket>();
  let next = 0;
  let closed = false;
  const state = { failures: 0 };

  const probe = (u: Upstream) =>
    new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port: u.port, path: '/readyz', method: 'GET', timeout: 2_000, agent: false }, (res) => {
        u.ready = res.statusCode === 200;
        res.resume();
        resolve();
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        u.ready = false;
        resolve();
      });
      req.end();
    });
  let healthTimer: NodeJS.Timeout | undefined;
  const healthLoop = async () => {
    if (closed) return;
    await Promise.all(upstreams.map(probe));
    if (!closed) healthTimer = setTimeout(() => void healthLoop(), options.healthEveryMs ?? 200);
  };
  await Promise.all(upstreams.map(probe));
  healthTimer = setTimeout(() => void healthLoop(), options.healthEveryMs ?? 200);

  /** The ready upstreams in round-robin order, starting at the next one. */
  const order = (): Upstream[] => {
    const start = next++ % upstreams.length;
    const all = [...upstreams.slice(start), ...upstreams.slice(0, start)];
    const ready = all.filter((u) => u.ready);
    return ready.length > 0 ? ready : all;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, candidates: Upstream[]): void => {
    const upstream = candidates[0];
    if (!upstream) {
      state.failures++;
      res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'no_upstream' }));
      return;
    }
    const headers: Record<string, string | string[] | undefined> = { ...req.headers, 'content-length': String(body.length) };
    if (req.method === 'GET' || req.method === 'HEAD') delete headers['content-length'];
    const out = request({ host: '127.0.0.1', port: upstream.port, path: req.url, method: req.method, headers, agent: false });
    let answered = false;
    out.on('response', (upstreamRes) => {
      answered = true;
      upstream.served++;
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
      // Streamed as it comes: an SSE stream reaches the client event by event.
      res.flushHeaders();
      upstreamRes.on('data', (chunk: Buffer) => res.write(chunk));
      upstreamRes.on('end', () => res.end());
      // The upstream died mid-response: cut the client's connection so it sees the failure.
      upstreamRes.on('aborted', () => {
        state.failures++;
        res.destroy();
      });
      upstreamRes.on('error', () => res.destroy());
    });
    out.on('error', (err: NodeJS.ErrnoException) => {
      if (answered) {
        res.destroy();
        return;
      }
      if (err.code === 'ECONNREFUSED') {
        // Nothing reached it: mark it down and try the next one.
        upstream.ready = false;
        forward(req, res, body, candidates.slice(1));
        return;
      }
      state.failures++;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'upstream_failed', message: err.message }));
      else res.destroy();
    });
    // The client went away (a closed event stream): close the upstream request too.
    res.on('close', () => out.destroy());
    out.end(body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => forward(req, res, Buffer.concat(chunks), order()));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    upstreams,
    get failures() {
      return state.failures;
    },
    async close() {
      closed = true;
      clearTimeout(healthTimer);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
