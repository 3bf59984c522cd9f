import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { configProblems } from '../helpers/config-problems.js';

/** Account actions are off unless configured, and a chosen provider's missing settings are named. */

const problems = configProblems;

describe('actions configuration', () => {
  it('is off by default', () => {
    expect(loadConfig({}).actions).toMatchObject({ provider: undefined, enabled: [], groups: {}, perUserPerHour: 3 });
  });

  it('names the missing variables of the chosen provider, and bad values', () => {
    expect(problems({ DIRECTORY_PROVIDER: 'okta' })).toEqual(['OKTA_ORG_URL: required when DIRECTORY_PROVIDER=okta', 'OKTA_API_TOKEN: required when DIRECTORY_PROVIDER=okta']);
    expect(problems({ DIRECTORY_PROVIDER: 'ldap', LDAP_URL: 'http://dc1', LDAP_BIND_DN: 'cn=x', LDAP_BIND_PASSWORD: 'p', LDAP_BASE_DN: 'dc=x' })).toEqual([
      'LDAP_URL: expected ldap:// or ldaps://, got "http://dc1"',
    ]);
    expect(problems({ DIRECTORY_PROVIDER: 'keycloak' })[0]).toMatch(/^DIRECTORY_PROVIDER: expected none or one of okta, entra, ldap/);
    expect(problems({ ACTIONS_ENABLED: 'directory.deleteUser' })[0]).toMatch(/unknown action "directory.deleteUser"/);
    expect(problems({ ACTION_GROUPS: 'directory.unlockAccount' })[0]).toMatch(/expected "<action>=<group>/);
  });

  it('reads the provider, the actions and the groups', () => {
    const c = loadConfig({
      DIRECTORY_PROVIDER: 'Entra',
      ENTRA_TENANT_ID: 't',
      ENTRA_CLIENT_ID: 'c',
      ENTRA_CLIENT_SECRET: 's',
      ACTIONS_ENABLED: 'directory.revokeSessions, directory.resetMfa',
      ACTION_GROUPS: 'directory.resetMfa=Staff, Pilot',
    }).actions;
    expect(c.provider).toEqual({ name: 'entra', config: expect.objectContaining({ tenantId: 't', graphUrl: 'https://graph.microsoft.com/v1.0', authorityUrl: 'https://login.microsoftonline.com' }) });
    expect(c.enabled).toEqual(['directory.revokeSessions', 'directory.resetMfa']);
    expect(c.groups).toEqual({ 'directory.resetMfa': ['Staff', 'Pilot'] });
  });
});
