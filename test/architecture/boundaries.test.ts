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

  it('has no import cycles', async () => {
    const res = await madge(join(root, 'src'), {
      fileExtensions: ['ts'],
      tsConfig: join(root, 'tsconfig.json'),
      detectiveOptions: { ts: { skipTypeImports: true } },
    });
    expect(res.circular()).toEqual([]);
  });
});
