import { HttpClient, type HttpClientOptions, type HttpRequest, type HttpResponse } from '../tickets/http.js';
import { TicketError } from '../engine/ports/tickets.js';

/**
 * HTTP for knowledge sources: the ticket adapters' client (timeouts, secrets scrubbed from
 * messages, Retry-After parsed) plus retries, since a sync has no outbox to retry later.
 * 429 and 5xx are retried a few times, honouring Retry-After up to a cap; other errors fail the run.
 */

export const MAX_ATTEMPTS = 4;
const MAX_WAIT_MS = 60_000;

export class SourceError extends Error {
  constructor(message: string, readonly httpStatus?: number) {
    super(message);
    this.name = 'SourceError';
  }
}

export class SourceHttp {
  readonly client: HttpClient;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: HttpClientOptions & { sleep?: (ms: number) => Promise<void> }) {
    this.client = new HttpClient(options);
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.client.request(req);
      } catch (err) {
        if (!(err instanceof TicketError)) throw err;
        if (!err.retryable || attempt >= MAX_ATTEMPTS) throw new SourceError(err.message, err.httpStatus);
        const backoff = 250 * 2 ** (attempt - 1);
        await this.sleep(Math.min(MAX_WAIT_MS, err.retryAfterMs ?? backoff));
      }
    }
  }

  async get(path: string, query?: HttpRequest['query'], headers?: Record<string, string>): Promise<HttpResponse> {
    return this.request({ method: 'GET', path, query, headers });
  }
}

/** The "next" target of an RFC 8288 Link header (ServiceNow, Confluence), if any. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part.trim());
    if (m) return m[1];
  }
  return undefined;
}

/** Path and query of an absolute or relative URL, for requests against the configured base URL. */
export function pathAndQuery(link: string, baseUrl: string): { path: string; query: Record<string, string> } {
  const url = new URL(link, baseUrl);
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/$/, '');
  const path = basePath && url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) : url.pathname;
  return { path, query: Object.fromEntries(url.searchParams) };
}
