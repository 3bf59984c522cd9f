import { createServer, type RequestListener, type Server } from 'node:http';
import type { Router } from 'express';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { AppConfig } from '../config/index.js';
import type { ConversationAddress, TechnicianAction, TechnicianEvents, TechnicianMessage } from '../engine/contract.js';
import { createEngine, type DialogueEngine, type ProactiveMessage } from '../engine/dialogue/index.js';
import { KeyedMutex } from '../engine/dialogue/mutex.js';
import { loadFlows } from '../engine/flows/load.js';
import { translator as sharedTranslator } from '../engine/i18n.js';
import { formatLintIssue } from '../engine/lint-issue.js';
import type { KnowledgeStatus, ManagedKnowledgeService } from '../engine/ports/knowledge.js';
import { createLogger, type Logger } from '../log.js';
import { createServerApp } from '../server/app.js';
import { checkDatabaseWritable, healthMigrations, type ReadinessSources, type ServerPhase } from '../server/health.js';
import { InFlight } from '../server/in-flight.js';
import { rateLimitedEngine, TokenBuckets } from '../server/rate-limit.js';
import { Metrics, meteredEngine, meteredEscalations, meteredKnowledge } from '../server/metrics.js';
import { createSlackChannel } from '../channels/slack/index.js';
import { createTeamsChannel } from '../channels/teams/index.js';
import { loggingTechnicianEvents } from '../channels/technicians.js';
import { createWebChannel } from '../channels/web/index.js';
import { sessionSecret } from '../channels/web/session.js';
import { errorMessage, type Channel, type ChannelDeps } from '../channels/types.js';
import { ConversationReferenceStore, channelReferenceMigrations } from '../storage/sqlite/channel-references.js';
import { SqliteDeliveryLog, deliveryLogMigrations } from '../storage/sqlite/delivery-log.js';
import { openConversationStore, type SqliteConversationStore } from '../storage/sqlite/conversation-store.js';
import { migrate, type Db } from '../storage/sqlite/database.js';
import { DatabaseFaults, openCheckedDatabase } from '../storage/sqlite/integrity.js';
import { createTicketOutbox, createTicketProvider } from '../tickets/factory.js';
import { createLanguageAssistant } from '../llm/factory.js';
import { llmMetrics } from '../llm/metrics.js';
import type { TicketOutbox } from '../tickets/outbox.js';
import { consoleRoutes } from '../console/mount.js';
import type { DraftStore } from '../engine/ports/drafts.js';
import { openDraftStore } from '../storage/sqlite/draft-store.js';
import { createKnowledgeRuntime } from './knowledge.js';
import { KnowledgeSyncRunner } from './knowledge-sync.js';
import { ProactiveRouter } from './proactive.js';
import { withHandoff, type HandoffRelay } from '../engine/handoff/relay.js';
import { outboxOwnership } from '../tickets/ownership.js';
import { createHumanSide } from './humans.js';
import { createDirectoryParts } from '../directory/factory.js';

/**
 * The composition root: config → logger → database → knowledge → tickets (provider + outbox) →
 * engine → channels → one HTTP server. Everything that owns a resource is created here and
 * released by `close()`, in reverse order, after in-flight turns have finished.
 */

/** What other parts of the application (the technician console) are built from. */
export interface AppContext {
  config: AppConfig;
  logger: Logger;
  db: Db;
  knowledge: ManagedKnowledgeService;
  store: SqliteConversationStore;
  engine: DialogueEngine;
  outbox: TicketOutbox;
  /** Article drafts (from resolved tickets), reviewed in the console. */
  drafts: DraftStore;
  metrics: Metrics;
  proactive: ProactiveRouter;
  /** The live handoff relay; undefined without a technicians' channel. */
  handoff?: HandoffRelay;
  /** Scheduled import of knowledge from ServiceNow, Zendesk, Confluence, GLPI or a folder (KNOWLEDGE_SYNC_*). */
  knowledgeSync?: KnowledgeSyncRunner;
}

export interface ComposeOptions {
  logger?: Logger;
  /** More HTTP routes on the same server, built once everything else exists. */
  routes?: (context: AppContext) => Router[];
  /** Interface to listen on; overrides HOST. */
  host?: string;
  /** Builds the live-handoff relay; without it, technicians' events are logged. */
  technicians?: (context: AppContext) => TechnicianEvents;
  /** Extra Bot Framework auth settings (sovereign clouds; tests with a local token issuer). */
  teamsAuthSettings?: Record<string, string>;
  /** HTTP client for ticket providers (tests). */
  fetch?: typeof fetch;
}

