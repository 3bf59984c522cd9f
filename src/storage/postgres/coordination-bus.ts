import type { Pool, PoolClient } from 'pg';
import type { MessageBus, Unsubscribe } from '../../engine/ports/coordination.js';

/** NOTIFY payloads must stay under 8000 bytes; bigger messages go through a table, the notification carries their id. */
const MAX_INLINE_BYTES = 7_000;
/** Rows of big messages are kept this long (every listener reads them as soon as it is notified). */
const KEEP_BIG_MS = 10 * 60_000;
const RECONNECT_MS = 1_000;

type Envelope = { t: string; p: string } | { t: string; r: string };

export interface PgBusOptions {
  /** The NOTIFY channel (per database). */
  channel?: string;
  onError?: (err: Error) => void;
}

/**
 * LISTEN/NOTIFY: one listening connection per replica, held out of the pool for the replica's
 * life, and re-established after a failure. Messages sent while a replica is disconnected are not
 * replayed to it (at-most-once, as the port says); subscribers are told when LISTEN is live again
 * (`onResubscribed`) so they can read what they missed from storage.
 */
export class PgMessageBus implements MessageBus {
  private readonly channel: string;
  private readonly handlers = new Map<string, Set<(payload: string) => void>>();
  private readonly resubscribed = new Set<() => void>();
  private listener?: PoolClient;
  private connecting?: Promise<void>;
  private closed = false;
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly pool: Pool,
    private readonly options: PgBusOptions = {},
  ) {
    this.channel = options.channel ?? 'helpdesk_bus';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.channel)) throw new Error(`invalid NOTIFY channel name "${this.channel}"`);
  }

  async publish(topic: string, payload: string): Promise<void> {
    let message = JSON.stringify({ t: topic, p: payload } satisfies Envelope);
    if (Buffer.byteLength(message) > MAX_INLINE_BYTES) {
      const { rows } = await this.pool.query<{ id: string }>(
        `WITH gone AS (DELETE FROM coordination_bus WHERE at < now() - make_interval(secs => $3))
         INSERT INTO coordination_bus (topic, payload) VALUES ($1, $2) RETURNING id`,
        [topic, payload, KEEP_BIG_MS / 1000],
      );
      message = JSON.stringify({ t: topic, r: rows[0]!.id } satisfies Envelope);
    }
    await this.pool.query('SELECT pg_notify($1, $2)', [this.channel, message]);
  }

  async subscribe(topic: string, handler: (payload: string) => void, onResubscribed?: () => void): Promise<Unsubscribe> {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Set()));
    const mine = (payload: string): void => handler(payload);
    set.add(mine);
    const again = onResubscribed ? (): void => onResubscribed() : undefined;
    if (again) this.resubscribed.add(again);
    await this.connect();
    return async () => {
      set.delete(mine);
      if (again) this.resubscribed.delete(again);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.connecting?.catch(() => undefined);
    const listener = this.listener;
    this.listener = undefined;
    if (listener) {
      await listener.query(`UNLISTEN ${this.channel}`).catch(() => undefined);
      listener.release();
    }
  }

  private connect(): Promise<void> {
    if (this.listener || this.closed) return Promise.resolve();
    this.connecting ??= (async () => {
      const client = await this.pool.connect();
      client.on('notification', (n) => {
        if (n.channel === this.channel && n.payload !== undefined) void this.dispatch(n.payload);
      });
      client.on('error', (err) => this.lost(client, err));
      try {
        await client.query(`LISTEN ${this.channel}`);
      } catch (err) {
        client.release(err instanceof Error ? err : new Error(String(err)));
        throw err;
      }
      this.listener = client;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private lost(client: PoolClient, err: Error): void {
    if (this.listener !== client) return;
    this.listener = undefined;
    client.release(err);
    this.options.onError?.(err);
    if (this.closed) return;
    const again = (): void => {
      this.retry = setTimeout(() => {
        this.connect().then(() => {
          // LISTEN is live again: subscribers read from storage what was published while it was not.
          if (this.listener) for (const f of [...this.resubscribed]) f();
        }, (e: unknown) => {
          this.options.onError?.(e instanceof Error ? e : new Error(String(e)));
          again();
        });
      }, RECONNECT_MS);
      this.retry.unref();
    };
    again();
  }

  private async dispatch(raw: string): Promise<void> {
    try {
      const envelope = JSON.parse(raw) as Envelope;
      const set = this.handlers.get(envelope.t);
      if (!set || set.size === 0) return;
      let payload: string;
      if ('p' in envelope) payload = envelope.p;
      else {
        const { rows } = await this.pool.query<{ payload: string }>('SELECT payload FROM coordination_bus WHERE id = $1', [envelope.r]);
        if (!rows[0]) return;
        payload = rows[0].payload;
      }
      for (const h of [...set]) h(payload);
    } catch (err) {
      this.options.onError?.(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
