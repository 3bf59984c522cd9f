import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { composeApp } from '../../src/app/compose.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { startupFailure } from '../../src/app/startup-failure.js';
import { DatabaseUnusableError } from '../../src/storage/sqlite/integrity.js';
import { ROOT } from '../helpers/server-process.js';
import { BASE_ENV, startTestApp } from '../server/start.js';

/**
 * Issue 15, Medium 4: a database file corrupted in the middle no longer reports ready while every
 * turn fails; it is caught at start (PRAGMA quick_check) and readiness follows the faults turns
 * really meet. An unusable DATA_DIR exits with code 78 and the path, without a stack trace.
 */

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Garbage over the root page of the conversations table: the health row lives elsewhere and still writes. */
function corruptConversations(file: string): void {
  const db = new Database(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const { rootpage } = db.prepare(`SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'conversations'`).get() as { rootpage: number };
  db.close();
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (rootpage - 1) * pageSize);
  closeSync(fd);
}

function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...BASE_ENV, LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('database integrity and an unusable DATA_DIR', () => {
  it('readiness follows the faults turns meet while running', async () => {
    const server = await startTestApp();
    dirs.push(server.dir);
    const chat = (text: string) => fetch(`${server.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ conversationId: `integrity-${text.length}-${Date.now()}`, user: { id: 'integrity-user' }, text }),
    });
    expect((await chat('my vpn does not connect')).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

    const file = join(server.dir, 'data', 'helpdesk.db');
    corruptConversations(file);
    // Another connection's write tells the server's connection that its page cache is stale.
    const other = new Database(file);
    other.prepare(`UPDATE server_health SET checked_at = ? WHERE id = 1`).run(new Date().toISOString());
    other.close();

    expect((await chat('the printer does not print')).status).toBe(500);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: { database: { ok: boolean; error: string } } }).checks.database).toMatchObject({ ok: false, error: expect.stringMatching(/SQLITE_CORRUPT/) });
    await server.stop();
  });

  it('a corrupt file is refused at start: `npm start` exits 78 with the path and no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'helpdesk-corrupt-'));
    dirs.push(dir);
    const dataDir = join(dir, 'data');
    const config = loadConfig({ ...BASE_ENV, DATA_DIR: dataDir });
    const app = await composeApp(config, { logger: createLogger('silent'), host: '127.0.0.1' });
    await app.close();
    corruptConversations(join(dataDir, 'helpdesk.db'));

    const refused = await composeApp(config, { logger: createLogger('silent'), host: '127.0.0.1' }).then(() => undefined, (err: unknown) => err);
    expect(refused).toBeInstanceOf(DatabaseUnusableError);
    expect(startupFailure(refused)).toMatchObject({ code: 78, message: expect.stringMatching(/integrity check failed: the file is corrupt/) });
    // The real entry point, once: exit code and message as an operator sees them.
    const run = await runMain({ DATA_DIR: dataDir });
    expect(run.code, run.stderr).toBe(78);
    expect(run.stderr).toContain(join(dataDir, 'helpdesk.db'));
    expect(run.stderr).toMatch(/integrity check failed/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 240_000);

  it('a DATA_DIR that is a file, or under a file, is refused with code 78 and the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'helpdesk-datadir-'));
    dirs.push(dir);
    const notADir = join(dir, 'a-file');
    writeFileSync(notADir, 'x');
    for (const dataDir of [notADir, join(notADir, 'data')]) {
      const refused = await composeApp(loadConfig({ ...BASE_ENV, DATA_DIR: dataDir }), { logger: createLogger('silent'), host: '127.0.0.1' }).then(() => undefined, (err: unknown) => err);
      expect(refused).toBeInstanceOf(DatabaseUnusableError);
      const failure = startupFailure(refused);
      expect(failure.code).toBe(78);
      expect(failure.message).toContain(dataDir);
      expect(failure.message).toMatch(/not a writable folder/);
      expect(failure.message).not.toMatch(/\n\s+at /);
    }
  });
});
