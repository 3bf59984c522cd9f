import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import madge from 'madge';

const root = new URL('../../', import.meta.url).pathname;

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  return [...src.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => (m[1] ?? m[2]) as string,
  );
}

describe('architecture', () => {
  it('the engine imports no channel, ticket, LLM or vendor SDK', () => {
    const forbiddenPackages = [
      'botbuilder', 'botframework', '@microsoft/teams-ai', '@slack/', 'openai', 'express',
      'adaptivecards', '@huggingface/transformers', '@energetic-ai/', 'prom-client',
    ];
    const offenders: string[] = [];
    for (const file of tsFiles(join(root, 'src/engine'))) {
      for (const spec of importsOf(file)) {
        const rel = relative(root, file);
        if (forbiddenPackages.some((p) => spec === p || spec.startsWith(p))) offenders.push(`${rel} imports ${spec}`);
        // Anchored at src/: the engine's own src/engine/llm/ is not the src/llm/ adapter folder.
        if (spec.startsWith('.') && /^src\/(channels|tickets|llm|server|console|embeddings|storage|cli)\//.test(relative(root, join(file, '..', spec)) + '/')) {
          offenders.push(`${rel} imports adapter ${spec}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('no database handle outside src/storage/: nothing else imports better-sqlite3 or the SQLite opener', () => {
    // Product code gets its stores from the storage bundle (src/storage/factory.ts), so a backend can
    // be swapped by DATABASE_URL. Tests and bench tools may still read the SQLite file they check.
    const offenders: string[] = [];
    for (const file of tsFiles(join(root, 'src'))) {
      const rel = relative(root, file);
      if (rel.startsWith('src/storage/')) continue;
      for (const spec of importsOf(file)) {
        const target = spec.startsWith('.') ? relative(root, join(file, '..', spec)) : spec;
        if (spec === 'better-sqlite3' || target === 'src/storage/sqlite/database.js' || target === 'src/storage/sqlite/database') {
          offenders.push(`${rel} imports ${spec}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the check above sees a forbidden import when there is one', () => {
    // Guards the guard: the same matcher on a file of src/storage/ that does import the opener.
    const specs = importsOf(join(root, 'src/storage/sqlite/integrity.ts'));
    expect(specs.map((s) => relative(root, join(root, 'src/storage/sqlite', s)))).toContain('src/storage/sqlite/database.js');
    expect(importsOf(join(root, 'src/storage/sqlite/database.ts'))).toContain('better-sqlite3');
  });

  it('has no import cycles', async () => {
    const res = await madge(join(root, 'src'), {
      fileExtensions: ['ts'],
      tsConfig: join(root, 'tsconfig.json'),
      detectiveOptions: { ts: { skipTypeImports: true } },
    });
    expect(res.circular()).toEqual([]);
  });
});
