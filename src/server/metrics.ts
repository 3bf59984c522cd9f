import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Engine, InboundEvent, OutboundMessage } from '../engine/contract.js';
import type { DecideOptions, GateDecision, KnowledgeService } from '../engine/ports/knowledge.js';
import type { EscalationSink } from '../engine/ports/escalation.js';
import type { EscalationPacket } from '../engine/escalation/packet.js';

/**
 * Prometheus metrics (GET /metrics). One registry per server, so tests and a second server in
 * the same process do not share counters. Engine, knowledge and escalation sink are wrapped
 * here rather than instrumented inside the engine, which must not depend on prom-client.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly turns: Counter<'channel' | 'kind'>;
  readonly turnErrors: Counter<'channel'>;
  readonly turnDuration: Histogram<'channel'>;
  readonly inFlight: Gauge;
  readonly decisions: Counter<'kind'>;
  readonly escalations: Counter<'reason' | 'priority'>;
  readonly channelErrors: Counter<'channel' | 'stage'>;
  readonly proactive: Counter<'channel' | 'outcome'>;
  readonly rateLimited: Counter<'channel'>;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.turns = new Counter({
      name: 'helpdesk_turns_total',
      help: 'Inbound turns handled by the engine, by channel and kind (text or action).',
      labelNames: ['channel', 'kind'],
      registers,
    });
    this.turnErrors = new Counter({
      name: 'helpdesk_turn_errors_total',
      help: 'Turns the engine could not handle (rejected or failed).',
      labelNames: ['channel'],
      registers,
    });
    this.turnDuration = new Histogram({
      name: 'helpdesk_turn_duration_seconds',
      help: 'Time the engine took to handle a turn, by channel.',
      labelNames: ['channel'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.inFlight = new Gauge({
      name: 'helpdesk_turns_in_flight',
      help: 'Channel work in progress (turns and the posting of their replies).',
      registers,
    });
    this.decisions = new Counter({
      name: 'helpdesk_decisions_total',
      help: 'Answer/clarify/escalate decisions taken by the retrieval gate.',
      labelNames: ['kind'],
      registers,
    });
    this.escalations = new Counter({
      name: 'helpdesk_escalations_total',
      help: 'Escalations handed to the ticket outbox, by reason and priority.',
      labelNames: ['reason', 'priority'],
      registers,
    });
    this.channelErrors = new Counter({
      name: 'helpdesk_channel_errors_total',
      help: 'Failures in channel adapters, by channel and stage (turn, post, update, lookup, …).',
      labelNames: ['channel', 'stage'],
      registers,
    });
    this.proactive = new Counter({
      name: 'helpdesk_proactive_messages_total',
      help: 'Messages the bot sent first (ticket numbers, flow time-outs, relays), by outcome.',
      labelNames: ['channel', 'outcome'],
      registers,
    });
    this.rateLimited = new Counter({
      name: 'helpdesk_rate_limited_total',
      help: 'Messages refused because their user was over the per-user rate limit (RATE_LIMIT_*).',
      labelNames: ['channel'],
      registers,
    });
  }

  contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** The engine with turn counts, errors and latency recorded. */
export function meteredEngine(engine: Engine, metrics: Metrics): Engine {
  return {
    async handle(event: InboundEvent): Promise<OutboundMessage[]> {
      const channel = event.address?.channel ?? 'unknown';
      metrics.turns.inc({ channel, kind: event.action !== undefined ? 'action' : 'text' });
      const stop = metrics.turnDuration.startTimer({ channel });
      try {
        return await engine.handle(event);
      } catch (err) {
        metrics.turnErrors.inc({ channel });
        throw err;
      } finally {
        stop();
      }
    },
  };
}

/** The knowledge service with every gate decision counted by kind. */
export function meteredKnowledge<K extends KnowledgeService>(service: K, metrics: Metrics): K {
  // A proxy keeps the rest of the service (status, reload…) intact for whoever holds the wrapper.
  return new Proxy(service, {
    get(target, prop, receiver) {
      if (prop === 'decide') {
        return async (query: string, options?: DecideOptions): Promise<GateDecision> => {
          const decision = await target.decide(query, options);
          metrics.decisions.inc({ kind: decision.kind });
          return decision;
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The escalation sink with escalations counted once they are durably queued. */
export function meteredEscalations(sink: EscalationSink, metrics: Metrics): EscalationSink {
  return {
    async submit(packet: EscalationPacket): Promise<void> {
      await sink.submit(packet);
      metrics.escalations.inc({ reason: packet.reason, priority: packet.priority });
    },
  };
}
