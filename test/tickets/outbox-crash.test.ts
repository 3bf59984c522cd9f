import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../src/storage/sqlite/database.js';
import { SqliteOutboxStore } from '../../src/storage/sqlite/outbox-store.js';
import { createServiceNowServer, SN_CREDENTIALS } from './servers/servicenow.js';
import { makePacket } from './fixtures/packet.js';

/**
 * Nothing lost, with real processes: a bot process is killed with SIGKILL at the worst moments and a
 * fresh one is started on the same SQLite file. The ticket system (a ServiceNow Table API server)
 * must end up with exactly one incident per escalation.
 */
const repo = fileURLToPath(new URL('../../', import.meta.url));
const child = 'test/tickets/fixtures/outbox-child.ts';

describe('outbox across process crashes (SIGKILL)', () => {
  let sn: ReturnType<typeof createServiceNowServer>;
  let dir: string;
  let dbFile: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    sn = createServiceNowServer();
    await sn.server.start();
  });
  afterAll(() => sn.server.stop());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'helpdesk-outbox-crash-'));
    dbFile = join(dir, 'helpdesk.db');
  });
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  function start(mode: 'submit' | 'deliver', packetJson?: string) {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, mode], {
      cwd: repo,
      env: {
        PATH: process.env.PATH,
        HELPDESK_TEST_DB: dbFile,
        PACKET_JSON: packetJson,
        TICKET_PROVIDER: 'servicenow',
        SERVICENOW_INSTANCE_URL: sn.server.url,
        SERVICENOW_USERNAME: SN_CREDENTIALS.username,
        SERVICENOW_PASSWORD: SN_CREDENTIALS.password,
        TICKET_HTTP_TIMEOUT_MS: '1000',
        TICKET_OUTBOX_LEASE_MS: '8000',
        TICKET_OUTBOX_POLL_MS: '50',
        TICKET_OUTBOX_BASE_DELAY_MS: '50',
        TICKET_OUTBOX_MAX_DELAY_MS: '200',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(proc);
    let out = '';
    let err = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const waitFor = (pattern: RegExp, ms = 25_000) =>
      new Promise<RegExpMatchArray>((resolve, reject) => {
        const timer = setInterval(() => {
          const m = pattern.exec(out);
          if (m) {
            clearInterval(timer);
            resolve(m);
          } else if (proc.exitCode !== null || proc.signalCode !== null || (ms -= 25) <= 0) {
            clearInterval(timer);
            reject(new Error(`child ${mode} did not print ${pattern} (exit ${proc.exitCode ?? proc.signalCode})\n${out}\n${err}`));
          }
        }, 25);
      });
    const killed = () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGKILL');
      });
    const exited = () =>
      new Promise<number | null>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve(proc.exitCode);
        proc.once('exit', (code) => resolve(code));
      });
    return { proc, waitFor, killed, exited };
  }

  async function outboxItem(id: string) {
    const db = openDatabase(dbFile);
    try {
      return await new SqliteOutboxStore(db).get(id);
    } finally {
      db.close();
    }
  }

  it('killed between the outbox write and delivery: the restarted process delivers it once', async () => {
    const packet = makePacket();
    const writer = start('submit', JSON.stringify(packet));
    await writer.waitFor(/SUBMITTED (\S+)/);
    await writer.killed();
    expect(writer.proc.signalCode).toBe('SIGKILL');
    expect(await outboxItem(packet.id)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(sn.incidents.filter((i) => i.correlation_id === packet.id)).toHaveLength(0);

    const worker = start('deliver');
    const [, number] = await worker.waitFor(/DELIVERED (\S+)/);
    expect(await worker.exited()).toBe(0);
    const made = sn.incidents.filter((i) => i.correlation_id === packet.id);
    expect(made).toHaveLength(1);
    expect(made[0]!.number).toBe(number);
    expect(await outboxItem(packet.id)).toMatchObject({ status: 'delivered', attempts: 1, ticket: { number }, notifiedAt: expect.any(String) });
  });

  it('killed after the ticket was created but before it was marked delivered: still one ticket', async () => {
    const packet = makePacket();
    const writer = start('submit', JSON.stringify(packet));
    await writer.waitFor(/SUBMITTED/);
    await writer.killed();

    // The instance creates the incident and never answers; the worker dies while waiting.
    sn.server.failNext({ holdAfterHandling: true }, (r) => r.method === 'POST' && r.path === '/api/now/table/incident');
    const doomed = start('deliver');
    await doomed.waitFor(/WORKER STARTED/);
    for (let i = 0; i < 400 && !sn.incidents.some((x) => x.correlation_id === packet.id); i++) await new Promise((r) => setTimeout(r, 25));
    await doomed.killed();
    expect(sn.incidents.filter((i) => i.correlation_id === packet.id)).toHaveLength(1);
    expect(await outboxItem(packet.id)).toMatchObject({ status: 'delivering', attempts: 1 });

    // The next process waits out the dead worker's lease, then finds the incident by correlation_id.
    const worker = start('deliver');
    const [, number] = await worker.waitFor(/DELIVERED (\S+)/);
    expect(await worker.exited()).toBe(0);
    const made = sn.incidents.filter((i) => i.correlation_id === packet.id);
    expect(made).toHaveLength(1);
    expect(made[0]!.number).toBe(number);
    expect(await outboxItem(packet.id)).toMatchObject({ status: 'delivered', attempts: 2, totalAttempts: 2, notifiedAt: expect.any(String) });
  });
});
