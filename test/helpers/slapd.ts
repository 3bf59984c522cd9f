/**
 * A real OpenLDAP directory for the tests: Debian's `slapd` on 127.0.0.1 and a random port, in a
 * temp dir, with the Active Directory schema OpenLDAP ships (/etc/ldap/schema/msuser.schema:
 * `user`, lockoutTime, badPwdCount, pwdLastSet, userAccountControl, msDS-UserPasswordExpiryTimeComputed,
 * memberOf). slapd does not run AD's lockout logic: a lock is simulated by setting lockoutTime, as
 * a domain controller does after too many wrong passwords.
 *
 * The bot's service account may write lockoutTime only; a read-only account exists to test refusals.
 * Missing slapd: installed when running as root (as `.ci/run` does), else the tests are skipped
 * with the command to run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';

export const SLAPD = '/usr/sbin/slapd';
export const INSTALL_COMMAND = 'apt-get install -y slapd ldap-utils';
export const SUFFIX = 'dc=example,dc=com';
export const ADMIN = { dn: `cn=admin,${SUFFIX}`, password: 'admin-secret-for-tests' };
export const BOT = { dn: `cn=helpdesk-bot,ou=services,${SUFFIX}`, password: 'bot-secret-for-tests' };
export const READONLY = { dn: `cn=readonly,ou=services,${SUFFIX}`, password: 'readonly-secret-for-tests' };

/** slapd available (installing it when root and missing); otherwise the reason to skip. */
export function ensureSlapd(): string | undefined {
  if (existsSync(SLAPD)) return undefined;
  if (process.getuid?.() === 0) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'slapd', 'ldap-utils'], { stdio: 'ignore', env });
    if (existsSync(SLAPD)) return undefined;
  }
  return `OpenLDAP slapd is not installed: run \`${INSTALL_COMMAND}\` (as root) to run these tests`;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Slapd {
  url: string;
  /** A client bound as the directory manager, to arrange and inspect entries. */
  admin<T>(work: (client: Client) => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

export interface AdUser {
  cn: string;
  mail: string;
  lockoutTime?: string;
  badPwdCount?: string;
  pwdLastSet?: string;
  userAccountControl?: string;
  memberOf?: string[];
}

export const userDn = (cn: string) => `cn=${cn},ou=people,${SUFFIX}`;
export const groupDn = (cn: string) => `cn=${cn},ou=groups,${SUFFIX}`;

/** An AD security group (groupType: global security) with these members, as a domain controller keeps it. */
export function groupEntry(cn: string, members: string[]): Record<string, string | string[]> {
  return {
    objectClass: ['group'],
    instanceType: '4',
    objectCategory: `cn=Group,cn=Schema,cn=Configuration,${SUFFIX}`,
    nTSecurityDescriptor: 'placeholder',
    groupType: '-2147483646',
    cn,
    member: members,
  };
}

export async function startSlapd(users: AdUser[]): Promise<Slapd> {
  const dir = mkdtempSync(join(tmpdir(), 'helpdesk-slapd-'));
  mkdirSync(join(dir, 'db'));
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  writeFileSync(
    join(dir, 'slapd.conf'),
    `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/msuser.schema
pidfile ${dir}/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 10485760
suffix "${SUFFIX}"
rootdn "${ADMIN.dn}"
rootpw ${ADMIN.password}
directory ${dir}/db
access to attrs=userPassword
  by anonymous auth
  by * none
access to attrs=lockoutTime
  by dn.exact="${BOT.dn}" write
  by * read
access to *
  by * read
`,
  );
  const child: ChildProcess = spawn(SLAPD, ['-f', join(dir, 'slapd.conf'), '-h', `${url}/`, '-d', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const admin = async <T>(work: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ url, timeout: 5_000, connectTimeout: 5_000 });
    try {
      await client.bind(ADMIN.dn, ADMIN.password);
      return await work(client);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  };

  // Up when the manager can bind.
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`slapd exited: ${stderr}`);
    try {
      await admin(async () => undefined);
      break;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`slapd did not start: ${String(err)}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  await admin(async (c) => {
    await c.add(SUFFIX, { objectClass: ['dcObject', 'organization'], dc: 'example', o: 'Example' });
    await c.add(`ou=people,${SUFFIX}`, { objectClass: 'organizationalUnit', ou: 'people' });
    await c.add(`ou=services,${SUFFIX}`, { objectClass: 'organizationalUnit', ou: 'services' });
    await c.add(`ou=groups,${SUFFIX}`, { objectClass: 'organizationalUnit', ou: 'groups' });
    for (const s of [BOT, READONLY]) {
      const cn = /^cn=([^,]+)/.exec(s.dn)?.[1] as string;
      await c.add(s.dn, { objectClass: ['organizationalRole', 'simpleSecurityObject'], cn, userPassword: s.password });
    }
    for (const u of users) {
      await c.add(userDn(u.cn), {
        objectClass: ['user'],
        // What AD's top class requires (placeholders: slapd enforces the schema, not AD semantics).
        instanceType: '4',
        objectCategory: `cn=Person,cn=Schema,cn=Configuration,${SUFFIX}`,
        nTSecurityDescriptor: 'placeholder',
        cn: u.cn,
        sn: u.cn,
        mail: u.mail,
        userPrincipalName: u.mail,
        ...(u.lockoutTime ? { lockoutTime: u.lockoutTime } : {}),
        ...(u.badPwdCount ? { badPwdCount: u.badPwdCount } : {}),
        ...(u.pwdLastSet ? { pwdLastSet: u.pwdLastSet } : {}),
        userAccountControl: u.userAccountControl ?? '512',
        ...(u.memberOf?.length ? { memberOf: u.memberOf } : {}),
      });
    }
  });

  return {
    url,
    admin,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Windows FILETIME (100 ns since 1601) for a date. */
export function filetime(date: Date): string {
  return (BigInt(date.getTime() - Date.UTC(1601, 0, 1)) * 10_000n).toString();
}
