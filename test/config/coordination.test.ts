import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { configProblems } from '../helpers/config-problems.js';

/** REDIS_URL and DATABASE_URL: checked at start, reported by name, never echoed (they may hold a password). */

describe('coordination settings', () => {
  it('defaults to in-process coordination', () => {
    expect(loadConfig({}).coordination).toEqual({ redisUrl: undefined, redisKeyPrefix: 'helpdesk:', poolSize: 20 });
    expect(loadConfig({ REDIS_URL: ' ', DATABASE_URL: '' }).coordination).toEqual({ redisUrl: undefined, redisKeyPrefix: 'helpdesk:', poolSize: 20 });
    expect(loadConfig({ DATABASE_URL: '' }).core.databaseUrl).toBeUndefined();
  });

  it('reads redis:// and postgres:// URLs', () => {
    const config = loadConfig({ REDIS_URL: 'rediss://bot:pw@cache.internal:6380/2', DATABASE_URL: 'postgresql://bot@db.internal:5432/helpdesk' });
    expect(config.coordination).toEqual({ redisUrl: 'rediss://bot:pw@cache.internal:6380/2', redisKeyPrefix: 'helpdesk:', poolSize: 20 });
    // One DATABASE_URL for the stores and the coordination between replicas.
    expect(config.core.databaseUrl?.href).toBe('postgresql://bot@db.internal:5432/helpdesk');
    expect(config.core.databasePoolSize).toBe(10);
    expect(loadConfig({ DATABASE_POOL_SIZE: '4', COORDINATION_POOL_SIZE: '8' })).toMatchObject({ core: { databasePoolSize: 4 }, coordination: { poolSize: 8 } });
  });

  it('names a wrong URL without repeating it', () => {
    const problems = configProblems({ REDIS_URL: 'http://user:secret@cache:6379', DATABASE_URL: 'not a url' });
    expect(problems).toHaveLength(2);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^REDIS_URL: expected redis:\/\/.*got a http: URL$/), expect.stringMatching(/^DATABASE_URL: .*not a URL$/)]));
    expect(problems.join(' ')).not.toContain('secret');
    expect(configProblems({ COORDINATION_POOL_SIZE: '1', DATABASE_POOL_SIZE: 'many' })).toEqual([expect.stringMatching(/^DATABASE_POOL_SIZE: /), expect.stringMatching(/^COORDINATION_POOL_SIZE: /)]);
    expect(configProblems({ REDIS_KEY_PREFIX: 'has space' })).toEqual([expect.stringMatching(/^REDIS_KEY_PREFIX: letters, digits/)]);
  });
});
