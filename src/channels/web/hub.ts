import type { Response } from 'express';
import type { WebMessage } from './view-model.js';

/**
 * Proactive delivery to open web chat pages with Server-Sent Events. Every page showing a
 * conversation holds one `GET /api/chat/events` stream; a message for a conversation with no open
 * page waits in a small per-conversation queue and is flushed when a page connects (a reload, a
 * laptop waking up), so the ticket number is not lost between two page views.
 */

export interface HubOptions {
  /** Messages kept per conversation while no page is connected. */
  maxQueued?: number;
  /** Conversations with queued messages kept at most. */
  maxConversations?: number;
  /** How long queued messages wait for a page. */
  queueTtlMs?: number;
  /** Comment line sent this often so proxies keep idle streams open. */
  heartbeatMs?: number;
  now?: () => number;
}

interface Queue {
  messages: WebMessage[];
  expires: number;
}

export class WebHub {
  private readonly streams = new Map<string, Set<Response>>();
  private readonly queues = new Map<string, Queue>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly maxQueued: number;
  private readonly maxConversations: number;
  private readonly queueTtlMs: number;
  private readonly now: () => number;

  constructor(options: HubOptions = {}) {
    this.maxQueued = options.maxQueued ?? 50;
    this.maxConversations = options.maxConversations ?? 5_000;
    this.queueTtlMs = options.queueTtlMs ?? 24 * 60 * 60 * 1000;
    this.now = options.now ?? Date.now;
    this.heartbeat = setInterval(() => this.ping(), options.heartbeatMs ?? 20_000);
    this.heartbeat.unref();
  }

  /** Opens an event stream on `res` for a conversation and flushes what was waiting for it. */
  subscribe(conversationId: string, res: Response): void {
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
    const queue = this.queues.get(conversationId);
    this.queues.delete(conversationId);
    if (queue && queue.expires > this.now()) for (const m of queue.messages) write(res, m);
  }

  /** Delivers to every open page of the conversation; queues when none is open. */
  publish(conversationId: string, message: WebMessage): 'delivered' | 'queued' {
    const set = this.streams.get(conversationId);
    if (set && set.size > 0) {
      for (const res of set) write(res, message);
      return 'delivered';
    }
    this.prune();
    const queue = this.queues.get(conversationId) ?? { messages: [], expires: 0 };
    queue.messages.push(message);
    queue.messages.splice(0, Math.max(0, queue.messages.length - this.maxQueued));
    queue.expires = this.now() + this.queueTtlMs;
    this.queues.delete(conversationId);
    this.queues.set(conversationId, queue);
    while (this.queues.size > this.maxConversations) {
      const oldest = this.queues.keys().next().value;
      if (oldest === undefined) break;
      this.queues.delete(oldest);
    }
    return 'queued';
  }

  get openStreams(): number {
    let n = 0;
    for (const set of this.streams.values()) n += set.size;
    return n;
  }

  /** Ends every stream (shutdown): pages reconnect on their own to the next server. */
  close(): void {
    clearInterval(this.heartbeat);
    for (const set of this.streams.values()) for (const res of set) res.end();
    this.streams.clear();
  }

  private ping(): void {
    for (const set of this.streams.values()) for (const res of set) res.write(': ping\n\n');
  }

  private prune(): void {
    const now = this.now();
    for (const [id, q] of this.queues) if (q.expires <= now) this.queues.delete(id);
  }
}

function write(res: Response, message: WebMessage): void {
  res.write(`id: ${message.id}\nevent: message\ndata: ${JSON.stringify(message)}\n\n`);
}
