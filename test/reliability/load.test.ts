import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkStored, runLoad } from '../../bench/load-driver.js';
import { readDevSet } from '../../src/engine/eval/dev-set.js';
import { startBotConnectorServer, type BotConnectorServer } from '../helpers/bot-connector-server.js';
import { ROOT, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { baseEnv, tempDir } from './helpers.js';

/**
 * The load script (`npm run load`, 50 users × 20 messages) in small: 10 simulated users × 5
 * messages on the web chat and 10 × 5 on the Bot Framework endpoint at the same time, against the
 * real server process. Every message gets exactly one answer (the replies delivered are exactly
 * the ones recorded for its turn) and is stored once.
 */
describe('load: concurrent users on the web chat and Teams', () => {
  const dir = tempDir('load');
  let server: ServerProcess | undefined;
  let connector: BotConnectorServer | undefined;

  afterAll(async () => {
    await server?.stop();
    await connector?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every message exactly once and stores it', async () => {
    connector = await startBotConnectorServer();
    server = await startServerProcess({ env: baseEnv(join(dir, 'data')) });
    const report = await runLoad({
      url: server.url,
      connector,
      users: 10,
      messages: 5,
      channels: ['web', 'teams'],
      texts: readDevSet(join(ROOT, 'eval/dev.jsonl')).map((q) => q.query),
      buttonShare: 0.3,
    });
    expect(report.sent).toHaveLength(100);
    expect(report.channels.map((c) => [c.channel, c.ok, c.failed])).toEqual([
      ['web', 50, 0],
      ['teams', 50, 0],
    ]);
    expect(report.sent.some((m) => m.kind === 'button')).toBe(true);
    const stored = checkStored(join(dir, 'data', 'helpdesk.db'), report.sent);
    expect(stored.problems).toEqual([]);
    expect(stored.stored).toBe(100);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  }, 180_000);
});
