import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claims, jwt, now, startSignedTeamsApp, type SignedTeamsApp } from '../../helpers/bot-framework-issuer.js';

/** With MICROSOFT_APP_* set, /api/messages only accepts requests carrying a valid Bot Framework token. */

describe('Bot Framework authentication', () => {
  let app: SignedTeamsApp;
  beforeAll(async () => {
    app = await startSignedTeamsApp();
  });
  afterAll(async () => {
    await app?.stop();
  });
  const post = (authorization?: string) => app.post(authorization);

  it('accepts a request with a valid token', async () => {
    expect((await post(`Bearer ${jwt(claims(), app.signing.privateKey)}`)).status).toBe(200);
  });

  it('rejects a request without a token with 401', async () => {
    expect((await post()).status).toBe(401);
  });

  it('rejects malformed and foreign tokens with 401', async () => {
    expect((await post('Bearer not-a-jwt')).status).toBe(401);
    expect((await post(`Basic ${Buffer.from('user:pass').toString('base64')}`)).status).toBe(401);
    // Signed by someone else with the published key id.
    expect((await post(`Bearer ${jwt(claims(), app.stranger.privateKey)}`)).status).toBe(401);
  });

  it('rejects tokens for another bot, another service URL, or expired, with 401', async () => {
    expect((await post(`Bearer ${jwt(claims({ aud: '11111111-2222-4333-8444-555555555555' }), app.signing.privateKey)}`)).status).toBe(401);
    expect((await post(`Bearer ${jwt(claims({ serviceurl: 'https://evil.example.com/' }), app.signing.privateKey)}`)).status).toBe(401);
    expect((await post(`Bearer ${jwt(claims({ exp: now() - 3600, nbf: now() - 7200, iat: now() - 7200 }), app.signing.privateKey)}`)).status).toBe(401);
    expect((await post(`Bearer ${jwt(claims({ iss: 'https://sts.example.com/' }), app.signing.privateKey)}`)).status).toBe(401);
  });

  it('with credentials, accepts non-local service URLs (the real Teams connector)', async () => {
    // Local mode refuses them (403); with authentication the token vouches for the serviceUrl.
    const res = await post(`Bearer ${jwt(claims(), app.signing.privateKey)}`);
    expect(res.status).toBe(200);
  });
});
