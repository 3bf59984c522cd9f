import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { configProblems } from '../helpers/config-problems.js';

/** WEB_AUTH, HOST and TRUST_PROXY: each mode's required settings are reported by name at start. */

const problems = configProblems;

describe('web chat identity and proxy settings', () => {
  it('defaults to anonymous sessions, no trusted proxy, and the configured host', () => {
    const config = loadConfig({});
    expect(config.webAuth).toMatchObject({ mode: 'anonymous', sessionHours: 168 });
    expect(config.core.trustProxy).toBe(false);
    expect(config.core.host).toBeUndefined();
    expect(loadConfig({ HOST: '0.0.0.0' }).core.host).toBe('0.0.0.0');
  });

  it('names what each mode is missing', () => {
    expect(problems({ WEB_AUTH: 'oidc' })).toEqual([expect.stringMatching(/^OIDC_ISSUER: required/), expect.stringMatching(/^OIDC_CLIENT_ID: required/)]);
    expect(problems({ WEB_AUTH: 'oidc', OIDC_ISSUER: 'https://login.example.org', OIDC_CLIENT_ID: 'c', OIDC_SCOPES: 'profile email' })).toEqual([expect.stringMatching(/^OIDC_SCOPES: must include openid/)]);
    expect(problems({ WEB_AUTH: 'proxy' })).toEqual([expect.stringMatching(/^WEB_AUTH_PROXY_ADDRESSES: required/)]);
    expect(problems({ WEB_AUTH: 'proxy', WEB_AUTH_PROXY_ADDRESSES: '10.0.0.0/33' })).toEqual([expect.stringMatching(/invalid prefix length/)]);
    expect(problems({ WEB_AUTH: 'saml' })).toEqual([expect.stringMatching(/^WEB_AUTH: expected one of anonymous, oidc, proxy/)]);
    expect(problems({ WEB_SESSION_SECRET: 'short' })).toEqual([expect.stringMatching(/^WEB_SESSION_SECRET: must be at least 32/)]);
  });

  it('reads TRUST_PROXY as express does: off, hops, or addresses and ranges', () => {
    expect(loadConfig({ TRUST_PROXY: 'false' }).core.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).core.trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).core.trustProxy).toEqual(['loopback', '10.0.0.0/8']);
    expect(problems({ TRUST_PROXY: 'everyone' })).toEqual([expect.stringMatching(/^TRUST_PROXY: expected/)]);
  });

  it('reads the OIDC settings, with the default scopes and groups claim', () => {
    const config = loadConfig({ WEB_AUTH: 'oidc', OIDC_ISSUER: 'https://login.example.org/tenant/v2.0', OIDC_CLIENT_ID: 'helpdesk', OIDC_CLIENT_SECRET: 's3cret-value' });
    expect(config.webAuth.oidc).toEqual({ issuer: 'https://login.example.org/tenant/v2.0', clientId: 'helpdesk', clientSecret: 's3cret-value', scopes: 'openid profile email', redirectUrl: undefined, groupsClaim: 'groups' });
    const custom = loadConfig({ WEB_AUTH: 'oidc', OIDC_ISSUER: 'https://idp.example.org', OIDC_CLIENT_ID: 'helpdesk', OIDC_GROUPS_CLAIM: 'roles' });
    expect(custom.webAuth.oidc?.groupsClaim).toBe('roles');
  });

  it('reads the trusted proxy\'s groups header only when named, and refuses a bad claim or header name', () => {
    const proxy = { WEB_AUTH: 'proxy', WEB_AUTH_PROXY_ADDRESSES: '10.0.0.5' };
    expect(loadConfig(proxy).webAuth.proxy?.groupsHeader).toBeUndefined();
    expect(loadConfig({ ...proxy, WEB_AUTH_PROXY_GROUPS_HEADER: 'X-Forwarded-Groups' }).webAuth.proxy?.groupsHeader).toBe('x-forwarded-groups');
    expect(() => loadConfig({ ...proxy, WEB_AUTH_PROXY_GROUPS_HEADER: 'X Groups' })).toThrow(/WEB_AUTH_PROXY_GROUPS_HEADER/);
    expect(() => loadConfig({ WEB_AUTH: 'oidc', OIDC_ISSUER: 'https://idp.example.org', OIDC_CLIENT_ID: 'helpdesk', OIDC_GROUPS_CLAIM: 'a b' })).toThrow(/OIDC_GROUPS_CLAIM/);
  });
});
