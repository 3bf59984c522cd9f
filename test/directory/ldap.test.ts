import { Attribute, Change } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeFilterValue, fromFiletime, ldapDirectory } from '../../src/directory/ldap.js';
import { DirectoryError, type DirectoryConnector } from '../../src/directory/types.js';
import { MAX_GROUP_PAGES } from '../../src/directory/paging.js';
import { BOT, ensureSlapd, filetime, groupDn, groupEntry, READONLY, startSlapd, SUFFIX, userDn, type Slapd } from '../helpers/slapd.js';

/**
 * Contract of the Active Directory connector against a real LDAP server: OpenLDAP's slapd with the
 * AD schema it ships (see test/helpers/slapd.ts). Accounts are locked by setting lockoutTime, as a
 * domain controller does; slapd has no AD lockout policy to trigger with wrong binds.
 */

const skip = ensureSlapd();
if (skip) console.warn(`skipping LDAP tests: ${skip}`);

const DAY = 86_400_000;
const warnings: string[] = [];
const log = { warn: (_obj: object, message: string) => void warnings.push(message) };
const connect = (url: string, account = BOT, over: Record<string, string> = {}): DirectoryConnector =>
  ldapDirectory.create(
    ldapDirectory.configSchema.parse({ LDAP_URL: url, LDAP_BIND_DN: account.dn, LDAP_BIND_PASSWORD: account.password, LDAP_BASE_DN: SUFFIX, ...over }),
    { timeoutMs: 5_000, log },
  );

async function failure(p: Promise<unknown>): Promise<DirectoryError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(DirectoryError);
  return err as DirectoryError;
}

