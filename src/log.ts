import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs (pino). Anything user-typed must pass through the engine's redaction
 * before it reaches a log line; the logger itself never sees raw transcripts.
 */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { app: 'helpdesk-bot' },
    redact: {
      paths: ['*.password', '*.token', '*.apiKey', '*.authorization', 'req.headers.authorization', 'req.headers.cookie'],
      censor: '[REDACTED]',
    },
  });
}

export type { Logger };
