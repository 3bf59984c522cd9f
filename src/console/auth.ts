import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Console sign-in. Technicians type the ADMIN_TOKEN once and get a session: a random id in a
 * signed, HttpOnly, SameSite=Strict cookie scoped to /admin, looked up in memory (so logout and
 * expiry are real, and a restart signs everybody out). Scripts may instead send
 * `Authorization: Bearer <token>` to /admin/api/*. Every state-changing request made with a
 * session carries the session's anti-CSRF token (hidden form field or X-CSRF-Token header) and,
 * when the browser sends one, an Origin of this very server.
 */

export const SESSION_COOKIE = 'hd_admin';

export interface Session {
  id: string;
  csrf: string;
  expiresAt: number;
}

export type AuthState = { kind: 'session'; session: Session } | { kind: 'bearer' };

export interface AuthOptions {
  token: string;
  sessionHours: number;
  secureCookie: boolean;
  now?: () => number;
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time comparison of two secrets of any length (compares their digests). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    const value = part.slice(i + 1).trim();
    if (!(name in out)) {
      try {
        out[name] = decodeURIComponent(value);
      } catch {
        out[name] = value;
      }
    }
  }
  return out;
}

/** Failed sign-ins allowed per client address in the window, before 429. */
const MAX_FAILURES = 10;
const FAILURE_WINDOW_MS = 15 * 60 * 1000;

export class ConsoleAuth {
  private readonly key: Buffer;
  private readonly sessions = new Map<string, Session>();
  private readonly failures = new Map<string, number[]>();
  private readonly now: () => number;

  constructor(private readonly options: AuthOptions) {
    // Derived from the token: rotating ADMIN_TOKEN invalidates every cookie ever issued.
    this.key = createHmac('sha256', options.token).update('helpdesk-console-session-v1').digest();
    this.now = options.now ?? Date.now;
  }

  checkToken(candidate: string): boolean {
    return safeEqual(candidate, this.options.token);
  }

  /** True while this address has failed too often recently. */
  throttled(address: string): boolean {
    const recent = (this.failures.get(address) ?? []).filter((t) => t > this.now() - FAILURE_WINDOW_MS);
    this.failures.set(address, recent);
    if (recent.length === 0) this.failures.delete(address);
    return recent.length >= MAX_FAILURES;
  }

  recordFailure(address: string): void {
    this.failures.set(address, [...(this.failures.get(address) ?? []), this.now()]);
  }

  createSession(res: Response): Session {
    this.sweep();
    const session: Session = {
      id: randomBytes(24).toString('base64url'),
      csrf: randomBytes(24).toString('base64url'),
      expiresAt: this.now() + this.options.sessionHours * 3_600_000,
    };
    this.sessions.set(session.id, session);
    res.cookie(SESSION_COOKIE, `${session.id}.${this.sign(session.id)}`, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.options.secureCookie,
      path: '/admin',
      maxAge: this.options.sessionHours * 3_600_000,
    });
    return session;
  }

  destroySession(res: Response, session: Session): void {
    this.sessions.delete(session.id);
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: this.options.secureCookie, path: '/admin' });
  }

  /** Who is asking: a valid session cookie, a valid bearer token, or nobody. */
  identify(req: Request, cookies: Record<string, string>): AuthState | undefined {
    const header = req.get('authorization');
    if (header) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      return m && this.checkToken(m[1]!) ? { kind: 'bearer' } : undefined;
    }
    const cookie = cookies[SESSION_COOKIE];
    if (!cookie) return undefined;
    const dot = cookie.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const id = cookie.slice(0, dot);
    if (!safeEqual(cookie.slice(dot + 1), this.sign(id))) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return { kind: 'session', session };
  }

  private sign(id: string): string {
    return createHmac('sha256', this.key).update(id).digest('base64url');
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Same-origin check on the Origin header when the browser sends one (all modern browsers do on POST). */
export function sameOrigin(req: Request): boolean {
  const origin = req.get('origin');
  if (!origin || origin === 'null') return origin !== 'null';
  try {
    return new URL(origin).host === req.get('host');
  } catch {
    return false;
  }
}

/**
 * Anti-CSRF for state-changing requests made with a session cookie. Bearer requests carry their
 * credential explicitly, so a forged cross-site request cannot have it.
 */
export function csrfGuard(onRejected: (req: Request, res: Response) => void): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const auth = res.locals.auth as AuthState | undefined;
    if (auth?.kind === 'bearer') return next();
    const body = req.body as Record<string, unknown> | undefined;
    const sent = req.get('x-csrf-token') ?? (typeof body?._csrf === 'string' ? body._csrf : '');
    const expected = auth?.kind === 'session' ? auth.session.csrf : undefined;
    if (!sameOrigin(req) || !expected || !sent || !safeEqual(sent, expected)) return onRejected(req, res);
    next();
  };
}
