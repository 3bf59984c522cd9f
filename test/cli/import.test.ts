import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

/** `helpdesk import` end to end: the real CLI in a child process. */
const root = new URL('../../', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'helpdesk-import-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
vi.setConfig({ testTimeout: 120_000 });

function helpdesk(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: join(tmp, 'data'), KB_DIR: join(tmp, 'kb'), ...env },
    timeout: 110_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('helpdesk import', () => {
  it('imports a folder, then a second run changes nothing', () => {
    const docs = join(tmp, 'docs');
    const out = join(tmp, 'out');
    spawnSync('mkdir', ['-p', docs]);
    writeFileSync(join(docs, 'printer.html'), '<h1>Printer offline</h1><script>x()</script><p>Turn the printer off and on, then check the cable.</p>');
    writeFileSync(join(docs, 'notes.txt'), 'plain text');
    const first = helpdesk(['import', 'folder', docs, '--out', out]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('created 1, updated 0, retired 0, unchanged 0, skipped 1, failed 0');
    expect(first.stdout).toContain('  + folder-printer-html');
    expect(first.stdout).toContain('  skipped notes.txt: unsupported file type .txt');
    // The gate is fitted to the new knowledge: now with `helpdesk calibrate`, else by the server in the background.
    expect(first.stdout).toContain('run `helpdesk calibrate` to fit the gate to the new knowledge now');
    expect(readFileSync(join(out, 'folder-printer-html.md'), 'utf8')).toContain('title: Printer offline');

    const second = helpdesk(['import', 'folder', docs, '--out', out, '--json']);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ ok: true, created: [], updated: [], retired: [], unchanged: 1 });
  });

  it('names the missing setting and writes nothing', () => {
    const r = helpdesk(['import', 'zendesk', '--out', join(tmp, 'zd')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/zendesk: url: .*required/);
  });
});
