import { rememberSession, sessionCookie } from './web-sessions.js';

/**
 * POST a JSON body (or a raw string, for malformed-body tests) and read the answer as JSON when it
 * is. Web chat requests carry the session cookie of the test user's "browser" (web-sessions.ts).
 */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; headers: Headers }> {
  const cookie = headers.cookie ?? sessionCookie(url, body);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  rememberSession(url, body, cookie, res.headers);
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, json, headers: res.headers };
}
