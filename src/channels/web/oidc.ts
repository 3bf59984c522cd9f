import type { Request } from 'express';
import * as client from 'openid-client';
import { z } from 'zod';
import type { OidcConfig } from '../../config/sections/web-auth.js';
import { boundedGroups, type CookieSealer, type WebIdentity } from './session.js';

/**
 * Web chat sign-in with any OpenID Connect provider (Entra ID, Okta, Keycloak, Google…) through
 * openid-client: authorization code flow with PKCE, state and nonce, the ID token validated by the
 * library (signature, issuer, audience, expiry, nonce). The transaction lives in a short-lived
 * sealed cookie, so any instance can finish a sign-in another one started.
 */

export const OIDC_TX_COOKIE = 'hd_oidc';
export const CALLBACK_PATH = '/chat/auth/callback';
const TX_MAX_AGE_MS = 10 * 60 * 1000;

const txSchema = z.object({ state: z.string(), nonce: z.string(), verifier: z.string(), redirectUri: z.string().url(), returnTo: z.string() });

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function isLoopback(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/**
 * The groups claim: a list of names (Entra ID, Okta, Keycloak), or one string. Absent: undefined (the
 * directory may still tell). Entra ID sends object ids unless the app registration emits names
 * (sAMAccountName / cloud group names); audiences must then name what the claim carries.
 */
function groupsOf(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return boundedGroups(value);
  if (typeof value === 'string') return boundedGroups(value.split(','));
  return undefined;
}

export class OidcSignIn {
  private configuration?: Promise<client.Configuration>;

  constructor(
    private readonly options: OidcConfig,
    private readonly sealer: CookieSealer,
    private readonly publicUrl: string | undefined,
  ) {}

  /** Discovery is lazy and retried after a failure, so a provider that is down at start does not stop the server. */
  private discover(): Promise<client.Configuration> {
    if (!this.configuration) {
      const issuer = new URL(this.options.issuer);
      const secret = this.options.clientSecret;
      this.configuration = client
        .discovery(
          issuer,
          this.options.clientId,
          secret ? { client_secret: secret } : undefined,
          secret ? client.ClientSecretBasic(secret) : client.None(),
          // Plain http is refused by the library except for a provider on this very machine (development, tests).
          issuer.protocol === 'http:' && isLoopback(issuer) ? { execute: [client.allowInsecureRequests] } : undefined,
        )
        .catch((err: unknown) => {
          this.configuration = undefined;
          throw err;
        });
    }
    return this.configuration;
  }

  private redirectUri(req: Request): string {
    if (this.options.redirectUrl) return this.options.redirectUrl;
    // The provider only redirects to registered URIs, so the request's own host cannot send the code elsewhere.
    const base = this.publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
    return `${base}${CALLBACK_PATH}`;
  }

  /** Where to send the browser to sign in, and the sealed transaction to keep in a cookie until it comes back. */
  async start(req: Request, returnTo: string): Promise<{ url: string; tx: string; maxAgeMs: number }> {
    const config = await this.discover();
    const verifier = client.randomPKCECodeVerifier();
    const tx = { state: client.randomState(), nonce: client.randomNonce(), verifier, redirectUri: this.redirectUri(req), returnTo };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: tx.redirectUri,
      scope: this.options.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: tx.state,
      nonce: tx.nonce,
    });
    return { url: url.href, tx: this.sealer.seal('oidc-tx', tx, TX_MAX_AGE_MS), maxAgeMs: TX_MAX_AGE_MS };
  }

  /** Exchanges the code for tokens and returns who signed in, or throws (expired transaction, wrong state, bad token). */
  async finish(req: Request, sealedTx: string | undefined): Promise<{ identity: WebIdentity; returnTo: string }> {
    const tx = txSchema.safeParse(this.sealer.open('oidc-tx', sealedTx));
    if (!tx.success) throw new Error('no sign-in in progress (or it expired)');
    const config = await this.discover();
    const current = new URL(tx.data.redirectUri);
    current.search = new URL(req.originalUrl, 'http://x').search;
    const tokens = await client.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: tx.data.verifier,
      expectedState: tx.data.state,
      expectedNonce: tx.data.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('the provider returned no ID token');
    const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim().slice(0, 256) : undefined);
    let profile: Record<string, unknown> = claims;
    const groupsClaim = this.options.groupsClaim;
    if ((!str(claims.email) || !str(claims.name) || claims[groupsClaim] === undefined) && tokens.access_token) {
      // Providers that keep profile claims out of the ID token serve them at the UserInfo endpoint (same subject checked).
      try {
        profile = { ...(await client.fetchUserInfo(config, tokens.access_token, claims.sub)), ...claims };
      } catch {
        profile = claims;
      }
    }
    const email = str(profile.email);
    const groups = groupsOf(profile[groupsClaim]);
    const name = str(profile.name) ?? (str([profile.given_name, profile.family_name].filter((v) => typeof v === 'string').join(' ')) || str(profile.preferred_username));
    return {
      identity: {
        // The subject is unique per issuer only: both make the id.
        id: `oidc:${claims.iss}|${claims.sub}`,
        provider: 'oidc',
        ...(name ? { name } : {}),
        // An address the provider says it has not verified is not an identity.
        ...(email && EMAIL.test(email) && profile.email_verified !== false ? { email } : {}),
        ...(groups ? { groups } : {}),
      },
      returnTo: tx.data.returnTo,
    };
  }
}
