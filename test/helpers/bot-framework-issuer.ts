import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postJson, startTestApp, type TestApp } from '../server/start.js';

/**
 * A server with Bot Framework credentials whose channel tokens come from a local OpenID issuer.
 *
 * With MICROSOFT_APP_* set, /api/messages only accepts requests carrying a Bot Framework token:
 * an RS256 JWT from the channel's issuer, signed with a key listed in its OpenID metadata,
 * addressed to this app id, for this serviceUrl. The metadata is served locally (the adapter's
 * ToBotFromChannelOpenIdMetadataUrl setting, the one sovereign clouds change), so the real
 * validation code runs without the internet.
 */

export const APP_ID = '0f6a3b1c-2d4e-4f5a-9b8c-7d6e5f4a3b2c';
export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const ISSUER = 'https://api.botframework.com';
export const KID = 'local-test-key';
export const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';

export function b64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

export function jwt(claims: Record<string, unknown>, key: KeyObject, kid = KID): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const payload = b64url(JSON.stringify(claims));
  const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(key);
  return `${header}.${payload}.${b64url(signature)}`;
}

export const now = (): number => Math.floor(Date.now() / 1000);

/** Claims of a valid channel token for this app and service URL, with `extra` on top. */
export const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  iss: ISSUER,
  aud: APP_ID,
  serviceurl: SERVICE_URL,
  nbf: now() - 60,
  iat: now() - 60,
  exp: now() + 3600,
  ...extra,
});

// A typing activity needs no reply, so an accepted request never has to reach Azure for a token.
const typing = {
  type: 'typing',
  id: 'f:1',
  serviceUrl: SERVICE_URL,
  channelId: 'msteams',
  from: { id: '29:user', aadObjectId: '6f0a3c7e-1d2b-4e5f-8a9b-0c1d2e3f4a5b' },
  recipient: { id: `28:${APP_ID}` },
  conversation: { id: 'a:1chat', conversationType: 'personal', tenantId: TENANT },
};

export interface SignedTeamsApp {
  server: TestApp;
  /** The key the local issuer publishes. */
  signing: { privateKey: KeyObject; publicKey: KeyObject };
  /** A key nobody published. */
  stranger: { privateKey: KeyObject; publicKey: KeyObject };
  /** POSTs a typing activity with this Authorization header (none when undefined). */
  post(authorization?: string): ReturnType<typeof postJson>;
  stop(): Promise<void>;
}

export async function startSignedTeamsApp(): Promise<SignedTeamsApp> {
  const signing = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = signing.publicKey.export({ format: 'jwk' });
  let issuerUrl = '';
  const issuer: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/v1/.well-known/openidconfiguration') {
      res.end(JSON.stringify({ issuer: ISSUER, jwks_uri: `${issuerUrl}/v1/.well-known/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
    } else if (req.url === '/v1/.well-known/keys') {
      res.end(JSON.stringify({ keys: [{ kty: 'RSA', use: 'sig', kid: KID, n: jwk.n, e: jwk.e, endorsements: ['msteams'] }] }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => issuer.listen(0, '127.0.0.1', resolve));
  issuerUrl = `http://127.0.0.1:${(issuer.address() as AddressInfo).port}`;
  const server = await startTestApp(
    { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'not-a-real-secret', MICROSOFT_APP_TENANT_ID: TENANT, MICROSOFT_APP_TYPE: 'SingleTenant' },
    {
      // The public cloud's settings, with the OpenID metadata served locally (setting one
      // of them means setting them all, as for a sovereign cloud).
      teamsAuthSettings: {
        ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
        ToChannelFromBotOAuthScope: 'https://api.botframework.com',
        ToBotFromChannelTokenIssuer: ISSUER,
        OAuthUrl: 'https://api.botframework.com',
        ToBotFromChannelOpenIdMetadataUrl: `${issuerUrl}/v1/.well-known/openidconfiguration`,
        // Served locally too: a token claiming an Azure AD (emulator) issuer must not make a test reach the internet.
        ToBotFromEmulatorOpenIdMetadataUrl: `${issuerUrl}/v1/.well-known/openidconfiguration`,
        CallerId: 'urn:botframework:azure',
      },
    },
  );
  return {
    server,
    signing,
    stranger,
    post: (authorization) => postJson(`${server.url}/api/messages`, typing, authorization ? { authorization } : {}),
    async stop() {
      await server.stop();
      await new Promise<void>((resolve) => issuer.close(() => resolve()));
    },
  };
}
