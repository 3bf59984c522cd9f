import { existsSync } from 'node:fs';
import { ConfigError, parseSection, type Env } from './env.js';
import { coreSchema, type CoreConfig } from './sections/core.js';
import { retrievalSchema, type RetrievalConfig } from './sections/retrieval.js';
import { dialogueSchema, type DialogueConfig } from './sections/dialogue.js';
import { ticketsSchema, type TicketsConfig } from './sections/tickets.js';
import { channelsSchema, type ChannelsConfig } from './sections/channels.js';
import { consoleSchema, type ConsoleConfig } from './sections/console.js';
import { llmSchema, type LlmConfig } from './sections/llm.js';
import { limitsSchema, type LimitsConfig } from './sections/limits.js';
import { webAuthSchema, type WebAuthConfig } from './sections/web-auth.js';
import { knowledgeSyncSchema, type KnowledgeSyncConfig } from './sections/knowledge-sync.js';
import { actionsSchema, type ActionsConfig } from './sections/actions.js';
import { coordinationSchema, type CoordinationConfig } from './sections/coordination.js';

/**
 * All configuration comes from the environment (documented in .env.example), validated at start:
 * every problem is reported at once, with the variable name, before anything is started.
 */
export interface AppConfig {
  core: CoreConfig;
  retrieval: RetrievalConfig;
  dialogue: DialogueConfig;
  tickets: TicketsConfig;
  channels: ChannelsConfig;
  console: ConsoleConfig;
  llm: LlmConfig;
  limits: LimitsConfig;
  webAuth: WebAuthConfig;
  knowledgeSync: KnowledgeSyncConfig;
  actions: ActionsConfig;
  coordination: CoordinationConfig;
}

export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const pick = <T>(schema: Parameters<typeof parseSection<T>>[0]): T => {
    const r = parseSection(schema, env);
    problems.push(...r.problems);
    return r.value as T;
  };
  const config: AppConfig = {
    core: pick(coreSchema),
    retrieval: pick(retrievalSchema),
    dialogue: pick(dialogueSchema),
    tickets: pick(ticketsSchema),
    channels: pick(channelsSchema),
    console: pick(consoleSchema),
    llm: pick(llmSchema),
    limits: pick(limitsSchema),
    webAuth: pick(webAuthSchema),
    knowledgeSync: pick(knowledgeSyncSchema),
    actions: pick(actionsSchema),
    coordination: pick(coordinationSchema),
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** Loads ./.env into process.env when present (real environment variables win). */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

export { ConfigError };
