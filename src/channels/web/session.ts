import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

/**
 * Sealed (signed, not encrypted) cookie values for the web chat: the session that says who is
 * talking, and the short-lived OpenID Connect sign-in transaction. The page cannot read them
 * (HttpOnly) nor forge them (HMAC-SHA256 with a server secret). Stateless on purpose: a restart or
 * a second instance behind a load balancer keeps everyone signed in as long as the secret is shared.
 */

export const WEB_SESSION_COOKIE = 'hd_web';

/** Groups kept per web identity; the sealed cookie must stay under the browsers' 4 KB per cookie. */
export const MAX_GROUPS = 100;
const MAX_GROUP_CHARS = 2000;

/**
 * Cleans a list of group names from a token claim or a proxy header: trimmed, unique, bounded.
 * Past the bounds, groups are dropped, never invented: a user then sees fewer restricted articles, not more.
 */
export function boundedGroups(values: readonly unknown[]): string[] {
  const out: string[] = [];
  let chars = 0;
  for (const v of values) {
    if (typeof v !== 'string') continue;
    const name = v.trim();
    if (!name || name.length > 256 || out.includes(name)) continue;
    if (out.length >= MAX_GROUPS || chars + name.length > MAX_GROUP_CHARS) break;
    out.push(name);
    chars += name.length;
  }
  return out;
}

/** Who a web request comes from, as the server established it. */
export interface WebIdentity {
  /** Namespaced by how it was verified (anon:…, oidc:…, proxy:…), so it can never equal another channel's user id. */
  id: string;
  provider: 'anonymous' | 'oidc' | 'proxy';
  name?: string;
  email?: string;
  /** Groups the identity provider or the trusted proxy vouched for (audiences of restricted articles). */
  groups?: string[];
}

const identitySchema = z.object({
  id: z.string().min(1).max(512),
  provider: z.enum(['anonymous', 'oidc', 'proxy']),
  name: z.string().max(256).optional(),
  email: z.string().max(320).optional(),
  groups: z.array(z.string().min(1).max(256)).max(MAX_GROUPS).optional(),
});

export class CookieSealer {
  constructor(
    private readonly secret: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  seal(purpose: string, value: unknown, maxAgeMs: number): string {
    const body = Buffer.from(JSON.stringify({ p: purpose, x: this.now() + maxAgeMs, v: value }), 'utf8').toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The value sealed for `purpose`, or undefined when it is forged, expired or for another purpose. */
  open(purpose: string, sealed: string | undefined): unknown {
    if (!sealed || sealed.length > 4096) return undefined;
    const dot = sealed.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const body = sealed.slice(0, dot);
    const mac = Buffer.from(sealed.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(body), 'base64url');
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return undefined;
    try {
      const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { p?: unknown; x?: unknown; v?: unknown };
      if (parsed.p !== purpose || typeof parsed.x !== 'number' || parsed.x <= this.now()) return undefined;
      return parsed.v;
    } catch {
      return undefined;
    }
  }

  sealIdentity(identity: WebIdentity, maxAgeMs: number): string {
    return this.seal('session', identity, maxAgeMs);
  }

  openIdentity(sealed: string | undefined): WebIdentity | undefined {
    const r = identitySchema.safeParse(this.open('session', sealed));
    return r.success ? r.data : undefined;
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}

/** A fresh anonymous identity: a random id only this browser's cookie carries. */
export function anonymousIdentity(): WebIdentity {
  return { id: `anon:${randomBytes(16).toString('base64url')}`, provider: 'anonymous' };
}

/**
 * The configured WEB_SESSION_SECRET, or one generated at the first start and kept in `path`
 * (readable by the server's user only). Never a user's secret: nothing typed in the chat is used.
 */
export function sessionSecret(configured: string | undefined, path: string): Buffer {
  if (configured) return Buffer.from(configured, 'utf8');
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    try {
      writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process created it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const text = readFileSync(path, 'utf8').trim();
  if (text.length < 32) throw new Error(`${path}: the web session secret is too short; delete the file to generate a new one`);
  return Buffer.from(text, 'utf8');
}