describe.skipIf(skip !== undefined)('Active Directory over LDAP (real slapd)', () => {
  let slapd: Slapd;
  const lockedAt = new Date(Date.now() - 5 * 60_000);

  beforeAll(async () => {
    slapd = await startSlapd([
      { cn: 'ana', mail: 'ana@example.com', lockoutTime: filetime(lockedAt), badPwdCount: '5', pwdLastSet: filetime(new Date(Date.now() - 10 * DAY)), memberOf: [`cn=Staff,ou=groups,${SUFFIX}`] },
      { cn: 'old', mail: 'old@example.com', pwdLastSet: filetime(new Date(Date.now() - 100 * DAY)) },
      { cn: 'must', mail: 'must*change@example.com', pwdLastSet: '0', userAccountControl: '514' },
    ]);
  }, 60_000);
  afterAll(() => slapd?.stop());

  const set = (cn: string, type: string, value: string) =>
    slapd.admin((c) => c.modify(userDn(cn), new Change({ operation: 'replace', modification: new Attribute({ type, values: [value] }) })));
  const attr = (cn: string, name: string) =>
    slapd.admin(async (c) => (await c.search(userDn(cn), { scope: 'base', attributes: [name] })).searchEntries[0]?.[name]);

  it('finds the user by the verified e-mail with the default AD filter, and reads groups', async () => {
    const d = connect(slapd.url);
    expect(await d.findUser({ email: 'ana@example.com' })).toEqual({ id: userDn('ana'), email: 'ana@example.com' });
    expect(await d.groupsOf({ id: userDn('ana') })).toEqual(['Staff']);
    // Filter metacharacters in the e-mail are escaped, not interpreted.
    expect(escapeFilterValue('a*b(c)\\')).toBe('a\\2ab\\28c\\29\\5c');
    expect((await d.findUser({ email: 'must*change@example.com' })).id).toBe(userDn('must'));
    expect((await failure(d.findUser({ email: '*' }))).code).toBe('not_found');
  });

  it('reads the lockout and password-expiry state', async () => {
    const d = connect(slapd.url, BOT, { LDAP_PASSWORD_MAX_AGE_DAYS: '90' });
    const ana = (await d.run('passwordStatus', { id: userDn('ana') })).state;
    expect(ana).toMatchObject({ locked: true, disabled: false, passwordExpired: false, failedAttempts: 5 });
    expect(Date.parse(ana?.passwordExpiresAt ?? '')).toBeGreaterThan(Date.now() + 79 * DAY);
    expect((await d.run('passwordStatus', { id: userDn('old') })).state).toMatchObject({ locked: false, passwordExpired: true });
    expect((await d.run('passwordStatus', { id: userDn('must') })).state).toMatchObject({ passwordExpired: true, disabled: true });
    // msDS-UserPasswordExpiryTimeComputed wins over the configured lifetime when it is there.
    const at = new Date(Date.now() + 3 * DAY);
    await set('old', 'msDS-UserPasswordExpiryTimeComputed', filetime(at));
    const old = (await d.run('passwordStatus', { id: userDn('old') })).state;
    expect(old?.passwordExpired).toBe(false);
    expect(Math.abs(Date.parse(old?.passwordExpiresAt ?? '') - at.getTime())).toBeLessThan(1000);
    expect(fromFiletime('0')).toBeUndefined();
  });

  it('unlocks: lockoutTime set to 0 in the directory', async () => {
    await connect(slapd.url).run('unlockAccount', { id: userDn('ana') });
    expect(await attr('ana', 'lockoutTime')).toBe('0');
    expect((await connect(slapd.url).run('passwordStatus', { id: userDn('ana') })).state?.locked).toBe(false);
  });

  it('permissions refused: an account without write access to lockoutTime', async () => {
    await set('ana', 'lockoutTime', filetime(lockedAt));
    const err = await failure(connect(slapd.url, READONLY).run('unlockAccount', { id: userDn('ana') }));
    expect(err.code).toBe('forbidden');
    expect(await attr('ana', 'lockoutTime')).toBe(filetime(lockedAt));
  });

  it('wrong service password, unknown user, server down', async () => {
    expect((await failure(connect(slapd.url, { dn: BOT.dn, password: 'wrong' }).findUser({ email: 'ana@example.com' }))).code).toBe('auth');
    expect((await failure(connect(slapd.url).findUser({ email: 'nobody@example.com' }))).code).toBe('not_found');
    expect((await failure(connect(slapd.url).run('unlockAccount', { id: userDn('ghost') }))).code).toBe('not_found');
    expect((await failure(connect('ldap://127.0.0.1:1').findUser({ email: 'ana@example.com' }))).code).toBe('unavailable');
  });

  describe('group lists over several pages (paged-results control)', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `Project ${String(i).padStart(3, '0')}`);

    beforeAll(async () => {
      // Groups that name the user as member (not in the entry's memberOf): only the group search finds them.
      await slapd.admin(async (c) => {
        for (const cn of [...many(MAX_GROUP_PAGES + 4), 'Network admins']) await c.add(groupDn(cn), groupEntry(cn, [userDn('old')]));
        await c.add(groupDn('Finance'), groupEntry('Finance', [userDn('must')]));
      });
    }, 60_000);

    it('reads every page of groups: the restricted group on the last page is there', async () => {
      warnings.length = 0;
      const groups = await connect(slapd.url, BOT, { LDAP_GROUP_PAGE_SIZE: '10' }).groupsOf({ id: userDn('old') });
      expect(groups).toHaveLength(MAX_GROUP_PAGES + 5);
      expect(groups).toContain('Network admins');
      expect(groups).not.toContain('Finance');
      expect(warnings).toEqual([]);
    });

    it('stops at the page cap and says so in the log', async () => {
      warnings.length = 0;
      const groups = await connect(slapd.url, BOT, { LDAP_GROUP_PAGE_SIZE: '1' }).groupsOf({ id: userDn('old') });
      expect(groups).toHaveLength(MAX_GROUP_PAGES);
      expect(warnings).toEqual([expect.stringMatching(/truncated at 20 pages/)]);
    });
  });
});
