import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migratePg, type PgMigration } from '../../../src/storage/postgres/migrate.js';
import { pgMigrations } from '../../../src/storage/postgres/migrations.js';
import { createPgPool, type PgPool } from '../../../src/storage/postgres/pool.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';

describe('PostgreSQL migrations', () => {
  let db: TestDatabase;
  let pools: PgPool[];

  beforeEach(async () => {
    db = await createTestDatabase('migrate');
    pools = [];
  });
  afterEach(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await db.drop();
  });
  const pool = () => {
    const p = createPgPool(db.url, { max: 2 });
    pools.push(p);
    return p;
  };

  it('four replicas starting at once on a fresh database apply each migration exactly once', async () => {
    const runs = await Promise.all(Array.from({ length: 4 }, () => migratePg(pool(), pgMigrations)));
    // One run applied everything; the others waited for the lock and found nothing to do.
    expect(runs.filter((r) => r.length > 0)).toEqual([pgMigrations.map((m) => m.name)]);
    const { rows } = await pool().query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    expect(rows.map((r) => r.name)).toEqual(pgMigrations.map((m) => m.name));
    expect(await migratePg(pool(), pgMigrations)).toEqual([]);
  });

  it('a new migration shipped later runs once, in order', async () => {
    await migratePg(pool(), pgMigrations);
    const next: PgMigration[] = [...pgMigrations, { name: '9999_probe', up: 'CREATE TABLE probe (id INT)' }];
    const runs = await Promise.all([migratePg(pool(), next), migratePg(pool(), next)]);
    expect(runs.flat()).toEqual(['9999_probe']);
  });

  it('a failing migration leaves nothing half-applied and is retried next start', async () => {
    const bad: PgMigration[] = [{ name: '0001_ok', up: 'CREATE TABLE ok_table (id INT)' }, { name: '0002_bad', up: 'CREATE TABLE t2 (id INT); SELECT no_such_column FROM ok_table' }];
    await expect(migratePg(pool(), bad)).rejects.toThrow(/0002_bad/);
    const p = pool();
    expect((await p.query(`SELECT to_regclass('t2') AS t`)).rows[0].t).toBeNull();
    expect((await p.query('SELECT name FROM schema_migrations')).rows).toEqual([{ name: '0001_ok' }]);
    // The lock was released: another run gets through.
    expect(await migratePg(p, bad.slice(0, 1))).toEqual([]);
  });

  it('a database whose coordination tables were made before they joined the list migrates cleanly and keeps their rows', async () => {
    const p = pool();
    // What a replica of the previous release left: the store migrations up to 0014, and the
    // coordination tables created at start outside the list (the old ensureCoordinationSchema).
    const before = pgMigrations.filter((m) => m.name < '0015_coordination');
    await migratePg(p, before);
    await p.query(`
      CREATE TABLE IF NOT EXISTS coordination_rate (key text PRIMARY KEY, tat double precision NOT NULL);
      CREATE TABLE IF NOT EXISTS coordination_jobs (job text PRIMARY KEY, tick bigint NOT NULL, claimed_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE IF NOT EXISTS coordination_bus (id bigserial PRIMARY KEY, topic text NOT NULL, payload text NOT NULL, at timestamptz NOT NULL DEFAULT now());
      CREATE INDEX IF NOT EXISTS coordination_bus_at ON coordination_bus (at);
      INSERT INTO coordination_jobs (job, tick) VALUES ('news', 42);
      INSERT INTO coordination_rate (key, tat) VALUES ('user:u1', 12.5);
    `);
    const ran = await migratePg(p, pgMigrations);
    expect(ran).toContain('0015_coordination');
    expect(ran.every((name) => name >= '0015_coordination')).toBe(true);
    expect((await p.query('SELECT job, tick FROM coordination_jobs')).rows).toEqual([{ job: 'news', tick: '42' }]);
    expect((await p.query('SELECT key, tat FROM coordination_rate')).rows).toEqual([{ key: 'user:u1', tat: 12.5 }]);
    expect(await migratePg(p, pgMigrations)).toEqual([]);
  });

  it('refuses a list with a duplicated name', async () => {
    await expect(migratePg(pool(), [pgMigrations[0]!, pgMigrations[0]!])).rejects.toThrow(/duplicate/);
  });
});
