import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny HTTP server on 127.0.0.1 for contract tests: it records every request exactly as received
 * and lets a test inject faults (an error status with the product's body and headers, a slow answer,
 * a dropped connection) in front of the product's real behaviour.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
}

export type Fault =
  /** Answer with this instead of the product's behaviour. */
  | { status: number; headers?: Record<string, string>; body?: unknown }
  /** Wait, then behave normally: the product did the work even if the client gave up. */
  | { delayMs: number }
  /** Do the work, then drop the connection without answering. */
  | { dropAfterHandling: true }
  /** Do the work, then never answer (the client is expected to die or time out). */
  | { holdAfterHandling: true };

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: RecordedRequest) => Reply | Promise<Reply>;

interface PendingFault {
  fault: Fault;
  match: (req: RecordedRequest) => boolean;
}

export class FakeServer {
  readonly requests: RecordedRequest[] = [];
  private readonly faults: PendingFault[] = [];
  private server: Server | undefined;
  url = '';

  constructor(private readonly handler: Handler) {}

  /** Queues a fault for the next request that matches (default: any). */
  failNext(fault: Fault, match: (req: RecordedRequest) => boolean = () => true): this {
    this.faults.push({ fault, match });
    return this;
  }

  /** Queues the same fault `times` times. */
  failTimes(times: number, fault: Fault, match?: (req: RecordedRequest) => boolean): this {
    for (let i = 0; i < times; i++) this.failNext(fault, match);
    return this;
  }

  requestsTo(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        let json: unknown;
        try {
          json = body ? JSON.parse(body) : undefined;
        } catch {
          json = undefined;
        }
        const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body, json };
        this.requests.push(recorded);
        void this.respond(recorded, res);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async respond(req: RecordedRequest, res: ServerResponse): Promise<void> {
    const i = this.faults.findIndex((f) => f.match(req));
    const fault = i >= 0 ? this.faults.splice(i, 1)[0]!.fault : undefined;
    if (fault && 'status' in fault) return send(res, { status: fault.status, body: fault.body, headers: fault.headers });
    if (fault && 'delayMs' in fault) await new Promise((r) => setTimeout(r, fault.delayMs));
    let reply: Reply;
    try {
      reply = await this.handler(req);
    } catch (err) {
      reply = { status: 500, body: { error: String(err) } };
    }
    if (fault && 'dropAfterHandling' in fault) {
      res.socket?.destroy();
      return;
    }
    if (fault && 'holdAfterHandling' in fault) return;
    if (!res.destroyed) send(res, reply);
  }
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload = '';
  if (reply.body !== undefined) {
    payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    headers['Content-Type'] ??= typeof reply.body === 'string' ? 'text/plain' : 'application/json';
  }
  res.writeHead(reply.status, headers);
  res.end(payload);
}

export function basicCredentials(headers: IncomingHttpHeaders): { user: string; password: string } | undefined {
  const h = headers.authorization;
  if (!h?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(h.slice(6), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? undefined : { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
}
