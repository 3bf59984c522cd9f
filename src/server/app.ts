import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Router } from 'express';
import type { Channel } from '../channels/types.js';
import type { Logger } from '../log.js';
import { healthRouter, type ReadinessSources } from './health.js';
import type { Metrics } from './metrics.js';

/**
 * The one express app: health, metrics and every channel's routes. Each channel parses its own
 * bodies (Slack needs the raw bytes for its signature), with size limits; parse errors, oversized
 * bodies and unknown routes end as short JSON 4xx answers, never a stack trace.
 */

export interface ServerAppOptions {
  channels: Channel[];
  /** Other routers (e.g. the technician console), mounted after the channels. */
  routers?: Router[];
  metrics: Metrics;
  readiness: ReadinessSources;
  logger: Logger;
  /** express "trust proxy" (TRUST_PROXY): whose X-Forwarded-For sets req.ip. */
  trustProxy?: boolean | number | string[];
  /** Every error that reaches the error handler (readiness follows real database faults). */
  onError?: (err: unknown) => void;
  /** When set, /metrics requires `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
}

/** Constant-time comparison of the bearer token. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1] ?? '';
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b) && given.length > 0;
}

/** Paths answered while starting and draining, so orchestrators can watch. */
const ALWAYS_SERVED = new Set(['/healthz', '/readyz', '/metrics']);

function onlyWhenServing(phase: ReadinessSources['phase']): RequestHandler {
  return (req, res, next) => {
    const now = phase();
    if (now === 'serving' || ALWAYS_SERVED.has(req.path)) return next();
    // Slack and the Bot Framework retry on 503, so a message sent during a restart is not lost.
    const message = now === 'starting' ? 'The server is starting; try again in a few seconds.' : 'The server is restarting; try again in a few seconds.';
    res.status(503).set({ 'Retry-After': '5', ...(now === 'draining' ? { Connection: 'close' } : {}) }).json({ error: now === 'starting' ? 'starting' : 'shutting_down', message });
  };
}

interface HttpError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

const BODY_ERRORS: Record<string, { status: number; error: string; message: string }> = {
  'entity.parse.failed': { status: 400, error: 'invalid_json', message: 'The request body is not valid JSON.' },
  'entity.too.large': { status: 413, error: 'too_large', message: 'The request body is too large.' },
  'encoding.unsupported': { status: 415, error: 'unsupported_encoding', message: 'Unsupported content encoding.' },
  'charset.unsupported': { status: 415, error: 'unsupported_charset', message: 'Unsupported charset.' },
  'request.aborted': { status: 400, error: 'aborted', message: 'The request was aborted.' },
};

/**
 * PostgreSQL's passing refusals (SQLSTATE): out of connections or other resources (class 53), shutting
 * down or starting (57P01-57P03), a lost connection (class 08), a serialization failure or deadlock.
 */
const PG_TRANSIENT = /^(53\d{3}|57P0[123]|08\d{3}|40001|40P01)$/;

/**
 * SQLite gave up waiting for a lock (another process held it past the busy timeout), or PostgreSQL
 * refused for a while (too many clients when replicas and their pools add up): worth retrying, and
 * safe, since a message sent again with its id is taken in once.
 */
function isDatabaseBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || PG_TRANSIENT.test(code));
}

function errorHandler(logger: Logger, metrics: Metrics, onError?: (err: unknown) => void): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    onError?.(err);
    if (isDatabaseBusy(err)) {
      // Nothing of the turn was written: the client (or the page) sends the same message again.
      metrics.channelErrors.inc({ channel: 'http', stage: 'database_busy' });
      logger.warn({ err: err instanceof Error ? err.message : String(err), path: req.path }, 'database busy: asked the client to retry');
      if (!res.headersSent) res.status(503).set('Retry-After', '2').json({ error: 'busy', message: 'The service is busy; try again in a few seconds.' });
      return;
    }
    const e = (err ?? {}) as HttpError;
    const known = e.type ? BODY_ERRORS[e.type] : undefined;
    const status = known?.status ?? e.status ?? e.statusCode ?? 500;
    if (status >= 500) {
      metrics.channelErrors.inc({ channel: 'http', stage: 'unhandled' });
      logger.error({ err: err instanceof Error ? err.message : String(err), path: req.path }, 'request failed');
    } else {
      logger.debug({ path: req.path, status, type: e.type }, 'request rejected');
    }
    if (res.headersSent) return;
    res.status(status).json(
      known
        ? { error: known.error, message: known.message }
        : status >= 500
          ? { error: 'internal_error', message: 'Something went wrong on our side.' }
          : { error: 'bad_request', message: e.expose && err instanceof Error ? err.message : 'The request could not be processed.' },
    );
  };
}

export function createServerApp(options: ServerAppOptions): Express {
  const { channels, metrics, readiness, logger } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? false);
  app.use((_req, res, next) => {
    res.set('X-Content-Type-Options', 'nosniff');
    next();
  });
  app.use(onlyWhenServing(readiness.phase));
  app.use(healthRouter(readiness));
  app.get('/metrics', async (req, res) => {
    if (options.metricsToken && !bearerMatches(req.get('authorization'), options.metricsToken)) {
      res.status(401).set('WWW-Authenticate', 'Bearer realm="metrics"').json({ error: 'unauthorized', message: 'Send Authorization: Bearer <METRICS_TOKEN>.' });
      return;
    }
    res.set('Content-Type', metrics.contentType()).send(await metrics.text());
  });
  for (const channel of channels) app.use(channel.router);
  for (const router of options.routers ?? []) app.use(router);
  app.use((req, res) => {
    res.status(404).json({ error: 'not_found', message: `No route for ${req.method} ${req.path}` });
  });
  app.use(errorHandler(logger, metrics, options.onError));
  return app;
}
