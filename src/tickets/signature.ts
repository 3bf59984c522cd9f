import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, both ways: the webhook provider signs what it sends, and the inbound status
 * endpoint (and any receiver) verifies with the same scheme:
 *
 *   X-Helpdesk-Timestamp: <unix seconds>
 *   X-Helpdesk-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 *
 * Signing the timestamp with the body lets a receiver reject replays older than a few minutes.
 */
export const SIGNATURE_HEADER = 'X-Helpdesk-Signature';
export const TIMESTAMP_HEADER = 'X-Helpdesk-Timestamp';
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function sign(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function signedHeaders(secret: string, body: string, now: number = Date.now()): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: sign(secret, timestamp, body) };
}

export type VerifyResult = { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'mismatch' };

/** Constant-time check of a signature over the raw body, with a replay window. */
export function verify(
  secret: string,
  headers: { timestamp: string | undefined | null; signature: string | undefined | null },
  body: string,
  options: { now?: number; toleranceSeconds?: number } = {},
): VerifyResult {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return { ok: false, reason: 'missing' };
  const age = Math.abs((options.now ?? Date.now()) / 1000 - Number(timestamp));
  if (age > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(sign(secret, Number(timestamp), body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
