import { confluenceSource } from './confluence.js';
import { folderSource } from './folder.js';
import { glpiSource } from './glpi.js';
import { servicenowSource } from './servicenow.js';
import type { KnowledgeSource, KnowledgeSourceDescriptor, SourceDeps } from './types.js';
import { zendeskSource } from './zendesk.js';

/** Every knowledge source by name. Adding one = one file with its descriptor, listed here, plus its tests. */
export const KNOWLEDGE_SOURCES: readonly KnowledgeSourceDescriptor<any>[] = [servicenowSource, zendeskSource, confluenceSource, glpiSource, folderSource];

export function sourceNames(): string[] {
  return KNOWLEDGE_SOURCES.map((d) => d.name);
}

export class SourceConfigError extends Error {}

/** Validates the options with the descriptor's schema and builds the source; every problem is named. */
export function createSource(name: string, options: unknown, deps: SourceDeps = {}): KnowledgeSource {
  const descriptor = KNOWLEDGE_SOURCES.find((d) => d.name === name);
  if (!descriptor) throw new SourceConfigError(`unknown knowledge source "${name}" (expected one of ${sourceNames().join(', ')})`);
  const parsed = descriptor.configSchema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`);
    throw new SourceConfigError(`${name}: ${problems.join('; ')}`);
  }
  return descriptor.create(parsed.data, deps);
}
