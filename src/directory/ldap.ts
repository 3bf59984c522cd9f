import { readFileSync } from 'node:fs';
import { Attribute, Change, Client, InsufficientAccessError, InvalidCredentialsError, NoSuchObjectError } from 'ldapts';
import { z } from 'zod';
import { intInRange, optionalString } from '../config/env.js';
import { MAX_GROUP_PAGES } from './paging.js';
import { DirectoryError, directoryDescriptor, type AccountState, type DirectoryConnector, type DirectoryUser } from './types.js';

/**
 * Active Directory over LDAP(S) with ldapts, bound as a service account:
 *   search  LDAP_USER_FILTER under LDAP_BASE_DN for the verified e-mail
 *   read    lockoutTime, badPwdCount, pwdLastSet, msDS-UserPasswordExpiryTimeComputed,
 *           userAccountControl (ACCOUNTDISABLE), memberOf
 *   search  (&(objectClass=group)(member={user dn})) under LDAP_BASE_DN with the paged-results
 *           control (RFC 2696), page by page: memberOf read on the entry stops at AD's MaxValRange
 *           (1500/5000 values, then only `memberOf;range=0-1499` comes back), a paged search does not
 *   modify  lockoutTime := 0 to unlock (the one write; the service account needs only that)
 * Times are Windows FILETIMEs (100 ns since 1601-01-01 UTC).
 */

const FILETIME_EPOCH_MS = Date.UTC(1601, 0, 1);
const NEVER = 0x7fffffffffffffffn;
const ACCOUNTDISABLE = 0x2;

export function fromFiletime(raw: string | undefined): Date | undefined {
  if (!raw || !/^\d+$/.test(raw)) return undefined;
  const ticks = BigInt(raw);
  if (ticks === 0n || ticks >= NEVER) return undefined;
  return new Date(FILETIME_EPOCH_MS + Number(ticks / 10_000n));
}

/** RFC 4515 escaping of a value put into a search filter. */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const configSchema = z
  .object({
    /** ldaps://dc1.example.com:636 (or ldap:// with a network you trust). */
    LDAP_URL: optionalString,
    LDAP_BIND_DN: optionalString,
    LDAP_BIND_PASSWORD: optionalString,
    LDAP_BASE_DN: optionalString,
    /** `{email}` is replaced by the verified e-mail, escaped. */
    LDAP_USER_FILTER: optionalString,
    /** PEM file of the CA that signed the directory's certificate (ldaps with a private CA). */
    LDAP_CA_FILE: optionalString,
    /** Domain password lifetime, used when msDS-UserPasswordExpiryTimeComputed cannot be read; 0: unknown. */
    LDAP_PASSWORD_MAX_AGE_DAYS: intInRange(0, 0, 3650),
    /** Entries per page of the group search; AD's MaxPageSize is 1000 by default. */
    LDAP_GROUP_PAGE_SIZE: intInRange(500, 1, 1000),
  })
  .superRefine((e, ctx) => {
    for (const name of ['LDAP_URL', 'LDAP_BIND_DN', 'LDAP_BIND_PASSWORD', 'LDAP_BASE_DN'] as const) {
      if (e[name] === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message: 'required when DIRECTORY_PROVIDER=ldap' });
    }
    if (e.LDAP_URL !== undefined && !/^ldaps?:\/\//i.test(e.LDAP_URL)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['LDAP_URL'], message: `expected ldap:// or ldaps://, got "${e.LDAP_URL}"` });
    }
  })
  .transform((e) => ({
    url: e.LDAP_URL as string,
    bindDn: e.LDAP_BIND_DN as string,
    bindPassword: e.LDAP_BIND_PASSWORD as string,
    baseDn: e.LDAP_BASE_DN as string,
    userFilter: e.LDAP_USER_FILTER ?? '(&(objectClass=user)(|(mail={email})(userPrincipalName={email})))',
    caFile: e.LDAP_CA_FILE,
    passwordMaxAgeDays: e.LDAP_PASSWORD_MAX_AGE_DAYS,
    groupPageSize: e.LDAP_GROUP_PAGE_SIZE,
  }));

export type LdapConfig = z.output<typeof configSchema>;

const ATTRIBUTES = ['mail', 'lockoutTime', 'badPwdCount', 'pwdLastSet', 'msDS-UserPasswordExpiryTimeComputed', 'userAccountControl', 'memberOf'];

const first = (v: unknown): string | undefined => (Array.isArray(v) ? first(v[0]) : Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'string' ? v : undefined);
const all = (v: unknown): string[] => (Array.isArray(v) ? v.flatMap(all) : first(v) !== undefined ? [first(v) as string] : []);

function mapError(err: unknown): never {
  if (err instanceof DirectoryError) throw err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof InvalidCredentialsError) throw new DirectoryError('auth', `LDAP bind refused: ${message}`);
  if (err instanceof InsufficientAccessError) throw new DirectoryError('forbidden', `LDAP: insufficient access: ${message}`);
  if (err instanceof NoSuchObjectError) throw new DirectoryError('not_found', `LDAP: no such object: ${message}`);
  if (err instanceof Error && 'code' in err && typeof err.code === 'number') throw new DirectoryError('rejected', `LDAP error ${err.code}: ${message}`);
  throw new DirectoryError('unavailable', `LDAP server unreachable: ${message}`);
}

