import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/**
 * Writable copies of a knowledge fixture in temporary folders, for tests that add or edit articles;
 * each copy is removed after the test that made it. Call at the top of a test file.
 */
export function kbCopies(fixture: string, prefix = 'kb-copy-'): () => string {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    cpSync(fixture, dir, { recursive: true });
    return dir;
  };
}
