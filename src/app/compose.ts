import { createServer, type RequestListener, type Server } from 'node:http';
import type { Router } from 'express';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { AppConfig } from '../config/index.js';
import type { ConversationAddress, TechnicianAction, TechnicianEvents, TechnicianMessage } from '../engine/contract.js';
import { createEngine, type DialogueEngine, type ProactiveMessage } from '../engine/dialogue/index.js';
import { loadFlows } from '../engine/flows/load.js';
import { translator as sharedTranslator } from '../engine/i18n.js';
import { formatLintIssue } from '../engine/lint-issue.js';
import type { KnowledgeStatus, ManagedKnowledgeService, ReloadResult } from '../engine/ports/knowledge.js';
import { createLogger, type Logger } from '../log.js';
import { createServerApp } from '../server/app.js';
import type { ReadinessSources, ServerPhase } from '../server/health.js';
import { InFlight } from '../server/in-flight.js';
import { rateLimitedEngine } from '../server/rate-limit.js';
import { Metrics, meteredEngine, meteredEscalations, meteredKnowledge } from '../server/metrics.js';
import { createSlackChannel } from '../channels/slack/index.js';
import { createTicketSelfService } from '../engine/tickets/self-service.js';
import { createTeamsChannel } from '../channels/teams/index.js';
import { suggestedPrompts } from '../engine/analytics/suggested-prompts.js';
import { loggingTechnicianEvents } from '../channels/technicians.js';
import { createWebChannel } from '../channels/web/index.js';
import { sessionSecret } from '../channels/web/session.js';
import { errorMessage, type Channel, type ChannelDeps } from '../channels/types.js';
import type { ConversationStore } from '../engine/ports/conversation-store.js';
import type { StorageBundle } from '../storage/bundle.js';
import { openStorage } from '../storage/factory.js';
import { createTicketOutbox, createTicketProvider } from '../tickets/factory.js';
import { createLanguageAssistant } from '../llm/factory.js';
import { llmMetrics } from '../llm/metrics.js';
import type { TicketOutbox } from '../tickets/outbox.js';
import { consoleRoutes } from '../console/mount.js';
import type { DraftStore } from '../engine/ports/drafts.js';
import type { LabelledExampleStore } from '../engine/ports/labelled-examples.js';
import { DeskCalibrator } from './desk-calibrator.js';
import { deskLearning } from './desk-calibration.js';
import { createKnowledgeRuntime } from './knowledge.js';
import { KnowledgeSyncRunner } from './knowledge-sync.js';
import { ProactiveRouter } from './proactive.js';
import { withHandoff, type HandoffRelay } from '../engine/handoff/relay.js';
import { outboxOwnership } from '../tickets/ownership.js';
import { createHumanSide } from './humans.js';
import { createDirectoryParts } from '../directory/factory.js';
import { busChangeSignal, createCoordination, scheduleSingleton } from './coordination.js';
import type { Coordination } from '../engine/ports/coordination.js';
import { DirectoryGroups, withDirectoryGroups } from '../directory/groups.js';

/**
 * The composition root: config → logger → storage bundle → knowledge → tickets (provider + outbox) →
 * engine → channels → one HTTP server. Everything that owns a resource is created here and
 * released by `close()`, in reverse order, after in-flight turns have finished.
 */

