import type { StorageBundle } from '../../src/storage/bundle.js';
import type { Db } from '../../src/storage/sqlite/database.js';
import type { SqliteStorage } from '../../src/storage/sqlite/bundle.js';

/** The SQLite handle behind an app's storage bundle, for tests that read or break the file directly. */
export function sqliteDb(app: { storage: StorageBundle }): Db {
  if (app.storage.backend !== 'sqlite') throw new Error(`this test reads the SQLite file; the app runs on ${app.storage.backend}`);
  return (app.storage as SqliteStorage).db;
}
