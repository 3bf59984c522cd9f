import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { STATE_FILE } from '../../src/knowledge-sources/state.js';
import { syncSource } from '../../src/knowledge-sources/sync.js';
import type { FetchResult, KnowledgeSource, SourceArticle } from '../../src/knowledge-sources/types.js';

/** The sync's own rules, with a source that returns what the test says (the vendor contracts are in the other files). */

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function scripted(results: FetchResult[]): KnowledgeSource {
  return { system: 'test', fetch: async () => results.shift()! };
}

const article = (sourceId: string, text: string): SourceArticle => ({ sourceId, title: `Article ${sourceId}`, lang: 'en', body: { html: `<p>${text}</p>` } });
const listing = (articles: SourceArticle[]): FetchResult => ({ articles, liveIds: new Set(articles.map((a) => a.sourceId)), skipped: [], failed: [] });

function folder(): string {
  const out = mkdtempSync(join(tmpdir(), 'sync-'));
  dirs.push(out);
  return out;
}

describe('sync', () => {
  it('retires nothing when a source suddenly lists no article at all (a permission change looks like that)', async () => {
    const out = folder();
    await syncSource(scripted([listing([article('a', 'one'), article('b', 'two')])]), { out });
    const report = await syncSource(scripted([listing([])]), { out });
    expect(report.retired).toEqual([]);
    expect(report.failed).toEqual([{ sourceId: '*', reason: 'the source listed no articles at all; the 2 imported ones are kept' }]);
    expect(readdirSync(out).filter((f) => f.endsWith('.md')).sort()).toEqual(['test-a.md', 'test-b.md']);
  });

  it('a damaged state file costs nothing: unchanged files are recognised by content and not rewritten', async () => {
    const out = folder();
    await syncSource(scripted([listing([article('a', 'one')])]), { out });
    const before = statSync(join(out, 'test-a.md')).mtimeMs;
    writeFileSync(join(out, STATE_FILE), '{ not json');
    const report = await syncSource(scripted([listing([article('a', 'one')])]), { out });
    expect(report).toMatchObject({ ok: true, created: [], updated: [], unchanged: 1 });
    expect(statSync(join(out, 'test-a.md')).mtimeMs).toBe(before);
  });

  it('skips an article with no body and reports why; an article that became empty is retired', async () => {
    const out = folder();
    await syncSource(scripted([listing([article('a', 'one')])]), { out });
    const report = await syncSource(scripted([listing([article('a', ''), article('b', '   ')])]), { out });
    expect(report.retired).toEqual([{ id: 'test-a', reason: 'empty in the source' }]);
    expect(report.skipped).toEqual([{ sourceId: 'b', reason: 'empty body' }]);
  });
});
