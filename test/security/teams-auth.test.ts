import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ID, b64url, claims, jwt, KID, startSignedTeamsApp, type SignedTeamsApp } from '../helpers/bot-framework-issuer.js';

/**
 * Issue 15, Low: a forged Bot Framework token is a 401 without internal error text, never a 500.
 * Same local OpenID issuer as test/channels/teams/auth.test.ts.
 */

describe('Bot Framework: forged tokens', () => {
  let app: SignedTeamsApp;
  beforeAll(async () => {
    app = await startSignedTeamsApp();
  });
  afterAll(async () => {
    await app?.stop();
  });
  const post = (authorization?: string) => app.post(authorization);

  it('answers 401 with no internal error text to every forged token', async () => {
    const hs256 = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: KID }))}.${b64url(JSON.stringify(claims()))}.${b64url('x'.repeat(32))}`;
    const none = `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify(claims()))}.`;
    const forged = [
      jwt(claims(), app.signing.privateKey, 'unknown-kid'),
      jwt(claims(), app.stranger.privateKey, 'unknown-kid'),
      hs256,
      none,
      'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.AAAA',
      `${b64url('{not json')}.${b64url('{}')}.AAAA`,
      jwt(claims({ iss: 'https://evil.example.com' }), app.signing.privateKey),
      jwt({ ...claims(), aud: undefined }, app.signing.privateKey),
      'a.b.c.d',
      `${b64url('null')}.${b64url('null')}.AAAA`,
      `${b64url(JSON.stringify({ alg: 'RS256', kid: KID }))}.${b64url('"a string"')}.AAAA`,
      `${b64url(JSON.stringify({ alg: 'RS256', kid: KID }))}.${b64url('null')}.AAAA`,
      `${b64url(JSON.stringify({ alg: 'RS256', kid: { x: 1 } }))}.${b64url(JSON.stringify(claims()))}.AAAA`,
      `${b64url(JSON.stringify({ alg: 'RS256', kid: KID }))}.${b64url(JSON.stringify({ ...claims(), serviceurl: 42 }))}.AAAA`,
      '..',
      jwt({ ...claims(), iss: 'https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/', ver: '1.0', appid: APP_ID }, app.stranger.privateKey),
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
