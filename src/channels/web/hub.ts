import type { Response } from 'express';
import type { ProactiveLog, ProactiveLogEntry } from '../../engine/ports/proactive-log.js';

/**
 * Proactive delivery to open web chat pages with Server-Sent Events. Every page showing a
 * conversation holds one `GET /api/chat/events` stream, on whichever replica it reached.
 *
 * What the bot says on its own is stored first (ProactiveLog, shared by every replica), then the
 * replicas are woken (`wake`, over the bus with several). A woken hub reads, for each stream it
 * holds, the stored messages after the last one that stream was sent: the event id is the stored
 * id, so a page that reconnects (here or elsewhere) sends it back as `Last-Event-ID` and gets
 * exactly what came after; a fresh page gets the newest few and drops the ones it already shows.
 * A missed wake-up (the bus was down) costs latency, not the message: `catchUp` (after the bus
 * comes back, and on a slow timer) reads what the held streams have not been sent.
 */

export interface HubOptions {
  /** Messages a fresh page (no Last-Event-ID) is sent: the newest this many. */
  maxRecent?: number;
  /** Comment line sent this often so proxies keep idle streams open. */
  heartbeatMs?: number;
  /** How often the held streams are checked for stored messages no wake-up announced (0: never). */
  catchUpMs?: number;
  /** Open streams at most, in total and per client (address): each holds a socket and memory. */
  maxStreams?: number;
  maxStreamsPerClient?: number;
  onError?: (err: unknown) => void;
}

interface Stream {
  res: Response;
  /** Id of the last stored message written to this stream (0: none yet). */
  cursor: number;
  /** No Last-Event-ID: starts from the newest few rather than from the beginning. */
  fresh: boolean;
}

/** Rows read per query while a stream catches up. */
const PAGE = 100;

export class WebHub {
  private readonly streams = new Map<string, Set<Stream>>();
  /** Per conversation: the read in progress, and whether another was asked for meanwhile. */
  private readonly pumps = new Map<string, { again: boolean; done: Promise<void> }>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly poll?: NodeJS.Timeout;
  private readonly maxRecent: number;
  private readonly maxStreams: number;
  private readonly maxStreamsPerClient: number;
  private readonly onError: (err: unknown) => void;
  private open = 0;
  private readonly perClient = new Map<string, number>();

  constructor(
    private readonly log: ProactiveLog,
    options: HubOptions = {},
  ) {
    this.maxStreams = options.maxStreams ?? 1000;
    this.maxStreamsPerClient = options.maxStreamsPerClient ?? 10;
    this.maxRecent = options.maxRecent ?? 50;
    this.onError = options.onError ?? (() => undefined);
    this.heartbeat = setInterval(() => this.ping(), options.heartbeatMs ?? 20_000);
    this.heartbeat.unref();
    const catchUpMs = options.catchUpMs ?? 30_000;
    if (catchUpMs > 0) {
      this.poll = setInterval(() => void this.catchUp(), catchUpMs);
      this.poll.unref();
    }
  }

  /**
   * Opens an event stream on `res` and sends what the page may have missed; false (and a 429)
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
    // Ids are stored ids; anything else (an id from before they were, garbage) counts as a fresh page.
    const resumeAt = lastEventId && /^[1-9][0-9]{0,15}$/.test(lastEventId) ? Number(lastEventId) : undefined;
    const stream: Stream = { res, cursor: resumeAt ?? 0, fresh: resumeAt === undefined };
    let set = this.streams.get(conversationId);
    if (!set) this.streams.set(conversationId, (set = new Set()));
    set.add(stream);
    res.on('close', () => {
      set.delete(stream);
      if (set.size === 0 && this.streams.get(conversationId) === set) this.streams.delete(conversationId);
    });
    this.wake(conversationId);
    return true;
  }

  /** Something was stored for the conversation: the streams held here are sent what they lack. */
  wake(conversationId: string): Promise<void> {
    if (!this.streams.has(conversationId)) return Promise.resolve();
    const running = this.pumps.get(conversationId);
    if (running) {
      // One read at a time per conversation (two would send the same id twice); the one running
      // reads again when it ends, so what was stored meanwhile is not left behind.
      running.again = true;
      return running.done;
    }
    const pump = { again: false, done: Promise.resolve() };
    pump.done = (async () => {
      try {
        do {
          pump.again = false;
          await this.drain(conversationId);
        } while (pump.again);
      } catch (err) {
        this.onError(err);
      } finally {
        this.pumps.delete(conversationId);
      }
    })();
    this.pumps.set(conversationId, pump);
    return pump.done;
  }

  /**
   * Checks every conversation with a stream here for stored messages not yet sent (the bus came
   * back after an outage, or the slow timer): one query for all of them, then a read for each that
   * has something new.
   */
  async catchUp(): Promise<void> {
    const held = [...this.streams.keys()];
    if (held.length === 0) return;
    try {
      const newest = await this.log.newestIds(held);
      const behind = held.filter((id) => {
        const top = newest.get(id);
        return top !== undefined && [...(this.streams.get(id) ?? [])].some((s) => s.fresh || s.cursor < top);
      });
      await Promise.all(behind.map((id) => this.wake(id)));
    } catch (err) {
      this.onError(err);
    }
  }

  /**
   * Writes a transient event (a piece of a streamed answer) to the conversation's open pages only:
   * it is never stored, since the complete message follows and is what a page keeps.
   * Returns the number of pages written to.
   */
  stream(conversationId: string, event: string, data: unknown): number {
    const set = this.streams.get(conversationId);
    if (!set) return 0;
    for (const s of set) s.res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    return set.size;
  }

  /** Open streams of a conversation on this replica (metrics, tests). */
  holds(conversationId: string): number {
    return this.streams.get(conversationId)?.size ?? 0;
  }

  /** Ends every stream (shutdown): pages reconnect on their own to the next server. */
  close(): void {
    clearInterval(this.heartbeat);
    clearInterval(this.poll);
    for (const set of this.streams.values()) for (const s of set) s.res.end();
    this.streams.clear();
  }

  private async drain(conversationId: string): Promise<void> {
    const set = this.streams.get(conversationId);
    if (!set) return;
    for (const s of [...set]) {
      if (!s.fresh) continue;
      // A fresh page: the newest few; what is older is in its transcript or was shown already.
      const latest = await this.log.latest(conversationId, this.maxRecent);
      s.fresh = false;
      this.send(s, latest);
    }
    for (;;) {
      const live = [...set].filter((s) => !s.res.writableEnded);
      if (live.length === 0) return;
      const from = Math.min(...live.map((s) => s.cursor));
      const rows = await this.log.after(conversationId, from, PAGE);
      for (const s of live) this.send(s, rows);
      if (rows.length < PAGE) return;
    }
  }

  /** Writes the rows this stream has not been sent, in id order: each id once per stream. */
  private send(stream: Stream, rows: readonly ProactiveLogEntry[]): void {
    for (const row of rows) {
      if (row.id <= stream.cursor) continue;
      stream.res.write(`id: ${row.id}\nevent: message\ndata: ${row.payload}\n\n`);
      stream.cursor = row.id;
    }
  }

  private ping(): void {
    for (const set of this.streams.values()) for (const s of set) s.res.write(': ping\n\n');
  }
}
