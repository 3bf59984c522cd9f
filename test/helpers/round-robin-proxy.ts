import { Agent, createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A load balancer in front of several server processes, as deployments put one (nginx, a cloud
 * load balancer): plain HTTP on 127.0.0.1, each request to the next upstream in turn, no sticky
 * sessions, bodies streamed both ways (a web chat event stream goes through as it is written).
 * Used by the load script with --replicas; a cluster test can use it the same way. Upstreams can
 * be changed while it runs (a replica killed, then back on another port).
 */

// Hop-by-hop headers belong to one connection (RFC 9110 §7.6.1): never forwarded.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);

function forwardable(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
  return out;
}

export interface RoundRobinProxy {
  url: string;
  /** The upstream base URLs, in turn order; assign to change them. */
  upstreams: string[];
  /** Requests sent to each upstream so far, by base URL. */
  counts: Map<string, number>;
  /** Requests that failed between the proxy and an upstream (answered 502 or cut), with the reason. */
  errors: Array<{ upstream: string; method: string; url: string; error: string }>;
  close(): Promise<void>;
}

export async function startRoundRobinProxy(upstreams: readonly string[]): Promise<RoundRobinProxy> {
  if (upstreams.length === 0) throw new Error('a round-robin proxy needs at least one upstream');
  // Keep-alive towards the replicas, as a real balancer pools its upstream connections.
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const counts = new Map<string, number>();
  const errors: RoundRobinProxy['errors'] = [];
  const state = { upstreams: [...upstreams], next: 0 };
  const server: Server = createServer((req, res) => {
    const base = state.upstreams[state.next++ % state.upstreams.length]!;
    counts.set(base, (counts.get(base) ?? 0) + 1);
    const target = new URL(req.url ?? '/', base);
    const upstream = request(
      target,
      { method: req.method, headers: { ...forwardable(req.headers), 'x-forwarded-for': req.socket.remoteAddress ?? '' }, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, forwardable(answer.headers));
        // Unbuffered: each chunk (an SSE event) reaches the client when the replica writes it.
        res.flushHeaders();
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    upstream.on('error', (err) => {
      errors.push({ upstream: base, method: req.method ?? '', url: req.url ?? '', error: err.message });
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`bad gateway: ${base}: ${err.message}\n`);
      } else res.destroy();
    });
    // The client went away (a closed event stream): stop the upstream request too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get upstreams() {
      return state.upstreams;
    },
    set upstreams(list: string[]) {
      if (list.length === 0) throw new Error('a round-robin proxy needs at least one upstream');
      state.upstreams = [...list];
    },
    counts,
    errors,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