/** What other parts of the application (the technician console) are built from. */
export interface AppContext {
  config: AppConfig;
  logger: Logger;
  /** Every store (SQLite in DATA_DIR, or PostgreSQL with DATABASE_URL); released by close(). */
  storage: StorageBundle;
  knowledge: ManagedKnowledgeService;
  store: ConversationStore;
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
  /** Turn locks, pub/sub, shared rate limits and job ticks across replicas (in-process, PostgreSQL or Redis). */
  coordination: Coordination;
  /** Human judgements tying questions to articles: what `helpdesk calibrate` and the console learn from. */
  labels: LabelledExampleStore;
  /** The console's refit on those judgements. */
  calibrator: DeskCalibrator;
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
    const translator = sharedTranslator();
    // Exits with the path (code 78 in main.ts) when DATA_DIR is unusable or the file is corrupt.
    const storage = await openStorage({ dataDir, poolSize: config.core.databasePoolSize, ...(config.core.databaseUrl ? { databaseUrl: config.core.databaseUrl } : {}) }, { translator });
    cleanups.push(() => storage.close());
    logger.info({ backend: storage.backend, location: storage.location, ...('migrated' in storage ? { migrated: storage.migrated } : {}) }, 'storage open');
    // Redis (REDIS_URL), PostgreSQL (DATABASE_URL) or this process: see README "Several replicas".
    const coordination = await createCoordination({ ...config.coordination, ...(config.core.databaseUrl ? { databaseUrl: config.core.databaseUrl.href } : {}) }, logger);
    cleanups.push(() => coordination.close());
    logger.info({ backend: coordination.backend }, 'coordination between replicas');
    const multiReplica = coordination.backend !== 'in-process';

