import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { openDatabase, type Db, type OpenOptions } from './database.js';

/**
 * The database must be usable before anything is served, and readiness must follow what the
 * database really does: a file corrupted in the middle passes a one-row health write while every
 * turn fails. At start: the data directory is usable and the file passes `PRAGMA quick_check`.
 * While running: real SQLite faults seen by any request take readiness down.
 */

/** DATA_DIR or the database file cannot be used: the operator must act (exit code 78, EX_CONFIG). */
export class DatabaseUnusableError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`cannot use the database at ${path}: ${reason}`);
    this.name = 'DatabaseUnusableError';
  }
}

const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Problems `PRAGMA quick_check` reports (empty when the file is sound). */
export function quickCheck(db: Db): string[] {
  const rows = db.pragma('quick_check(20)') as Array<{ quick_check: string }>;
  return rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
}

/** Opens DATA_DIR's database after checking the folder is writable and the file intact. */
export function openCheckedDatabase(file: string, options: OpenOptions = {}): Db {
  const dir = dirname(file);
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new DatabaseUnusableError(dir, `the data directory (DATA_DIR) is not a writable folder: ${reasonOf(err)}`);
  }
  let db: Db | undefined;
  try {
    db = openDatabase(file, options);
    const problems = quickCheck(db);
    if (problems.length) throw new Error(`integrity check failed: the file is corrupt (${problems.slice(0, 3).join('; ')}); restore it from a backup`);
    // Takes the write lock and releases it: a read-only file or folder fails here, not at the first turn.
    db.exec('BEGIN IMMEDIATE; ROLLBACK');
    return db;
  } catch (err) {
    try {
      db?.close();
    } catch {
      // Already unusable.
    }
    const code = String((err as { code?: unknown } | null)?.code ?? '');
    throw new DatabaseUnusableError(file, PERMANENT.test(code) ? `integrity check failed: the file is corrupt (${reasonOf(err)}); restore it from a backup` : reasonOf(err));
  }
}

const FAULT = /^SQLITE_(?:CORRUPT|NOTADB|IOERR|FULL|READONLY|CANTOPEN|PERM)/;
const PERMANENT = /^SQLITE_(?:CORRUPT|NOTADB)/;

/** A SQLite error that means the database itself is failing (not a busy lock, not a constraint). */
export function isDatabaseFault(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && FAULT.test(code);
}

/**
 * Faults seen by requests. A corrupt file stays faulty until restart; a full disk or an I/O error
 * counts for `windowMs` after it was last seen, then the health write decides again.
 */
export class DatabaseFaults {
  private last?: { at: number; message: string; permanent: boolean };

  constructor(
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records the error if it is a database fault; true when it was one. */
  record(err: unknown): boolean {
    if (!isDatabaseFault(err)) return false;
    const code = String((err as { code: string }).code);
    const permanent = PERMANENT.test(code) || this.last?.permanent === true;
    this.last = { at: this.now(), message: `${code}: ${reasonOf(err)}`, permanent };
    return true;
  }

  /** The fault readiness should report now, if any. */
  current(): { ok: false; error: string } | undefined {
    if (!this.last) return undefined;
    if (!this.last.permanent && this.now() - this.last.at > this.windowMs) return undefined;
    return { ok: false, error: this.last.message };
  }
}