export const ldapDirectory = directoryDescriptor({
  name: 'ldap',
  configSchema,
  create(config: LdapConfig, deps): DirectoryConnector {
    const ca = config.caFile ? readFileSync(config.caFile) : undefined;

    /** One bound connection per operation: actions are rare, a pool would only hold sockets open. */
    async function withClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
      const client = new Client({ url: config.url, timeout: deps.timeoutMs, connectTimeout: deps.timeoutMs, ...(ca ? { tlsOptions: { ca } } : {}) });
      try {
        await client.bind(config.bindDn, config.bindPassword);
        return await work(client);
      } catch (err) {
        return mapError(err);
      } finally {
        await client.unbind().catch(() => undefined);
      }
    }

    async function read(client: Client, dn: string): Promise<Record<string, unknown>> {
      const { searchEntries } = await client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: ATTRIBUTES });
      const entry = searchEntries[0];
      if (!entry) throw new DirectoryError('not_found', `LDAP: ${dn} not found`);
      return entry;
    }

    function state(entry: Record<string, unknown>): AccountState {
      const lockout = first(entry.lockoutTime);
      const uac = Number(first(entry.userAccountControl) ?? '0');
      const lastSet = first(entry.pwdLastSet);
      const computed = first(entry['msDS-UserPasswordExpiryTimeComputed']);
      let expiresAt: Date | undefined;
      let neverExpires = false;
      if (computed && /^\d+$/.test(computed)) {
        neverExpires = BigInt(computed) >= NEVER || BigInt(computed) === 0n;
        expiresAt = fromFiletime(computed);
      } else if (config.passwordMaxAgeDays > 0) {
        const set = fromFiletime(lastSet);
        if (set) expiresAt = new Date(set.getTime() + config.passwordMaxAgeDays * 86_400_000);
      }
      // pwdLastSet = 0 means "must change password at next logon": expired now.
      const mustChange = lastSet === '0';
      const lastSetDate = fromFiletime(lastSet);
      const failed = first(entry.badPwdCount);
      return {
        locked: lockout !== undefined && lockout !== '0',
        disabled: (uac & ACCOUNTDISABLE) !== 0,
        passwordExpired: mustChange || (!neverExpires && expiresAt !== undefined && expiresAt.getTime() <= Date.now()),
        ...(expiresAt ? { passwordExpiresAt: expiresAt.toISOString() } : {}),
        ...(lastSetDate ? { passwordLastSet: lastSetDate.toISOString() } : {}),
        ...(failed !== undefined && /^\d+$/.test(failed) ? { failedAttempts: Number(failed) } : {}),
      };
    }

    return {
      name: 'ldap',
      supports: ['unlockAccount', 'passwordStatus'],
      findUser(identity) {
        const email = identity.email;
        if (!email) return Promise.reject(new DirectoryError('not_found', 'no verified e-mail to look the user up in the directory'));
        return withClient(async (client) => {
          const filter = config.userFilter.replaceAll('{email}', escapeFilterValue(email));
          const { searchEntries } = await client.search(config.baseDn, { scope: 'sub', filter, attributes: ['mail'], sizeLimit: 2 });
          if (searchEntries.length !== 1) throw new DirectoryError('not_found', `LDAP: ${searchEntries.length} entries match the user's e-mail`);
          const entry = searchEntries[0] as { dn: string; mail?: unknown };
          return { id: entry.dn, email: first(entry.mail) ?? email };
        });
      },
      groupsOf(u: DirectoryUser) {
        const cnOf = (dn: string) => /^cn=([^,]+)/i.exec(dn)?.[1] ?? dn;
        return withClient(async (client) => {
          const names = new Set(all((await read(client, u.id)).memberOf).map(cnOf));
          const filter = `(&(objectClass=group)(member=${escapeFilterValue(u.id)}))`;
          let pages = 0;
          for await (const page of client.searchPaginated(config.baseDn, { scope: 'sub', filter, attributes: ['cn'], paged: { pageSize: config.groupPageSize } })) {
            if (pages >= MAX_GROUP_PAGES) {
              deps.log?.warn({ provider: 'LDAP', pages, items: names.size }, `LDAP: group list truncated at ${MAX_GROUP_PAGES} pages; groups on later pages are not used`);
              break;
            }
            pages += 1;
            for (const entry of page.searchEntries) names.add(first(entry.cn) ?? cnOf(entry.dn));
          }
          return [...names];
        });
      },
      run(action, u) {
        return withClient(async (client) => {
          if (action === 'unlockAccount') {
            const before = state(await read(client, u.id));
            await client.modify(u.id, new Change({ operation: 'replace', modification: new Attribute({ type: 'lockoutTime', values: ['0'] }) }));
            return { detail: `LDAP: lockoutTime set to 0 (was ${before.locked ? 'locked' : 'not locked'}${before.failedAttempts !== undefined ? `, badPwdCount ${before.failedAttempts}` : ''})` };
          }
          if (action === 'passwordStatus') {
            const s = state(await read(client, u.id));
            return { detail: `LDAP: locked=${String(s.locked)}, disabled=${String(s.disabled)}, passwordExpired=${String(s.passwordExpired)}`, state: s };
          }
          throw new DirectoryError('unsupported', `the LDAP connector does not do ${action}`);
        });
      },
    };
  },
});
