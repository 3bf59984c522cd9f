import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startConsoleApp, type ConsoleTestApp } from '../console/helpers.js';
import { sqliteDb } from '../helpers/sqlite-handle.js';

/**
 * Finding Medium 6: the admin token sent as `Authorization: Bearer` was never limited nor logged,
 * and the sign-in lockout counted per socket address, so behind a reverse proxy ten bad tries
 * locked every technician out. Now one limiter covers the form and the bearer token, per client
 * address (req.ip, which follows TRUST_PROXY), and every sign-in, failure and lockout is audited.
 */

const WRONG = 'wrong-token-wrong-token-wrong';

async function formSignIn(url: string, token: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${url}/admin/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url, ...headers },
    body: new URLSearchParams({ token, next: '/admin/' }),
  });
  await res.text();
  return res.status;
}

async function bearerCall(url: string, token: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${url}/admin/api/articles`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  await res.text();
  return res.status;
}

type AuditRow = { event: string; method: string; address: string };
const auditRows = (server: ConsoleTestApp): AuditRow[] =>
  sqliteDb(server.app).prepare('SELECT event, method, address FROM admin_audit ORDER BY id').all() as AuditRow[];

describe('security: admin sign-in (Medium 6)', () => {
  describe('without a trusted proxy', () => {
    let server: ConsoleTestApp;
    beforeAll(async () => {
      server = await startConsoleApp();
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('audits form and bearer sign-ins and their failures', async () => {
      expect(await formSignIn(server.url, WRONG)).toBe(401);
      expect(await formSignIn(server.url, ADMIN_TOKEN)).toBe(303);
      expect(await bearerCall(server.url, WRONG)).toBe(401);
      expect(await bearerCall(server.url, ADMIN_TOKEN)).toBe(200);
      expect(auditRows(server)).toEqual([
        { event: 'sign_in_failed', method: 'form', address: '127.0.0.1' },
        { event: 'sign_in', method: 'form', address: '127.0.0.1' },
        { event: 'sign_in_failed', method: 'bearer', address: '127.0.0.1' },
        { event: 'sign_in', method: 'bearer', address: '127.0.0.1' },
      ]);
      // The token itself is never written.
      expect(JSON.stringify(sqliteDb(server.app).prepare('SELECT * FROM admin_audit').all())).not.toContain(ADMIN_TOKEN);
    });

    it('limits bearer guesses with the same lockout as the form, and ignores a forged X-Forwarded-For', async () => {
      const statuses: number[] = [];
      // Two failures so far (above); a guesser rotating X-Forwarded-For gains nothing without TRUST_PROXY.
      for (let i = 0; i < 8; i++) statuses.push(await bearerCall(server.url, `${WRONG}-${i}`, { 'x-forwarded-for': `198.51.100.${i}` }));
      expect(statuses).toEqual(Array(8).fill(401));
      expect(await bearerCall(server.url, ADMIN_TOKEN)).toBe(429);
      expect(await formSignIn(server.url, ADMIN_TOKEN)).toBe(429);
      expect(auditRows(server).filter((r) => r.event === 'locked_out').map((r) => r.method)).toEqual(['bearer', 'form']);
    });
  });

  describe('behind a trusted reverse proxy (TRUST_PROXY)', () => {
    let server: ConsoleTestApp;
    beforeAll(async () => {
      server = await startConsoleApp({ TRUST_PROXY: 'loopback' });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('locks out the guessing client only, not every technician behind the proxy', async () => {
      const attacker = { 'x-forwarded-for': '203.0.113.5' };
      const technician = { 'x-forwarded-for': '203.0.113.9' };
      for (let i = 0; i < 10; i++) expect(await formSignIn(server.url, WRONG, attacker)).toBe(401);
      expect(await formSignIn(server.url, ADMIN_TOKEN, attacker)).toBe(429);
      expect(await bearerCall(server.url, ADMIN_TOKEN, attacker)).toBe(429);
      expect(await formSignIn(server.url, ADMIN_TOKEN, technician)).toBe(303);
      expect(await bearerCall(server.url, ADMIN_TOKEN, technician)).toBe(200);
      const rows = auditRows(server);
      expect(rows.filter((r) => r.address === '203.0.113.5').map((r) => r.event)).toEqual([...Array(10).fill('sign_in_failed'), 'locked_out', 'locked_out']);
      expect(rows.filter((r) => r.address === '203.0.113.9').map((r) => `${r.event}/${r.method}`)).toEqual(['sign_in/form', 'sign_in/bearer']);
    });
  });
});
