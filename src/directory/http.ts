import { DirectoryError } from './types.js';

/**
 * JSON over HTTP for the directory APIs (Graph, Okta): a timeout on every call, and the provider's
 * answers mapped to DirectoryError codes (403 refused, 404 not found, 429 with its wait, 5xx or no
 * answer: provider down). Error texts carry the provider's own summary, never a credential.
 */

export interface HttpCall {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

export interface HttpOptions {
  fetch?: typeof fetch;
  timeoutMs: number;
  /** The provider's name for messages ("Okta", "Microsoft Graph"). */
  provider: string;
}

/** Seconds to wait from Retry-After (seconds or an HTTP date), else from Okta's X-Rate-Limit-Reset (epoch seconds). */
export function retryAfterSeconds(headers: Headers, now = Date.now()): number | undefined {
  const ra = headers.get('retry-after');
  if (ra) {
    const n = Number(ra);
    if (Number.isFinite(n) && n >= 0) return Math.ceil(n);
    const at = Date.parse(ra);
    if (Number.isFinite(at)) return Math.max(0, Math.ceil((at - now) / 1000));
  }
  const reset = Number(headers.get('x-rate-limit-reset'));
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, Math.ceil(reset - now / 1000));
  return undefined;
}

function summary(body: unknown): string {
  if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    // Okta: {errorCode, errorSummary}; Graph: {error: {code, message}}; OAuth: {error, error_description}.
    if (typeof o.errorSummary === 'string') return `${String(o.errorCode ?? '')} ${o.errorSummary}`.trim();
    const e = o.error;
    if (e && typeof e === 'object') {
      const g = e as Record<string, unknown>;
      return `${String(g.code ?? '')} ${String(g.message ?? '')}`.trim();
    }
    if (typeof e === 'string') return `${e}${typeof o.error_description === 'string' ? ` ${o.error_description.split('\n')[0]}` : ''}`;
  }
  return typeof body === 'string' ? body.slice(0, 200) : '';
}

export async function callJson(call: HttpCall, options: HttpOptions): Promise<unknown> {
  return (await callJsonWithHeaders(call, options)).body;
}

/** callJson with the answer's headers, for APIs that page through a Link header (Okta). */
export async function callJsonWithHeaders(call: HttpCall, options: HttpOptions): Promise<{ body: unknown; headers: Headers }> {
  const doFetch = options.fetch ?? fetch;
  const what = `${call.method} ${new URL(call.url).pathname}`;
  let res: Response;
  try {
    res = await doFetch(call.url, {
      method: call.method,
      headers: { accept: 'application/json', ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}), ...call.headers },
      ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (err) {
    const reason = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    throw new DirectoryError('unavailable', `${options.provider} unreachable (${what}): ${reason}`);
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Kept as text for the message.
  }
  if (res.ok) return { body, headers: res.headers };
  const detail = `${options.provider} ${what} → ${res.status}${summary(body) ? `: ${summary(body)}` : ''}`;
  if (res.status === 401) throw new DirectoryError('auth', detail);
  if (res.status === 403) throw new DirectoryError('forbidden', detail);
  if (res.status === 404) throw new DirectoryError('not_found', detail);
  if (res.status === 429) {
    const wait = retryAfterSeconds(res.headers);
    throw new DirectoryError('throttled', `${detail}${wait !== undefined ? ` (retry after ${wait} s)` : ''}`, wait);
  }
  if (res.status >= 500) throw new DirectoryError('unavailable', detail);
  throw new DirectoryError('rejected', detail);
}
