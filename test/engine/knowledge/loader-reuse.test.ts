import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadKnowledgeBase, type ParseCache } from '../../../src/engine/knowledge/loader.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function copyOfBasic(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kb-reuse-'));
  dirs.push(dir);
  cpSync(new URL('../../fixtures/kb-basic', import.meta.url).pathname, dir, { recursive: true });
  return dir;
}

describe('loading the knowledge again with the previous parse cache', () => {
  it('re-parses only the file whose text changed, and forgets files that are gone', () => {
    const dir = copyOfBasic();
    const cache: ParseCache = new Map();
    const first = loadKnowledgeBase(dir, { reuse: cache });
    const vpnFile = join(dir, 'articles/en/vpn-cannot-connect.md');
    const printerFile = join(dir, 'articles/en/printer-jam.md');
    writeFileSync(vpnFile, readFileSync(vpnFile, 'utf8').replace(/\n*$/, '\n\nStill stuck? Restart the laptop and try once more.\n'));
    rmSync(printerFile);

    const second = loadKnowledgeBase(dir, { reuse: cache });
    const byId = (kb: typeof first, id: string) => kb.articles.find((a) => a.id === id);
    // Unchanged files: the very objects of the first load, not parsed again.
    expect(byId(second, 'password-reset')).toBe(byId(first, 'password-reset'));
    // The edited one is parsed again and carries the new text.
    expect(byId(second, 'vpn-cannot-connect')).not.toBe(byId(first, 'vpn-cannot-connect'));
    expect(byId(second, 'vpn-cannot-connect')!.body).toContain('Restart the laptop and try once more');
    expect(byId(second, 'printer-jam')).toBeUndefined();
    expect([...cache.keys()].some((p) => p.endsWith('printer-jam.md'))).toBe(false);
    expect(second.hash).not.toBe(first.hash);

    // Same result as a load without the cache, article for article.
    const fresh = loadKnowledgeBase(dir);
    expect(second.hash).toBe(fresh.hash);
    expect(second.articles.map((a) => a.id)).toEqual(fresh.articles.map((a) => a.id));
    expect(second.issues).toEqual(fresh.issues);
  });
});