export interface HelpdeskApp extends AppContext {
  channels: Channel[];
  server: Server;
  /** http://localhost:<port> (or the host it listens on). */
  url: string;
  /** Runs the flow time-out sweep and the live-handoff watchdog now; resolves with how many follow-ups and reminders were sent. */
  sweep(now?: Date): Promise<number>;
  /** Graceful shutdown: stop accepting, finish in-flight turns (up to SHUTDOWN_TIMEOUT_SECONDS), release everything. */
  close(): Promise<void>;
}

function listen(server: Server, port: number, host?: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolvePort((server.address() as AddressInfo).port);
    });
  });
}

export async function composeApp(config: AppConfig, options: ComposeOptions = {}): Promise<HelpdeskApp> {
  const logger = options.logger ?? createLogger(config.core.logLevel);
  const startedAt = new Date();
  const cleanups: Array<() => Promise<void> | void> = [];
  const release = async (): Promise<void> => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        logger.error({ err: errorMessage(err) }, 'shutdown step failed');
      }
    }
  };

  try {
    const dataDir = resolve(config.core.dataDir);
    // Exits with the path (code 78 in main.ts) when DATA_DIR is unusable or the file is corrupt.
    const db = openCheckedDatabase(join(dataDir, 'helpdesk.db'));
    const databaseFaults = new DatabaseFaults();
    cleanups.push(() => {
      db.close();
    });
    migrate(db, [...healthMigrations, ...channelReferenceMigrations, ...deliveryLogMigrations]);
    const deliveries = new SqliteDeliveryLog(db);

    // Listening from the start: /healthz answers while the knowledge base is indexed (minutes on a
    // cold start of a large one), /readyz says 503 until everything below is in place.
    const metrics = new Metrics();
    let phase: ServerPhase = 'starting';
    let knowledgeStatus: () => KnowledgeStatus | undefined = () => undefined;
    const readiness: ReadinessSources = {
      knowledge: () => knowledgeStatus(),
      // Real faults seen by turns count: a file corrupt in the middle still takes the one-row health write.
      database: () => databaseFaults.current() ?? checkDatabaseWritable(db),
      phase: () => phase,
      startedAt,
    };
    const trustProxy = config.core.trustProxy;
    let handler: RequestListener = createServerApp({ channels: [], metrics, logger, readiness, trustProxy, onError: (err) => databaseFaults.record(err), metricsToken: config.limits.metricsToken });
    const server = createServer((req, res) => handler(req, res));
    // Slack and the Bot Framework keep connections alive; idle ones must not hold the shutdown.
    server.keepAliveTimeout = 5_000;
    // Local mode (no Bot Framework credentials) accepts unauthenticated activities: loopback only unless HOST says otherwise.
    const host = options.host ?? config.core.host ?? (config.channels.teams.credentials ? undefined : '127.0.0.1');
    const port = await listen(server, config.core.port, host);
    const url = `http://${host && host !== '0.0.0.0' && host !== '::' ? (host.includes(':') ? `[${host}]` : host) : 'localhost'}:${port}`;
    cleanups.push(
      () =>
        new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
    );
    logger.info({ url }, 'listening; loading the knowledge base (GET /readyz says 503 until it is ready)');

    const runtime = await createKnowledgeRuntime(config, {
      log: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) },
    });
    cleanups.push(() => runtime.close());
    const status = runtime.service.status();
    logger.info({ mode: status.mode, embedder: status.embedder, articles: status.articles, chunks: status.chunks, vectors: status.vectors }, 'knowledge loaded');
    if (status.mode === 'lexical-only') logger.warn({ warnings: status.warnings }, 'retrieval runs LEXICAL-ONLY: answers rely on keyword search alone');

    const { catalog: flows, issues } = loadFlows(resolve(config.core.kbDir));
    for (const issue of issues) logger.warn(formatLintIssue(issue));

    const inFlight = new InFlight((n) => metrics.inFlight.set(n));
    const translator = sharedTranslator();

    const tickets = createTicketProvider(config.tickets, { db, logger, ...(options.fetch ? { fetch: options.fetch } : {}) });
    const outbox = createTicketOutbox(config.tickets, tickets, { db, logger, ...(options.fetch ? { fetch: options.fetch } : {}) });
    const store = openConversationStore(db);
    const drafts = openDraftStore(db, { translator });
    const directory = createDirectoryParts(config.actions, { db, translator, ...(options.fetch ? { fetch: options.fetch } : {}) });
    if (directory.connector) logger.info({ provider: directory.connector.name, actions: config.actions.enabled }, 'account actions through the directory');
    // Local mode accepts unsigned Teams activities: their user ids are claims, not verified identities.
    if (directory.connector && config.actions.enabled.length && !config.channels.teams.credentials) {
      logger.warn('account actions are enabled while Teams runs in local mode (no MICROSOFT_APP_ID): Teams identities are not verified; use this for development only');
    }
    const llm = createLanguageAssistant(config.llm, { logger, onCall: llmMetrics(metrics.registry), categories: () => runtime.service.categories() });
    // The live handoff needs the engine and the channels; the engine reaches it through these late-bound hooks.
    let handoff: HandoffRelay | undefined;
    const engine = createEngine({
      knowledge: meteredKnowledge(runtime.service, metrics),
      store,
      escalation: withHandoff(meteredEscalations(outbox, metrics), (packet) => handoff?.start(packet)),
      beforeTurn: (turn, input) => handoff?.intercept(turn, input) ?? Promise.resolve(false),
      tickets,
      ticketOwnership: outboxOwnership(outbox.store),
      ...(config.limits.ticketRateLimit ? { ticketLimit: new TokenBuckets(config.limits.ticketRateLimit) } : {}),
      flows,
      config: config.dialogue,
      translator,
      logger,
      ...(llm ? { llm } : {}),
      ...(directory.actions ? { actions: directory.actions } : {}),
    });

    const order = new KeyedMutex();
    const inOrder = <T>(address: ConversationAddress, work: () => Promise<T>): Promise<T> =>
      order.run(JSON.stringify([address.channel, address.conversationId, address.threadId ?? '']), work);

    // The relay needs the proactive router, which needs the channels, which need the hook: bound late.
    let technicians: TechnicianEvents = loggingTechnicianEvents(logger);
    const metered = meteredEngine(engine, metrics);
    const limit = config.limits.rateLimit;
    const channelEngine = limit
      ? rateLimitedEngine(metered, new TokenBuckets(limit), {
          translator,
          detectLang: (text, fallback) => runtime.service.detectLang(text, fallback),
          onLimited: (event, retryAfterSeconds) => {
            metrics.rateLimited.inc({ channel: event.address.channel });
            logger.info({ channel: event.address.channel, user: event.user.id, retryAfterSeconds }, 'rate limited');
          },
        })
      : metered;
    const channelDeps = (name: string): ChannelDeps => ({
      engine: channelEngine,
      technicians: {
        onTechnicianMessage: (m: TechnicianMessage) => technicians.onTechnicianMessage(m),
        onTechnicianAction: (a: TechnicianAction) => technicians.onTechnicianAction(a),
      },
      translator,
      logger: logger.child({ channel: name }),
      track: (work) => inFlight.run(work),
      inOrder,
      deliveries,
      reportError: (stage, err, context) => {
        databaseFaults.record(err);
        metrics.channelErrors.inc({ channel: name, stage });
        logger.error({ channel: name, stage, err: errorMessage(err), ...context }, 'channel error');
      },
    });

    const channels: Channel[] = [];
    if (config.channels.web.enabled) {
      channels.push(
        createWebChannel(channelDeps('web'), {
          auth: {
            config: config.webAuth,
            // Generated once and kept with the data (mode 0600) unless WEB_SESSION_SECRET is set.
            secret: sessionSecret(config.webAuth.sessionSecret, join(dataDir, 'web-session.key')),
            ...(config.core.publicUrl ? { publicUrl: config.core.publicUrl } : {}),
          },
          conversationOwner: async (conversationId) => (await store.findConversation({ channel: 'web', conversationId }))?.user.id,
          ...(config.limits.addressRateLimit ? { addressLimit: config.limits.addressRateLimit } : {}),
          hub: { maxStreams: config.limits.sse.maxStreams, maxStreamsPerClient: config.limits.sse.maxPerClient },
        }),
      );
    }
    channels.push(
      createTeamsChannel(channelDeps('teams'), {
        config: config.channels.teams,
        references: new ConversationReferenceStore(db),
        ...(options.teamsAuthSettings ? { authSettings: options.teamsAuthSettings } : {}),
      }),
    );
    if (config.channels.slack) channels.push(createSlackChannel(channelDeps('slack'), { config: config.channels.slack }));
    cleanups.push(async () => {
      for (const c of channels) await c.close?.();
    });

    const proactive = new ProactiveRouter(
      channels.map((c) => c.sender),
      metrics,
      logger,
      inOrder,
    );
    const humans = createHumanSide({ config, db, engine, proactive, drafts, tickets, outbox, translator, logger, track: (work) => inFlight.run(work) });
    handoff = humans.handoff;
    // Imports go through the same reload as a console edit: only changed chunks are re-embedded.
    const knowledgeSync = new KnowledgeSyncRunner(config.knowledgeSync, {
      kbDir: config.core.kbDir,
      reload: () => runtime.service.reload(),
      logger,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    const context: AppContext = { config, logger, db, knowledge: runtime.service, store, engine, outbox, drafts, metrics, proactive, knowledgeSync, ...(handoff ? { handoff } : {}) };
    if (options.technicians) technicians = options.technicians(context);
    else if (handoff) technicians = handoff;

    const deliver = async (p: ProactiveMessage | undefined): Promise<void> => {
      if (p) await proactive.send(p.address, p.message);
    };
    // A failed delivery rejects, so the outbox keeps the outcome and replays it at the next start.
    outbox.onDelivered(({ item, ticket }) => inFlight.run(async () => deliver(await engine.ticketUpdate({ packet: item.packet, ticket }))));
    outbox.onDead(({ item }) => inFlight.run(async () => deliver(await engine.ticketUpdate({ packet: item.packet, failed: true }))));

    const routers = [...humans.routers, ...consoleRoutes({ ...context, tickets, translator, actionAudit: directory.audit }), ...(options.routes?.(context) ?? [])];
    handler = createServerApp({ channels, routers, metrics, logger, readiness, trustProxy, onError: (err) => databaseFaults.record(err), metricsToken: config.limits.metricsToken });
    knowledgeStatus = () => runtime.service.status();
    phase = 'serving';

    outbox.start();
    cleanups.push(() => outbox.stop());
    humans.start();
    cleanups.push(() => humans.stop());
    knowledgeSync.start();
    cleanups.push(() => knowledgeSync.stop());

    let sweeping: Promise<number> | undefined;
    const sweep = (now?: Date): Promise<number> => {
      sweeping ??= inFlight
        .run(async () => {
          let sent = 0;
          for (const p of await engine.sweep(now)) {
            try {
              await deliver(p);
              sent += 1;
            } catch {
              // Logged by the router; the follow-up stays in the transcript.
            }
          }
          // The live-handoff watchdog and the ticket news feed run on the same timer.
          return sent + (await humans.sweep(now));
        })
        .finally(() => {
          sweeping = undefined;
        });
      return sweeping;
    };
    const sweepTimer = setInterval(() => {
      sweep().catch((err: unknown) => logger.error({ err: errorMessage(err) }, 'flow time-out sweep failed'));
    }, config.channels.server.sweepIntervalMs);
    sweepTimer.unref();
    cleanups.push(() => clearInterval(sweepTimer));

    let closing: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closing ??= (async () => {
        phase = 'draining';
        clearInterval(sweepTimer);
        logger.info({ inFlight: inFlight.size }, 'shutting down: draining in-flight turns');
        // Stop accepting connections; SSE streams end so pages reconnect to the next server.
        server.close();
        for (const c of channels) await c.close?.();
        server.closeIdleConnections();
        const drained = await inFlight.idle(config.channels.server.shutdownTimeoutMs);
        if (!drained) logger.warn({ inFlight: inFlight.size }, 'shutdown timeout: some turns did not finish');
        await release();
        logger.info('shutdown complete');
      })();
      return closing;
    };

    logger.info({ url, channels: channels.map((c) => c.name) }, 'helpdesk-bot listening');
    return { ...context, channels, server, url, sweep, close };
  } catch (err) {
    await release();
    throw err;
  }
}
