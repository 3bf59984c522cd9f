import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COORDINATION_QUERY_CONNECTIONS, createCoordination } from '../../src/app/coordination.js';
import { createLogger } from '../../src/log.js';
import type { Coordination } from '../../src/engine/ports/coordination.js';
import { freshDatabase } from '../helpers/coordination-backends.js';
import { withAdmin, type TestDatabase } from '../helpers/postgres.js';

/**
 * PostgreSQL coordination as the server builds it (COORDINATION_POOL_SIZE): more turns in flight
 * than lock connections, each checking the user's rate limit while it holds its lock, all finish.
 * With one pool for both, the turns holding every connection waited for a connection for the rate
 * limit that only their own end could free (the pool's 120 s connection timeout).
 */
describe('PostgreSQL coordination pools', () => {
  let db: TestDatabase;
  let coordination: Coordination;

  beforeAll(async () => {
    db = await freshDatabase();
    coordination = await createCoordination({ databaseUrl: db.url, poolSize: 2 }, createLogger('silent'));
  });
  afterAll(async () => {
    await coordination?.close();
    await db?.drop();
  });

  it('lets turns that hold every lock connection still check their rate limit', { timeout: 60_000 }, async () => {
    const limiter = coordination.limiter('user', { burst: 10, perMinute: 60 });
    const inFlight = 6;
    const started = Date.now();
    const turns = Array.from({ length: inFlight }, (_, i) =>
      coordination.lock.run(`conversation-${i}`, async () => {
        const taken = await limiter.take(`user-${i}`);
        await new Promise((r) => setTimeout(r, 50));
        return taken.ok;
      }),
    );
    const outcome = await Promise.race([Promise.all(turns), new Promise<'stuck'>((r) => setTimeout(() => r('stuck'), 20_000))]);
    expect(outcome).toEqual(Array(inFlight).fill(true));
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('opens the lock connections and the query connections apart, within the documented counts', async () => {
    const byName = await withAdmin(async (c) => {
      const { rows } = await c.query<{ application_name: string; n: string }>('SELECT application_name, count(*) AS n FROM pg_stat_activity WHERE datname = $1 GROUP BY application_name', [db.name]);
      return Object.fromEntries(rows.map((r) => [r.application_name, Number(r.n)]));
    });
    expect(byName['helpdesk-bot coordination locks'] ?? 0).toBeLessThanOrEqual(2);
    expect(byName['helpdesk-bot coordination'] ?? 0).toBeGreaterThanOrEqual(1); // the bus's LISTEN
    expect(byName['helpdesk-bot coordination'] ?? 0).toBeLessThanOrEqual(COORDINATION_QUERY_CONNECTIONS);
  });
});
