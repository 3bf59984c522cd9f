import { createHash } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { addressIn, parseAddressList, type WebAuthConfig } from '../../config/sections/web-auth.js';
import type { UserRef } from '../../engine/contract.js';
import type { Logger } from '../../log.js';
import { CALLBACK_PATH, OIDC_TX_COOKIE, OidcSignIn } from './oidc.js';
import { anonymousIdentity, boundedGroups, CookieSealer, WEB_SESSION_COOKIE, type WebIdentity } from './session.js';

/**
 * Who is talking in the web chat, decided by the server (WEB_AUTH):
 * - anonymous: a random identity in a signed, HttpOnly cookie the server issues itself; what the
 *   page claims about the user is ignored, and the engine is told the user is unverified;
 * - oidc: the identity an OpenID Connect provider vouched for (see oidc.ts), kept in the same cookie;
 * - proxy: the user named by a reverse proxy's headers, believed only from the configured proxy addresses.
 */

export interface WebAuthOptions {
  config: WebAuthConfig;
  secret: Buffer;
  publicUrl?: string;
  logger: Logger;
  /** A sign-in error page's text in the request's language. */
  message(req: Request, key: 'signin_unavailable' | 'signin_failed'): string;
}

function cookies(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    if (!(name in out)) out[name] = part.slice(i + 1).trim();
  }
  return out;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The engine's view of a web identity: anonymous ones carry no name or e-mail (the bot asks for them). */
export function userRefOf(identity: WebIdentity, locale?: string): UserRef {
  return {
    id: identity.id,
    ...(identity.provider === 'anonymous' ? { anonymous: true } : {}),
    ...(identity.name ? { name: identity.name } : {}),
    ...(identity.email ? { email: identity.email } : {}),
    // An identity provider (OIDC) or the trusted proxy vouched for this user: account actions may act on it.
    ...(identity.provider !== 'anonymous' ? { verified: { by: identity.provider, subject: identity.id, ...(identity.email ? { email: identity.email } : {}) } } : {}),
    // Groups only as the identity provider or the trusted proxy stated them; an anonymous session has none.
    ...(identity.provider !== 'anonymous' && identity.groups ? { groups: [...identity.groups] } : {}),
    ...(locale ? { locale } : {}),
  };
}

/**
 * The engine's conversation id for a page's conversation: prefixed with a digest of the identity,
 * so a conversation id seen by someone else (a shared link, a log) never opens that person's
 * conversation or event stream.
 */
export function ownedConversationId(identity: WebIdentity, conversationId: string): string {
  return `${createHash('sha256').update(identity.id).digest('hex').slice(0, 16)}.${conversationId}`;
}

export class WebAuth {
  readonly mode: WebAuthConfig['mode'];
  private readonly sealer: CookieSealer;
  private readonly oidc?: OidcSignIn;
  private readonly proxyAddresses?: ReturnType<typeof parseAddressList>;
  private readonly secure: boolean;
  private readonly maxAgeMs: number;

  constructor(private readonly options: WebAuthOptions) {
    const { config } = options;
    this.mode = config.mode;
    this.sealer = new CookieSealer(options.secret);
    this.secure = Boolean(options.publicUrl?.startsWith('https:'));
    this.maxAgeMs = config.sessionHours * 3_600_000;
    if (config.oidc) this.oidc = new OidcSignIn(config.oidc, this.sealer, options.publicUrl);
    if (config.proxy) this.proxyAddresses = parseAddressList(config.proxy.addresses);
  }

  /**
   * The identity of this request, or undefined (answer 401). In anonymous mode a request without a
   * valid session gets a new one when `issue` is set (page loads and chat turns, not event streams).
   */
  identify(req: Request, res: Response, issue: boolean): WebIdentity | undefined {
    if (this.mode === 'proxy') return this.fromProxy(req);
    const session = this.sealer.openIdentity(cookies(req)[WEB_SESSION_COOKIE]);
    if (session && session.provider === this.mode) return session;
    if (this.mode !== 'anonymous' || !issue) return undefined;
    const identity = anonymousIdentity();
    this.setSession(res, identity);
    return identity;
  }

