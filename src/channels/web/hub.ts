import type { Response } from 'express';
import type { WebMessage } from './view-model.js';

/**
 * Proactive delivery to open web chat pages with Server-Sent Events. Every page showing a
 * conversation holds one `GET /api/chat/events` stream. A write to a stream does not prove the
 * page got it (a closed tab is noticed only later), so each conversation keeps its recent
 * proactive messages and replays them whenever a page connects: after the `Last-Event-ID` the
 * browser sends when it reconnects, or all of them for a fresh page, which drops the ids it has
 * already shown. The ticket number is not lost between two page views.
 */

export interface HubOptions {
  /** Proactive messages kept per conversation for replay. */
  maxRecent?: number;
  /** Conversations whose recent messages are kept at most. */
  maxConversations?: number;
  /** How long a message is kept for replay. */
  recentTtlMs?: number;
  /** Comment line sent this often so proxies keep idle streams open. */
  heartbeatMs?: number;
  /** Open streams at most, in total and per client (address): each holds a socket and memory. */
  maxStreams?: number;
  maxStreamsPerClient?: number;
  now?: () => number;
}

interface Recent {
  messages: WebMessage[];
  expires: number;
}

export class WebHub {
  private readonly streams = new Map<string, Set<Response>>();
  private readonly recent = new Map<string, Recent>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly maxRecent: number;
  private readonly maxConversations: number;
  private readonly recentTtlMs: number;
  private readonly now: () => number;
  private readonly maxStreams: number;
  private readonly maxStreamsPerClient: number;
  private open = 0;
  private readonly perClient = new Map<string, number>();

  constructor(options: HubOptions = {}) {
    this.maxStreams = options.maxStreams ?? 1000;
    this.maxStreamsPerClient = options.maxStreamsPerClient ?? 10;
    this.maxRecent = options.maxRecent ?? 50;
    this.maxConversations = options.maxConversations ?? 5_000;
    this.recentTtlMs = options.recentTtlMs ?? 24 * 60 * 60 * 1000;
    this.now = options.now ?? Date.now;
    this.heartbeat = setInterval(() => this.ping(), options.heartbeatMs ?? 20_000);
    this.heartbeat.unref();
  }

  /**
   * Opens an event stream on `res` and replays what the page may have missed; false (and a 429)
   * when the total or this client's number of open streams is at its cap.
   */
  subscribe(conversationId: string, res: Response, lastEventId?: string, client = 'unknown'): boolean {
    const mine = this.perClient.get(client) ?? 0;
    if (this.open >= this.maxStreams || mine >= this.maxStreamsPerClient) {
      res.status(429).set('Retry-After', '30').json({ error: 'too_many_streams', message: 'Too many open event streams; close other chat tabs or try again later.' });
      return false;
    }
    this.open++;
    this.perClient.set(client, mine + 1);
    res.once('close', () => {
      this.open--;
      const left = (this.perClient.get(client) ?? 1) - 1;
      if (left > 0) this.perClient.set(client, left);
      else this.perClient.delete(client);
    });
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      // Tells nginx-style proxies not to buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write('retry: 3000\n\n');
    let set = this.streams.get(conversationId);
    if (!set) this.streams.set(conversationId, (set = new Set()));
    set.add(res);
    res.on('close', () => {
      set.delete(res);
      if (set.size === 0 && this.streams.get(conversationId) === set) this.streams.delete(conversationId);
    });
    const recent = this.recent.get(conversationId);
    if (!recent || recent.expires <= this.now()) return true;
    const seen = lastEventId ? recent.messages.findIndex((m) => m.id === lastEventId) : -1;
    for (const m of recent.messages.slice(seen + 1)) write(res, m);
    return true;
  }

  /**
   * Writes to every open page of the conversation and keeps the message for replay. A message sent
   * again with the same id (an announcement replayed after a crash) is not written twice.
   */
  publish(conversationId: string, message: WebMessage): 'delivered' | 'kept' | 'duplicate' {
    const recent = this.recent.get(conversationId);
    if (recent && recent.expires > this.now() && recent.messages.some((m) => m.id === message.id)) return 'duplicate';
    this.keep(conversationId, message);
    const set = this.streams.get(conversationId);
    if (!set || set.size === 0) return 'kept';
    for (const res of set) write(res, message);
    return 'delivered';
  }

  /**
   * Writes a transient event (a piece of a streamed answer) to the conversation's open pages only:
   * it is never kept for replay, since the complete message follows and is what a page keeps.
   * Returns the number of pages written to.
   */
  stream(conversationId: string, event: string, data: unknown): number {
    const set = this.streams.get(conversationId);
    if (!set) return 0;
    for (const res of set) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    return set.size;
  }

  /** Ends every stream (shutdown): pages reconnect on their own to the next server. */
  close(): void {
    clearInterval(this.heartbeat);
    for (const set of this.streams.values()) for (const res of set) res.end();
    this.streams.clear();
  }

  private keep(conversationId: string, message: WebMessage): void {
    const now = this.now();
    for (const [id, r] of this.recent) if (r.expires <= now) this.recent.delete(id);
    const recent = this.recent.get(conversationId) ?? { messages: [], expires: 0 };
    recent.messages.push(message);
    recent.messages.splice(0, Math.max(0, recent.messages.length - this.maxRecent));
    recent.expires = now + this.recentTtlMs;
    // Re-inserted so the map stays ordered by last use and the oldest conversation goes first.
    this.recent.delete(conversationId);
    this.recent.set(conversationId, recent);
    while (this.recent.size > this.maxConversations) {
      const oldest = this.recent.keys().next().value;
      if (oldest === undefined) break;
      this.recent.delete(oldest);
    }
  }

  private ping(): void {
    for (const set of this.streams.values()) for (const res of set) res.write(': ping\n\n');
  }
}

function write(res: Response, message: WebMessage): void {
  res.write(`id: ${message.id}\nevent: message\ndata: ${JSON.stringify(message)}\n\n`);
}
