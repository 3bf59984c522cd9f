import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startTestApp, type TestApp } from '../server/start.js';

/**
 * Issue 15, Low: a forged Bot Framework token is a 401 without internal error text, never a 500.
 * Same local OpenID issuer as test/channels/teams/auth.test.ts.
 *
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

describe('Bot Framework: forged tokens', () => {
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

  it('answers 401 with no internal error text to every forged token', async () => {
    const hs256 = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: KID }))}.${b64url(JSON.stringify(claims()))}.${b64url('x'.repeat(32))}`;
    const none = `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify(claims()))}.`;
    const forged = [
      jwt(claims(), signing.privateKey, 'unknown-kid'),
      jwt(claims(), stranger.privateKey, 'unknown-kid'),
      hs256,
      none,
      'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.AAAA',
      `${b64url('{not json')}.${b64url('{}')}.AAAA`,
      jwt(claims({ iss: 'https://evil.example.com' }), signing.privateKey),
      jwt({ ...claims(), aud: undefined }, signing.privateKey),
      'a.b.c.d',
      `${b64url('null')}.${b64url('null')}.AAAA`,
      `${b64url(JSON.stringify({ alg: 'RS256', kid: KID }))}.${b64url('"a string"')}.AAAA`,
      `${b64url(JSON.stringify({ alg: 'RS256', kid: KID }))}.${b64url('null')}.AAAA`,
      `${b64url(JSON.stringify({ alg: 'RS256', kid: { x: 1 } }))}.${b64url(JSON.stringify(claims()))}.AAAA`,
      `${b64url(JSON.stringify({ alg: 'RS256', kid: KID }))}.${b64url(JSON.stringify({ ...claims(), serviceurl: 42 }))}.AAAA`,
      '..',
      jwt({ ...claims(), iss: 'https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/', ver: '1.0', appid: APP_ID }, stranger.privateKey),
    ];
    const wrong: string[] = [];
    for (const token of forged) {
      const res = await post(`Bearer ${token}`);
      const body = JSON.stringify(res.json ?? '');
      if (res.status !== 401 || /[A-Za-z]Error|stack|at \S+\.js|Signing Key|JsonWebToken|undefined|invalid signature|jwt|fetch|ENOTFOUND/.test(body) || !body.includes('"unauthorized"')) wrong.push(`${res.status} ${body} ← ${token.slice(0, 40)}`);
    }
    expect(wrong).toEqual([]);
  });
});