  private fromProxy(req: Request): WebIdentity | undefined {
    const proxy = this.options.config.proxy;
    const list = this.proxyAddresses;
    if (!proxy || !list || typeof list === 'string' || !addressIn(list.list, req.socket.remoteAddress)) return undefined;
    const value = (name: string): string | undefined => {
      const v = req.get(name)?.trim();
      return v && v.length <= 256 ? v : undefined;
    };
    const user = value(proxy.userHeader);
    if (!user) return undefined;
    const email = value(proxy.emailHeader);
    const name = value(proxy.nameHeader);
    // Read only when configured, and like the user header only from the trusted proxy's address (checked above).
    const groupsHeader = proxy.groupsHeader ? req.get(proxy.groupsHeader) : undefined;
    const groups = proxy.groupsHeader ? boundedGroups(groupsHeader && groupsHeader.length <= 16_384 ? groupsHeader.split(',') : []) : undefined;
    return { id: `proxy:${user}`, provider: 'proxy', ...(name ? { name } : {}), ...(email && EMAIL.test(email) ? { email } : {}), ...(groups ? { groups } : {}) };
  }

  private cookieOptions(maxAge?: number) {
    return { httpOnly: true, sameSite: 'lax' as const, secure: this.secure, path: '/', ...(maxAge ? { maxAge } : {}) };
  }

  private setSession(res: Response, identity: WebIdentity): void {
    res.cookie(WEB_SESSION_COOKIE, this.sealer.sealIdentity(identity, this.maxAgeMs), this.cookieOptions(this.maxAgeMs));
  }

  /** GET /chat in oidc mode without a session: where to send the browser. */
  signInUrl(returnTo = '/chat'): string {
    return `/chat/login?returnTo=${encodeURIComponent(returnTo)}`;
  }

  /** Sign-in, sign-out and "who am I" routes. */
  router(): Router {
    const router = Router();
    const { logger } = this.options;

    router.get('/api/chat/session', (req, res) => {
      const identity = this.identify(req, res, true);
      res.set('Cache-Control', 'no-store').json({
        mode: this.mode,
        signedIn: Boolean(identity) && this.mode !== 'anonymous',
        ...(identity?.name ? { name: identity.name } : {}),
        ...(identity?.email ? { email: identity.email } : {}),
        ...(this.mode === 'oidc' && !identity ? { signInUrl: this.signInUrl() } : {}),
      });
    });

    router.post('/chat/logout', express.urlencoded({ extended: false, limit: '1kb' }), (req, res) => {
      // SameSite=Lax keeps the cookie off cross-site POSTs; the Origin check turns away the rest.
      const origin = req.get('origin');
      if (origin && origin !== 'null') {
        let host: string | undefined;
        try {
          host = new URL(origin).host;
        } catch {
          host = undefined;
        }
        if (host !== req.get('host')) {
          res.status(403).json({ error: 'forbidden', message: 'Cross-site sign-out refused.' });
          return;
        }
      }
      res.clearCookie(WEB_SESSION_COOKIE, this.cookieOptions());
      res.redirect(303, this.mode === 'oidc' ? '/chat?signed_out=1' : '/chat');
    });

    if (this.oidc) {
      const oidc = this.oidc;
      router.get('/chat/login', async (req, res) => {
        const asked = typeof req.query.returnTo === 'string' ? req.query.returnTo : '/chat';
        // Only a path of this site: never an open redirect.
        const returnTo = /^\/chat(?:[/?#]|$)/.test(asked) && !asked.startsWith('//') ? asked : '/chat';
        try {
          const { url, tx, maxAgeMs } = await oidc.start(req, returnTo);
          res.cookie(OIDC_TX_COOKIE, tx, { ...this.cookieOptions(maxAgeMs), path: CALLBACK_PATH });
          res.redirect(302, url);
        } catch (err) {
          logger.error({ err: err instanceof Error ? err.message : String(err) }, 'web chat sign-in: the identity provider is unreachable');
          res.status(503).set('Retry-After', '10').type('text/plain').send(this.options.message(req, 'signin_unavailable'));
        }
      });

      router.get(CALLBACK_PATH, async (req, res) => {
        res.clearCookie(OIDC_TX_COOKIE, { ...this.cookieOptions(), path: CALLBACK_PATH });
        try {
          const { identity, returnTo } = await oidc.finish(req, cookies(req)[OIDC_TX_COOKIE]);
          this.setSession(res, identity);
          logger.info({ user: identity.id }, 'web chat sign-in');
          res.redirect(303, returnTo);
        } catch (err) {
          logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'web chat sign-in failed');
          res.status(401).type('text/plain').send(this.options.message(req, 'signin_failed'));
        }
      });
    }
    return router;
  }
}
