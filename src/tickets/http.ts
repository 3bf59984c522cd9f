import { TicketError } from '../engine/ports/tickets.js';
import type { ZodType, ZodTypeDef } from 'zod';

/**
 * The one HTTP helper every ticket adapter uses: Node's fetch, a per-request timeout, JSON in and out,
 * and failures mapped to TicketError so the outbox knows whether and when to retry.
 *
 * Retry policy: network errors, timeouts, 408, 409 (a concurrent request on the same idempotency key),
 * 425, 429 and 5xx are retryable; other 4xx are not (wrong credentials or a rejected payload will not
 * fix themselves: they go to the dead-letter list, where a technician can retry after fixing config).
 * 429 and 503 honour Retry-After (seconds or HTTP-date).
 *
 * Secrets (passwords, tokens, the encoded Authorization value) are scrubbed from every message this
 * module produces, and messages never include query strings (they can carry e-mail addresses).
 */
export type Query = Record<string, string | number | boolean | undefined>;

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path appended to the base URL, e.g. "/api/now/table/incident". */
  path: string;
  query?: Query;
  headers?: Record<string, string>;
  /** Serialised as JSON with Content-Type application/json. */
  json?: unknown;
  /** Raw body (already serialised), sent as-is; takes precedence over `json`. */
  body?: string;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined when the body is empty or not JSON. */
  data: unknown;
  text: string;
}

export interface HttpClientOptions {
  /** Product name used in error messages, e.g. "ServiceNow". */
  service: string;
  baseUrl: string;
  timeoutMs: number;
  /** Headers added to every request (auth, Accept); may be async (OAuth token refresh). */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
  /** Values that must never appear in a message. */
  secrets?: readonly (string | undefined)[];
  /** Pulls the product's own error text out of an error body (each product has its own shape). */
  describeError?: (data: unknown, text: string) => string | undefined;
  fetch?: typeof fetch;
}

export class HttpClient {
  private readonly secrets: string[];
  private readonly runtimeSecrets: string[] = [];

  constructor(private readonly options: HttpClientOptions) {
    this.secrets = (options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 4);
  }

  /** For credentials obtained at run time (OAuth access tokens, session tokens); the last few are kept. */
  addSecret(secret: string): void {
    if (secret.length < 4 || this.runtimeSecrets.includes(secret)) return;
    this.runtimeSecrets.push(secret);
    if (this.runtimeSecrets.length > 8) this.runtimeSecrets.shift();
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  url(path: string, query?: Query): string {
    const url = new URL(this.options.baseUrl.replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url.toString();
  }

  /** Sends the request; resolves for 2xx, throws TicketError otherwise. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    const what = `${this.options.service} ${req.method} ${req.path}`;
    const headers: Record<string, string> = { Accept: 'application/json', ...(await this.options.headers?.()), ...req.headers };
    let body = req.body;
    if (body === undefined && req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['Content-Type'] ??= 'application/json';
    }
    let res: Response;
    try {
      res = await (this.options.fetch ?? fetch)(this.url(req.path, req.query), {
        method: req.method,
        headers,
        body,
        signal: AbortSignal.timeout(req.timeoutMs ?? this.options.timeoutMs),
        redirect: 'error',
      });
    } catch (err) {
      throw new TicketError(this.scrub(`${what}: ${describeFetchFailure(err)}`), { retryable: true });
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new TicketError(this.scrub(`${what}: ${describeFetchFailure(err)} while reading the response`), {
        retryable: true,
        httpStatus: res.status,
      });
    }
    const data = parseJson(text);
    if (res.ok) return { status: res.status, headers: res.headers, data, text };

    const detail = this.options.describeError?.(data, text) ?? genericDetail(data, text);
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    throw new TicketError(this.scrub(`${what} → HTTP ${res.status}${detail ? `: ${detail}` : ''}`), {
      retryable: isRetryableStatus(res.status),
      httpStatus: res.status,
      retryAfterMs,
    });
  }

  /** Replaces every configured secret (and its URL-encoded form) by [REDACTED]. */
  scrub(message: string): string {
    let out = message;
    for (const s of [...this.secrets, ...this.runtimeSecrets]) {
      for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join('[REDACTED]');
    }
    return out;
  }
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
}

/** Retry-After is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

function parseJson(text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describeFetchFailure(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timed out';
    const cause = (err as { cause?: { code?: string } }).cause;
    return cause?.code ? `network error (${cause.code})` : `network error (${err.message})`;
  }
  return 'network error';
}

/** Fallback when the adapter has no product-specific shape: a short excerpt of the body. */
function genericDetail(data: unknown, text: string): string | undefined {
  if (data && typeof data === 'object') {
    const o = data as Record<string, unknown>;
    for (const key of ['message', 'error', 'description', 'errorMessage']) {
      if (typeof o[key] === 'string') return o[key] as string;
    }
  }
  const t = text.replace(/\s+/g, ' ').trim();
  return t ? t.slice(0, 200) : undefined;
}

export function basicAuth(user: string, secret: string): string {
  return `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
}

/** Secrets list for a Basic credential: the parts and the encoded header value. */
export function basicAuthSecrets(user: string, secret: string): string[] {
  return [secret, basicAuth(user, secret).slice('Basic '.length)];
}

/**
 * Validates a product's answer (a trust boundary). A 2xx with an unexpected shape is retryable: on a
 * create it is ambiguous whether the ticket exists, and the retry's idempotency lookup settles it.
 */
export function expectShape<T>(schema: ZodType<T, ZodTypeDef, unknown>, data: unknown, what: string): T {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new TicketError(`${what}: unexpected response (${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid'})`, {
    retryable: true,
  });
}
