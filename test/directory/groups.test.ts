import { describe, expect, it } from 'vitest';
import type { UserRef } from '../../src/engine/contract.js';
import { DirectoryGroups } from '../../src/directory/groups.js';
import { DirectoryError, type DirectoryConnector, type DirectoryIdentity } from '../../src/directory/types.js';

/**
 * Which users get directory groups, and how often the directory is asked. The connector here is a
 * small in-memory directory (the HTTP/LDAP connectors have their own contract tests against local
 * Graph, Okta and slapd servers, and test/directory/groups-e2e.test.ts runs the real Entra one).
 */
function directory(members: Record<string, string[]>, failing = new Set<string>()) {
  const lookups: DirectoryIdentity[] = [];
  const connector: DirectoryConnector = {
    name: 'memory',
    supports: [],
    async findUser(identity) {
      lookups.push(identity);
      const key = identity.objectId ?? identity.email ?? '';
      if (failing.has(key)) throw new DirectoryError('unavailable', 'directory down');
      if (!members[key]) throw new DirectoryError('not_found', 'no such user');
      return { id: key };
    },
    async groupsOf(user) {
      return members[user.id] ?? [];
    },
    async run() {
      throw new DirectoryError('unsupported', 'no actions');
    },
  };
  return { connector, lookups };
}

const AAD = '2e4f6a8c-0b1d-4e3f-9a5b-7c9d1e3f5a7b';
const teamsUser: UserRef = { id: AAD, name: 'Ana' };
const slackUser: UserRef = { id: 'U0ANA', email: 'ana@example.com' };

describe('directory groups as audiences', () => {
  it('looks up Slack users by e-mail and Teams users by object id only when Teams activities are verified', async () => {
    const { connector } = directory({ 'ana@example.com': ['Network admins'], [AAD]: ['Network admins'] });
    const signed = new DirectoryGroups(connector, { ttlMs: 60_000, trustedChannels: new Set(['slack', 'teams']) });
    expect(await signed.groupsOf('slack', slackUser)).toEqual(['Network admins']);
    expect(await signed.groupsOf('teams', teamsUser)).toEqual(['Network admins']);
    // Local-mode Teams: the object id is a claim, so no groups.
    const local = new DirectoryGroups(connector, { ttlMs: 60_000, trustedChannels: new Set(['slack']) });
    expect(await local.groupsOf('teams', teamsUser)).toBeUndefined();
    // An anonymous web user has no verified identity; a signed-in one is looked up by the verified e-mail.
    expect(await local.groupsOf('web', { id: 'anon:1', anonymous: true, email: 'ana@example.com' })).toBeUndefined();
    expect(await local.groupsOf('web', { id: 'oidc:x', verified: { by: 'oidc', subject: 'x', email: 'ana@example.com' } })).toEqual(['Network admins']);
  });

  it('asks the directory once per user within the cache time, and gives no groups while it fails', async () => {
    const { connector, lookups } = directory({ 'ana@example.com': ['Staff'] }, new Set(['bob@example.com']));
    const groups = new DirectoryGroups(connector, { ttlMs: 60_000, trustedChannels: new Set(['slack']) });
    await Promise.all([groups.groupsOf('slack', slackUser), groups.groupsOf('slack', slackUser)]);
    await groups.groupsOf('slack', slackUser);
    expect(lookups).toHaveLength(1);
    const warnings: string[] = [];
    const logged = new DirectoryGroups(connector, { ttlMs: 60_000, trustedChannels: new Set(['slack']), log: { warn: (_o, m) => void warnings.push(m) } });
    const bob: UserRef = { id: 'U0BOB', email: 'bob@example.com' };
    expect(await logged.groupsOf('slack', bob)).toEqual([]);
    expect(await logged.groupsOf('slack', bob)).toEqual([]);
    expect(lookups.filter((l) => l.email === 'bob@example.com')).toHaveLength(1);
    expect(warnings).toEqual(['directory group lookup failed: the user sees articles for everyone only']);
  });

  it('more groups than the engine takes: the first 500 are used and the cut is logged', async () => {
    const many = Array.from({ length: 520 }, (_, i) => `Group ${i}`);
    const { connector } = directory({ 'ana@example.com': many });
    const warnings: string[] = [];
    const groups = new DirectoryGroups(connector, { ttlMs: 60_000, trustedChannels: new Set(['slack']), log: { warn: (_o, m) => void warnings.push(m) } });
    expect(await groups.groupsOf('slack', slackUser)).toEqual(many.slice(0, 500));
    expect(warnings).toEqual(['directory groups over the limit: only the first ones are used']);
  });
});
