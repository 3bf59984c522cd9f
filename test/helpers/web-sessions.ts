/**
 * One browser per test user on the web chat. The server ignores the `user.id` a page sends and
 * knows people only by the session cookie it issued, so tests that speak for several users keep
 * one cookie per (host, user id) here, as each user's own browser would; an event stream is
 * opened with the cookie of whoever used that conversation. Keyed by host name, not port, as
 * browsers keep cookies: a server restarted on another port with the same data (and so the same
 * session secret) still knows the user. Used by postJson and openEvents.
 */

const byUser = new Map<string, string>();
const byConversation = new Map<string, string>();

function chatEndpoint(url: string): { origin: string; path: string; conversationId?: string } | undefined {
  try {
    const u = new URL(url);
    if (u.pathname !== '/api/chat' && u.pathname !== '/api/chat/events') return undefined;
    return { origin: u.hostname, path: u.pathname, conversationId: u.searchParams.get('conversationId') ?? undefined };
  } catch {
    return undefined;
  }
}

function keysOf(url: string, body: unknown): { user?: string; conversation?: string } | undefined {
  const endpoint = chatEndpoint(url);
  if (!endpoint) return undefined;
  const b = (typeof body === 'object' && body !== null ? body : {}) as { user?: { id?: unknown }; conversationId?: unknown };
  const conversationId = typeof b.conversationId === 'string' ? b.conversationId : endpoint.conversationId;
  return {
    ...(typeof b.user?.id === 'string' ? { user: `${endpoint.origin}|${b.user.id}` } : {}),
    ...(conversationId ? { conversation: `${endpoint.origin}|${conversationId}` } : {}),
  };
}

/** The Cookie header of the browser this request comes from, if it has one. */
export function sessionCookie(url: string, body?: unknown): string | undefined {
  const keys = keysOf(url, body);
  if (!keys) return undefined;
  return (keys.user ? byUser.get(keys.user) : undefined) ?? (keys.conversation ? byConversation.get(keys.conversation) : undefined);
}

/** Keeps the session cookie the server set (or the one that was sent) for the user and the conversation. */
export function rememberSession(url: string, body: unknown, sent: string | undefined, headers: Headers): void {
  const keys = keysOf(url, body);
  if (!keys) return;
  const set = headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('hd_web='));
  const cookie = set ?? sent;
  if (!cookie) return;
  if (keys.user) byUser.set(keys.user, cookie);
  if (keys.conversation) byConversation.set(keys.conversation, cookie);
}
