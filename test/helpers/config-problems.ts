import { ConfigError, loadConfig } from '../../src/config/index.js';

/** The problems `loadConfig` reports for this environment, by variable name ([] when it loads). */
export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}
