import { ConfigError } from '../config/index.js';
import { StorageBackendUnavailableError } from '../storage/factory.js';
import { DatabaseUnusableError } from '../storage/sqlite/integrity.js';

/**
 * What `npm start` prints and exits with when it cannot start. Problems an operator must fix
 * (configuration, an unusable DATA_DIR or database file) exit 78 (EX_CONFIG) with plain words and
 * the path; anything else is a bug and keeps its stack trace.
 */
export function startupFailure(err: unknown): { code: number; message: string } {
  if (err instanceof ConfigError) return { code: 78, message: `${err.message}\nSee .env.example for every variable and its meaning.\n` };
  if (err instanceof DatabaseUnusableError) return { code: 78, message: `helpdesk-bot cannot start: ${err.message}\nCheck DATA_DIR (${err.path}).\n` };
  if (err instanceof StorageBackendUnavailableError) return { code: 78, message: `helpdesk-bot cannot start: ${err.message}\n` };
  return { code: 1, message: `helpdesk-bot failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n` };
}
