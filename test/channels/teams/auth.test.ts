import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startTestApp, type TestApp } from '../../server/start.js';

/**
 * With MICROSOFT_APP_* set, /api/messages only accepts requests carrying a Bot Framework token:
 * an RS256 JWT from the channel's issuer, signed with a key listed in its OpenID metadata,
 * addressed to this app id, for this serviceUrl. The metadata is served locally (the adapter's
 * ToBotFromChannelOpenIdMetadataUrl setting, the one sovereign clouds change), so the real
 * validation code runs without the internet.
 */

const APP_ID = '0f6a3b1c-2d4e-4f5a-9b8c-7d6e5f4a3b2c';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const ISSUER = 'https://api.botframework.com';
const KID = 'local-test-key';

function b64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

function jwt(claims: Record<string, unknown>, key: KeyObject, kid = KID): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const payload = b64url(JSON.stringify(claims));
  const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(key);
  return `${header}.${payload}.${b64url(signature)}`;
}

describe('Bot Framework authentication', () => {
  const signing = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let issuer: Server;
  let issuerUrl: string;
  let server: TestApp;
  const serviceUrl = 'https://smba.trafficmanager.net/emea/';

  beforeAll(async () => {
    const jwk = signing.publicKey.export({ format: 'jwk' });
    issuer = createServer((req, res) => {
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
    server = await startTestApp(
      { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'not-a-real-secret', MICROSOFT_APP_TENANT_ID: TENANT, MICROSOFT_APP_TYPE: 'SingleTenant' },
      {
        // The public cloud's settings, with only the OpenID metadata served locally (setting one
        // of them means setting them all, as for a sovereign cloud).
        teamsAuthSettings: {
          ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
          ToChannelFromBotOAuthScope: 'https://api.botframework.com',
          ToBotFromChannelTokenIssuer: ISSUER,
          OAuthUrl: 'https://api.botframework.com',
          ToBotFromChannelOpenIdMetadataUrl: `${issuerUrl}/v1/.well-known/openidconfiguration`,
          ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
          CallerId: 'urn:botframework:azure',
        },
      },
    );
  });

  afterAll(async () => {
    await server?.stop();
    await new Promise<void>((resolve) => issuer?.close(() => resolve()));
  });

  // A typing activity needs no reply, so an accepted request never has to reach Azure for a token.
  const typing = {
    type: 'typing',
    id: 'f:1',
    serviceUrl,
    channelId: 'msteams',
    from: { id: '29:user', aadObjectId: '6f0a3c7e-1d2b-4e5f-8a9b-0c1d2e3f4a5b' },
    recipient: { id: `28:${APP_ID}` },
    conversation: { id: 'a:1chat', conversationType: 'personal', tenantId: TENANT },
  };
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (extra: Record<string, unknown> = {}) => ({ iss: ISSUER, aud: APP_ID, serviceurl: serviceUrl, nbf: now() - 60, iat: now() - 60, exp: now() + 3600, ...extra });
  const post = (authorization?: string) => postJson(`${server.url}/api/messages`, typing, authorization ? { authorization } : {});

  it('accepts a request with a valid token', async () => {
    expect((await post(`Bearer ${jwt(claims(), signing.privateKey)}`)).status).toBe(200);
  });

  it('rejects a request without a token with 401', async () => {
    expect((await post()).status).toBe(401);
  });

  it('rejects malformed and foreign tokens with 401', async () => {
    expect((await post('Bearer not-a-jwt')).status).toBe(401);
    expect((await post(`Basic ${Buffer.from('user:pass').toString('base64')}`)).status).toBe(401);
    // Signed by someone else with the published key id.
    expect((await post(`Bearer ${jwt(claims(), stranger.privateKey)}`)).status).toBe(401);
  });

  it('rejects tokens for another bot, another service URL, or expired, with 401', async () => {
    expect((await post(`Bearer ${jwt(claims({ aud: '11111111-2222-4333-8444-555555555555' }), signing.privateKey)}`)).status).toBe(401);
    expect((await post(`Bearer ${jwt(claims({ serviceurl: 'https://evil.example.com/' }), signing.privateKey)}`)).status).toBe(401);
    expect((await post(`Bearer ${jwt(claims({ exp: now() - 3600, nbf: now() - 7200, iat: now() - 7200 }), signing.privateKey)}`)).status).toBe(401);
    expect((await post(`Bearer ${jwt(claims({ iss: 'https://sts.example.com/' }), signing.privateKey)}`)).status).toBe(401);
  });

  it('with credentials, accepts non-local service URLs (the real Teams connector)', async () => {
    // Local mode refuses them (403); with authentication the token vouches for the serviceUrl.
    const res = await post(`Bearer ${jwt(claims(), signing.privateKey)}`);
    expect(res.status).toBe(200);
  });
});
