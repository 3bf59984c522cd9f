import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { coreSchema } from '../../src/config/sections/core.js';
import { retrievalSchema } from '../../src/config/sections/retrieval.js';
import { dialogueSchema } from '../../src/config/sections/dialogue.js';
import { ticketsSchema } from '../../src/config/sections/tickets.js';
import { channelsSchema } from '../../src/config/sections/channels.js';
import { consoleSchema } from '../../src/config/sections/console.js';
import { llmSchema } from '../../src/config/sections/llm.js';
import { limitsSchema } from '../../src/config/sections/limits.js';
import { knowledgeSyncSchema } from '../../src/config/sections/knowledge-sync.js';
import { webAuthSchema } from '../../src/config/sections/web-auth.js';
import { actionsSchema } from '../../src/config/sections/actions.js';
import { coordinationSchema } from '../../src/config/sections/coordination.js';
import { DIRECTORY_PROVIDERS } from '../../src/directory/registry.js';

/**
 * Every environment variable the configuration reads is documented twice: in .env.example (with a
 * comment) and in the README's Configuration table. This keeps the three from drifting apart.
 */

const ROOT = new URL('../../', import.meta.url);
const read = (file: string): string => readFileSync(fileURLToPath(new URL(file, ROOT)), 'utf8');

/** The variable names a section schema reads: the keys of the object under its refinements and transforms. */
function variables(schema: z.ZodTypeAny): string[] {
  let s: z.ZodTypeAny = schema;
  for (;;) {
    if (s instanceof z.ZodEffects) s = s.innerType();
    else if (s instanceof z.ZodPipeline) s = s._def.in;
    else break;
  }
  if (!(s instanceof z.ZodObject)) throw new Error('expected an object schema under the effects');
  return Object.keys(s.shape as Record<string, unknown>);
}

// Each directory connector reads its own variables (its descriptor's configSchema).
const schemaVariables = [coreSchema, retrievalSchema, dialogueSchema, ticketsSchema, channelsSchema, consoleSchema, llmSchema, limitsSchema, knowledgeSyncSchema, webAuthSchema, actionsSchema, coordinationSchema, ...DIRECTORY_PROVIDERS.map((d) => d.configSchema)]
  .flatMap(variables)
  .sort();

function envExampleVariables(): string[] {
  const names = new Set<string>();
  for (const line of read('.env.example').split('\n')) {
    const assigned = /^([A-Z][A-Z0-9_]{2,})=/.exec(line);
    // Variables described in a comment block ("# NAME  explanation") count as documented too.
    const described = /^#\s+([A-Z][A-Z0-9_]{3,})\s{2,}\S/.exec(line);
    const name = assigned?.[1] ?? described?.[1];
    if (name) names.add(name);
  }
  return [...names].sort();
}

function readmeTableVariables(): string[] {
  const readme = read('README.md');
  const start = readme.indexOf('\n## Configuration\n');
  const end = readme.indexOf('\n## ', start + 5);
  expect(start).toBeGreaterThan(0);
  const rows = readme.slice(start, end).split('\n').filter((l) => l.startsWith('| `'));
  // The first cell of a row names one or more variables.
  return [...new Set(rows.flatMap((r) => [...(r.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1] as string)))].sort();
}

describe('configuration documentation', () => {
  it('documents every variable the configuration reads in .env.example', () => {
    const documented = envExampleVariables();
    expect(schemaVariables.filter((v) => !documented.includes(v))).toEqual([]);
  });

  it('lists every variable of .env.example and of the configuration in the README table', () => {
    const table = readmeTableVariables();
    const wanted = [...new Set([...schemaVariables, ...envExampleVariables()])];
    expect(wanted.filter((v) => !table.includes(v))).toEqual([]);
    // And nothing that does not exist.
    expect(table.filter((v) => !wanted.includes(v))).toEqual([]);
  });
});
