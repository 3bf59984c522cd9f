import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { configProblems } from '../helpers/config-problems.js';

describe('DATABASE_URL', () => {
  it('unset or empty: SQLite in DATA_DIR', () => {
    expect(loadConfig({}).core.databaseUrl).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: '  ' }).core.databaseUrl).toBeUndefined();
  });

  it('a postgres:// or postgresql:// URL selects PostgreSQL', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://helpdesk@db.internal:5432/helpdesk' }).core.databaseUrl?.href).toBe('postgres://helpdesk@db.internal:5432/helpdesk');
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/helpdesk?sslmode=require' }).core.databaseUrl?.href).toBe('postgresql://db/helpdesk?sslmode=require');
  });

  it('anything else is refused with a clear message, not silently ignored', () => {
    for (const bad of ['mysql://db/helpdesk', 'sqlite:./data/helpdesk.db', 'db.internal:5432', 'postgres://']) {
      const problems = configProblems({ DATABASE_URL: bad });
      expect(problems.join('\n'), bad).toMatch(/DATABASE_URL.*postgres:\/\//);
    }
  });
});
