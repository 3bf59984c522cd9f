import type { Translator } from '../engine/i18n.js';
import type { StorageBundle } from './bundle.js';
import { join } from 'node:path';
import type { EmbeddingCache } from '../engine/ports/embedding-cache.js';
import { openPostgresStorage } from './postgres/bundle.js';
import { openSqliteStorage } from './sqlite/bundle.js';
import { SqliteEmbeddingCache } from './sqlite/embedding-cache.js';

export interface StorageConfig {
  /** DATA_DIR: the SQLite database and caches when no DATABASE_URL is set. */
  dataDir: string;
  /** DATABASE_URL, already validated by the config schema (postgres:// or postgresql://). */
  databaseUrl?: URL;
  /** DATABASE_POOL_SIZE: PostgreSQL connections for the stores of this replica. */
  poolSize?: number;
}

export interface StorageOptions {
  translator?: Translator;
}

/** DATABASE_URL names a backend this build cannot open yet. */
export class StorageBackendUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageBackendUnavailableError';
  }
}

/** The URL for logs and messages: never its password. */
export function describeDatabaseUrl(url: URL): string {
  const safe = new URL(url.href);
  if (safe.password) safe.password = '***';
  return safe.href;
}

/**
 * The one place a storage backend is chosen: PostgreSQL when DATABASE_URL is set, else the
 * embedded SQLite database in DATA_DIR (the default, as before DATABASE_URL existed).
 */
export async function openStorage(config: StorageConfig, options: StorageOptions = {}): Promise<StorageBundle> {
  if (config.databaseUrl) {
    // Migrated under an advisory lock before anything is served: replicas starting together are safe.
    const url = config.databaseUrl;
    return openPostgresStorage(url.href, {
      applicationName: `helpdesk-bot:${process.pid}`,
      ...(config.poolSize ? { max: config.poolSize } : {}),
      ...(options.translator ? { translator: options.translator } : {}),
    }).catch((err: unknown) => {
      // Unreachable server, wrong database or credentials: one clear line at start (exit 78), never the password.
      const reason = (err instanceof Error ? err.message : String(err)).split(url.password || '\u0000').join('***');
      throw new StorageBackendUnavailableError(`cannot open the PostgreSQL database at ${describeDatabaseUrl(url)}: ${reason}`);
    });
  }
  return openSqliteStorage({ dataDir: config.dataDir, ...(options.translator ? { translator: options.translator } : {}) });
}

/** The embedding cache alone, for commands that index without the rest of the state (`helpdesk index`, eval, bench). */
export function openEmbeddingCache(dataDir: string): EmbeddingCache & { close(): void } {
  return SqliteEmbeddingCache.open(join(dataDir, 'embeddings.sqlite'));
}
