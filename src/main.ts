#!/usr/bin/env node
import { ConfigError, loadConfig, loadDotEnv } from './config/index.js';
import { composeApp } from './app/compose.js';
import { createLogger } from './log.js';
import { startupFailure } from './app/startup-failure.js';

/**
 * `npm start`: loads .env, validates the whole configuration (every problem listed at once, by
 * variable name), starts the server and prints where to chat. SIGTERM / SIGINT drain in-flight
 * turns before exiting; a second signal exits at once.
 */
async function main(): Promise<void> {
  loadDotEnv();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every variable and its meaning.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }

  const logger = createLogger(config.core.logLevel);
  const app = await composeApp(config, { logger });

  const lines = [`helpdesk-bot is running on ${app.url}`];
  if (config.channels.web.enabled) lines.push(`  Web chat:        ${app.url}/chat`);
  lines.push(
    `  Bot Framework:   ${app.url}/api/messages (${config.channels.teams.credentials ? `Teams, ${config.channels.teams.credentials.appType}` : 'local/emulator mode, no credentials'})`,
  );
  if (config.channels.slack) lines.push(`  Slack:           ${app.url}/api/slack/events`);
  lines.push(`  Health:          ${app.url}/healthz  ${app.url}/readyz  ${app.url}/metrics`);
  if (config.core.publicUrl) lines.push(`  Public URL:      ${config.core.publicUrl}`);
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, 'signal received');
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err: err instanceof Error ? err.message : String(err) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  // An operator's problem (configuration, an unusable DATA_DIR, a corrupt file) exits 78 with the path, no stack trace.
  const failure = startupFailure(err);
  process.stderr.write(failure.message);
  process.exit(failure.code);
});
