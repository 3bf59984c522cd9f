import type { Router } from 'express';
import type { AppConfig } from '../config/index.js';
import type { ConversationAddress } from '../engine/contract.js';
import type { DialogueEngine } from '../engine/dialogue/index.js';
import { HandoffRelay } from '../engine/handoff/relay.js';
import type { DraftStore } from '../engine/ports/drafts.js';
import type { LabelledExampleStore } from '../engine/ports/labelled-examples.js';
import type { TicketProvider } from '../engine/ports/tickets.js';
import { TicketNews } from '../engine/tickets/news.js';
import type { Translator } from '../engine/i18n.js';
import type { Logger } from '../log.js';
import { ticketEventsRouter, type TicketEvent } from '../server/ticket-events.js';
import type { StorageBundle } from '../storage/bundle.js';
import { LocalTicketProvider } from '../tickets/local.js';
import { LocalTicketFeed } from '../tickets/local-feed.js';
import type { TicketOutbox } from '../tickets/outbox.js';
import type { ProactiveRouter } from './proactive.js';

/**
 * The human side of escalation, wired from configuration: the live handoff relay (when a
 * technicians' channel is set), ticket news (the local provider's change feed, and the signed
 * inbound endpoint when TICKET_EVENTS_SECRET is set) and draft articles from resolved tickets.
 */
export interface HumanSideDeps {
  config: AppConfig;
  storage: Pick<StorageBundle, 'handoffs' | 'ticketNews'>;
  engine: DialogueEngine;
  proactive: ProactiveRouter;
  drafts: DraftStore;
  labels?: LabelledExampleStore;
  tickets: TicketProvider;
  outbox: TicketOutbox;
  translator: Translator;
  logger: Logger;
  /** Background work the graceful shutdown waits for. */
  track: <T>(work: () => Promise<T>) => Promise<T>;
}

export interface HumanSide {
  /** Undefined when no technicians' channel is configured. */
  handoff?: HandoffRelay;
  news: TicketNews;
  routers: Router[];
  /** Starts following the local ticket history. */
  start(): void;
  /** The watchdog and a feed pass, on the engine's sweep timer; resolves with the reminders sent. */
  sweep(now?: Date): Promise<number>;
  stop(): void;
}

/** The technicians' channel for a user: the one on the user's own platform if set, else Teams, else Slack. */
export function techniciansChannels(config: AppConfig): (user: ConversationAddress) => ConversationAddress | undefined {
  const teams = config.channels.teams.techniciansChannelId;
  const slack = config.channels.slack?.techniciansChannel;
  const all: ConversationAddress[] = [
    ...(teams ? [{ channel: 'teams', conversationId: teams }] : []),
    ...(slack ? [{ channel: 'slack', conversationId: slack }] : []),
  ];
  return (user) => all.find((a) => a.channel === user.channel) ?? all[0];
}

export function createHumanSide(deps: HumanSideDeps): HumanSide {
  const { config, storage, engine, proactive, drafts, labels, tickets, outbox, translator, logger, track } = deps;
  const techniciansFor = techniciansChannels(config);
  const handoff = techniciansFor({ channel: '', conversationId: '' })
    ? new HandoffRelay({
        engine,
        store: storage.handoffs,
        sender: proactive,
        translator,
        settings: config.channels.handoff,
        techniciansFor,
        track,
        logger: logger.child({ part: 'handoff' }),
      })
    : undefined;

  const newsStore = storage.ticketNews;
  const news = new TicketNews({ engine, sender: proactive, store: newsStore, drafts, ...(labels ? { labels } : {}), logger: logger.child({ part: 'ticket-news' }) });
  const local = tickets instanceof LocalTicketProvider ? tickets.store : undefined;
  const feed = local ? new LocalTicketFeed(local, news, newsStore, logger) : undefined;

  const escalationOf = async (event: TicketEvent) => {
    if (event.provider === 'local') {
      const t = await local?.get(event.number ?? event.id ?? '');
      return t && { packet: t.packet, ticket: { provider: 'local', id: String(t.id), number: t.number } };
    }
    const [item] = await outbox.store.findByTicket({ number: event.number, id: event.id, provider: event.provider });
    return item?.ticket && { packet: item.packet, ticket: item.ticket };
  };
  const events = config.tickets.events;
  const routers = events ? [ticketEventsRouter({ ...events, news, escalationOf, logger })] : [];

  // The ticket number, once known, goes into the card's thread.
  if (handoff) outbox.onDelivered(({ item, ticket }) => track(() => handoff.ticketOpened(item.packet.id, ticket)));

  let unsubscribe: (() => void) | undefined;
  return {
    ...(handoff ? { handoff } : {}),
    news,
    routers,
    start() {
      unsubscribe ??= feed?.start(track);
    },
    async sweep(now?: Date) {
      await feed?.poll();
      return handoff ? handoff.sweep(now) : 0;
    },
    stop() {
      unsubscribe?.();
      unsubscribe = undefined;
    },
  };
}