    // Listening from the start: /healthz answers while the knowledge base is indexed (minutes on a
    // cold start of a large one), /readyz says 503 until everything below is in place.
    const metrics = new Metrics();
    let phase: ServerPhase = 'starting';
    let knowledgeStatus: () => KnowledgeStatus | undefined = () => undefined;
    const readiness: ReadinessSources = {
      knowledge: () => knowledgeStatus(),
      database: () => storage.health(),
      phase: () => phase,
      startedAt,
    };
    const trustProxy = config.core.trustProxy;
    let handler: RequestListener = createServerApp({ channels: [], metrics, logger, readiness, trustProxy, onError: (err) => storage.recordFault(err), metricsToken: config.limits.metricsToken });
    const server = createServer((req, res) => handler(req, res));
    // An idle kept-alive connection is closed by the server only after its clients and proxies give
    // up on it (browsers, undici and most proxies: 4–60 s): a 5 s timeout raced them, and under load
    // (a busy event loop) a request sent on a connection the server was closing was reset unread
    // (38 of 500 web messages in `npm run load -- --saturate`, each "fetch failed: ECONNRESET", none
    // stored). Idle connections do not hold the shutdown: it closes every connection (below).
    server.keepAliveTimeout = 65_000;
    // Must exceed keepAliveTimeout, or a request arriving on a long-idle connection can be cut off.
    server.headersTimeout = 66_000;
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
      embeddingCache: () => storage.embeddingCache(),
      // What the desk tied to articles is matched as their own questions, and a near-copy of a question
      // it said must go to a technician is escalated (README "Learning from the desk").
      learned: async () => deskLearning(await storage.labels.list()),
      deskCalibrations: storage.deskCalibrations,
    });
    cleanups.push(() => runtime.close());
    // KB_DIR is shared by the replicas (a shared volume): a console edit or an import on one of them
    // is written there, then every other replica is told to re-read it.
    const knowledgeChanged = busChangeSignal(coordination.bus, 'knowledge-changed');
    // Bound below (it reloads through reloadEverywhere).
    let calibrator: DeskCalibrator | undefined;
    const stopHearing = await knowledgeChanged.onChange(() => {
      runtime.service.reload().then(
        (r) => {
          logger.info({ articles: r.status.articles, embedded: r.embedded }, 'knowledge reloaded: changed on another replica');
          runtime.calibration?.request();
        },
        (err: unknown) => logger.error({ err: errorMessage(err) }, 'knowledge reload after another replica\'s change failed'),
      );
    });
    cleanups.push(() => stopHearing());
    // A console edit or an import changes the knowledge hash: the gate is re-fitted to it in the
    // background when the knowledge needs its own calibration (the current gate serves meanwhile).
    const reloadEverywhere = async (): Promise<ReloadResult> => {
      const result = await runtime.service.reload();
      // A refit on the desk's judgements in use is redone on the new knowledge; otherwise its zero-label or committed models.
      if (!calibrator?.refitAfterChange()) runtime.calibration?.request();
      await knowledgeChanged.notify().catch((err: unknown) => logger.error({ err: errorMessage(err) }, 'could not tell the other replicas to reload the knowledge'));
      return result;
    };
    // The console reloads through this: the other replicas follow.
    const sharedKnowledge: ManagedKnowledgeService = new Proxy(runtime.service, {
      get(target, prop, receiver) {
        if (prop === 'reload') return reloadEverywhere;
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const status = runtime.service.status();
    logger.info({ mode: status.mode, embedder: status.embedder, articles: status.articles, chunks: status.chunks, vectors: status.vectors }, 'knowledge loaded');
    if (status.mode === 'lexical-only') logger.warn({ warnings: status.warnings }, 'retrieval runs LEXICAL-ONLY: answers rely on keyword search alone');

    const { catalog: flows, issues } = loadFlows(resolve(config.core.kbDir));
    for (const issue of issues) logger.warn(formatLintIssue(issue));

    const inFlight = new InFlight((n) => metrics.inFlight.set(n));

    const tickets = createTicketProvider(config.tickets, { storage, logger, ...(options.fetch ? { fetch: options.fetch } : {}) });
    const outbox = createTicketOutbox(config.tickets, tickets, { storage, logger, ...(options.fetch ? { fetch: options.fetch } : {}) });
    const store = storage.conversations;
    const drafts = storage.drafts;
    const labels = storage.labels;
    const directory = createDirectoryParts(config.actions, { audit: storage.actionAudit, translator, log: logger, ...(options.fetch ? { fetch: options.fetch } : {}) });
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
      ...(config.limits.ticketRateLimit ? { ticketLimit: coordination.limiter('tickets', config.limits.ticketRateLimit) } : {}),
      flows,
      config: config.dialogue,
      translator,
      logger,
      ...(llm ? { llm } : {}),
      ...(directory.actions ? { actions: directory.actions } : {}),
      labels,
      // The engine's work on a conversation's state (turns, announcements, ticket news, technician
      // relay, guided-fix time-outs) under the cross-replica lock, keys `engine:…` (apart from inOrder's).
      lock: coordination.lock,
    });

    // One turn at a time per conversation, across replicas when there are several.
    const inOrder = <T>(address: ConversationAddress, work: () => Promise<T>): Promise<T> =>
      coordination.lock.run(JSON.stringify([address.channel, address.conversationId, address.threadId ?? '']), work);

    // The relay needs the proactive router, which needs the channels, which need the hook: bound late.
    let technicians: TechnicianEvents = loggingTechnicianEvents(logger);
    // Audiences of restricted articles for users whose channel states no groups (Teams, Slack, a web sign-in without a groups claim).
    const metered = directory.connector
      ? withDirectoryGroups(meteredEngine(engine, metrics), new DirectoryGroups(directory.connector, {
          ttlMs: config.actions.groupsCacheMinutes * 60_000,
          // Local-mode Teams activities are unsigned: their user ids are claims, so they get no groups.
          trustedChannels: new Set(['slack', ...(config.channels.teams.credentials ? ['teams'] : [])]),
          log: logger,
        }))
      : meteredEngine(engine, metrics);
    const limit = config.limits.rateLimit;
    const channelEngine = limit
      ? rateLimitedEngine(metered, coordination.limiter('user', limit), {
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
      deliveries: storage.deliveries,
      reportError: (stage, err, context) => {
        storage.recordFault(err);
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
          ...(config.limits.addressRateLimit ? { addressLimiter: coordination.limiter('address', config.limits.addressRateLimit) } : {}),
          // One replica writes to its own streams directly (today's behaviour); several share a bus.
          proactiveLog: storage.proactive,
          ...(multiReplica ? { fanOut: coordination.bus } : {}),
          hub: { maxStreams: config.limits.sse.maxStreams, maxStreamsPerClient: config.limits.sse.maxPerClient },
        }),
      );
    }
    channels.push(
      createTeamsChannel(channelDeps('teams'), {
        config: config.channels.teams,
        references: storage.references,
        ...(options.teamsAuthSettings ? { authSettings: options.teamsAuthSettings } : {}),
        // The welcome knows no audiences yet (no roster lookup at install): public articles only.
        suggestions: (lang) => suggestedPrompts({ store, knowledge: runtime.service, lang }),
      }),
    );
    if (config.channels.slack) {
      channels.push(
        createSlackChannel(channelDeps('slack'), {
          config: config.channels.slack,
          prompts: (lang, user) => suggestedPrompts({ store, knowledge: runtime.service, lang, max: 4, ...(user.groups ? { audiences: user.groups } : {}), translator }),
          tickets: createTicketSelfService(tickets, outboxOwnership(outbox.store)),
        }),
      );
    }
    cleanups.push(async () => {
      for (const c of channels) await c.close?.();
    });

    const proactive = new ProactiveRouter(
      channels.map((c) => c.sender),
      metrics,
      logger,
      inOrder,
    );
    const humans = createHumanSide({ config, storage, engine, proactive, drafts, labels, tickets, outbox, translator, logger, track: (work) => inFlight.run(work) });
    handoff = humans.handoff;
    // Imports go through the same reload as a console edit: only changed chunks are re-embedded, and the
    // gate is re-fitted to imported knowledge in the background.
    const knowledgeSync = new KnowledgeSyncRunner(config.knowledgeSync, {
      kbDir: config.core.kbDir,
      reload: reloadEverywhere,
      logger,
      schedule: (intervalMs, run) =>
        scheduleSingleton({ jobs: coordination.jobs, lock: coordination.lock, name: 'knowledge-sync', intervalMs, runAtStart: true, work: run, onError: (err) => logger.error({ err: errorMessage(err) }, 'knowledge sync failed') }),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    calibrator = new DeskCalibrator({
      service: runtime.service,
      labels,
      dataDir,
      reload: reloadEverywhere,
      shared: storage.deskCalibrations,
      ...(runtime.embedder ? { provider: runtime.embedder.provider } : {}),
      log: logger.child({ part: 'calibration' }),
      track: (work) => inFlight.run(work),
    });
    const context: AppContext = { config, logger, storage, knowledge: sharedKnowledge, coordination, store, engine, outbox, drafts, metrics, proactive, knowledgeSync, labels, calibrator, ...(handoff ? { handoff } : {}) };
    if (options.technicians) technicians = options.technicians(context);
    else if (handoff) technicians = handoff;

    const deliver = async (p: ProactiveMessage | undefined): Promise<void> => {
      if (p) await proactive.send(p.address, p.message);
    };
    // The announcement is a turn of the conversation: in the same order as the user's turns (inOrder,
    // then the engine's own cross-replica lock inside ticketUpdate, as for a turn), so another
    // replica's turn in progress is never overwritten by a state read before it committed. Sent
    // after the locks are released.
    const announce = (update: Parameters<DialogueEngine['ticketUpdate']>[0]) =>
      inOrder({ channel: update.packet.channel, conversationId: update.packet.conversationId, ...(update.packet.threadId ? { threadId: update.packet.threadId } : {}) }, () => engine.ticketUpdate(update));
    // A failed delivery rejects, so the outbox keeps the outcome and replays it at the next start.
    outbox.onDelivered(({ item, ticket }) => inFlight.run(async () => deliver(await announce({ packet: item.packet, ticket }))));
    outbox.onDead(({ item }) => inFlight.run(async () => deliver(await announce({ packet: item.packet, failed: true }))));

    const routers = [...humans.routers, ...consoleRoutes({ ...context, tickets, translator, actionAudit: directory.audit, calibration: calibrator }), ...(options.routes?.(context) ?? [])];
    handler = createServerApp({ channels, routers, metrics, logger, readiness, trustProxy, onError: (err) => storage.recordFault(err), metricsToken: config.limits.metricsToken });
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
    // Once per interval across replicas: the replica that claims the tick sweeps for everyone.
    const stopSweeps = scheduleSingleton({
      jobs: coordination.jobs,
      lock: coordination.lock,
      name: 'sweep',
      intervalMs: config.channels.server.sweepIntervalMs,
      work: () => sweep(),
      onError: (err) => logger.error({ err: errorMessage(err) }, 'flow time-out sweep failed'),
    });
    cleanups.push(() => stopSweeps());

    let closing: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closing ??= (async () => {
        phase = 'draining';
        void stopSweeps();
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
