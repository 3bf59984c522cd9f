import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgPool } from '../../../src/storage/postgres/pool.js';
import { createTestDatabase, withAdmin, type TestDatabase } from '../../helpers/postgres.js';

/**
 * A server that refuses a new connection because it is full (SQLSTATE 53300) is waited for, within the
 * pool's connection timeout, instead of failing the query. A role with CONNECTION LIMIT 1 makes the
 * real server refuse the second connection, as max_connections does for every role.
 */
describe('PostgreSQL pool when the server is full', () => {
  let db: TestDatabase;
  const role = `hd_limited_${randomBytes(4).toString('hex')}`;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await withAdmin((c) => c.query(`CREATE ROLE ${role} LOGIN CONNECTION LIMIT 1`));
    const u = new URL(db.url);
    u.username = role;
    url = u.toString();
  });

  afterAll(async () => {
    await db?.drop();
    await withAdmin((c) => c.query(`DROP ROLE IF EXISTS ${role}`));
  });

  it('a query that meets "too many connections" waits for one to free and then runs', async () => {
    const holder = createPgPool(url, { max: 1 });
    const pool = createPgPool(url, { max: 1, connectionTimeoutMs: 10_000 });
    try {
      const held = await holder.connect();
      const pending = pool.query('SELECT 41 + 1 AS answer');
      // The server refused the pool's connection meanwhile (checked below); freeing the slot lets the retry in.
      await new Promise((r) => setTimeout(r, 400));
      held.release(true);
      await holder.end();
      const result = await pending;
      expect(result.rows).toEqual([{ answer: 42 }]);
      // pool.connect() (transactions, locks) goes through the same retry.
      const again = await pool.connect();
      again.release();
    } finally {
      await pool.end();
    }
  });

  it('gives up after the connection timeout, with the server\'s error', async () => {
    const holder = createPgPool(url, { max: 1 });
    const pool = createPgPool(url, { max: 1, connectionTimeoutMs: 600 });
    const held = await holder.connect();
    try {
      await expect(pool.query('SELECT 1')).rejects.toMatchObject({ code: '53300' });
    } finally {
      held.release(true);
      await holder.end();
      await pool.end();
    }
  });

  it('does not retry an error that will not clear (a database that does not exist)', async () => {
    const u = new URL(db.url);
    u.pathname = `/missing_${randomBytes(4).toString('hex')}`;
    const pool = createPgPool(u.toString(), { connectionTimeoutMs: 10_000 });
    const started = Date.now();
    try {
      await expect(pool.query('SELECT 1')).rejects.toMatchObject({ code: '3D000' });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await pool.end();
    }
  });
});
