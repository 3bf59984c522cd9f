import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeApp, type ComposeOptions, type HelpdeskApp } from '../../src/app/compose.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';

/**
 * The real composed server for HTTP-level tests: repository knowledge (lexical-only, so no model
 * is loaded), a fresh SQLite database in a temp dir, the local ticket provider, 127.0.0.1 on a
 * random port.
 */
export const REPO_KNOWLEDGE = fileURLToPath(new URL('../../knowledge', import.meta.url));

export interface TestApp {
  app: HelpdeskApp;
  url: string;
  dir: string;
  stop(): Promise<void>;
}

export const BASE_ENV: Record<string, string> = {
  PORT: '0',
  KB_DIR: REPO_KNOWLEDGE,
  EMBEDDINGS_PROVIDER: 'none',
  LOG_LEVEL: 'silent',
  TICKET_OUTBOX_POLL_MS: '50',
  TICKET_OUTBOX_BASE_DELAY_MS: '50',
};

export async function startTestApp(env: Record<string, string> = {}, options: ComposeOptions = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'helpdesk-server-'));
  const config = loadConfig({ ...BASE_ENV, DATA_DIR: join(dir, 'data'), ...env });
  const app = await composeApp(config, { logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), host: '127.0.0.1', ...options });
  return {
    app,
    url: app.url,
    dir,
    async stop() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { postJson } from '../helpers/http.js';
