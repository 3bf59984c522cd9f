import type { MessageBus, Unsubscribe } from '../../engine/ports/coordination.js';
import type { RedisClient } from './client.js';

/**
 * Redis pub/sub. A connection in subscriber mode can do nothing else, so subscriptions use a
 * duplicate of the client, opened at the first subscribe. Fire-and-forget like Redis itself:
 * a replica that is disconnected when a message is published does not get it; node-redis
 * reconnects and subscribes again on its own, and each 'ready' after the first tells the
 * subscribers (`onResubscribed`) to read what they missed from storage.
 */
export class RedisMessageBus implements MessageBus {
  private subscriber?: Promise<RedisClient>;
  private readonly resubscribed = new Set<() => void>();
  private readonly prefix: string;

  constructor(
    private readonly client: RedisClient,
    prefix = 'helpdesk:',
  ) {
    this.prefix = `${prefix}bus:`;
  }

  async publish(topic: string, payload: string): Promise<void> {
    await this.client.publish(this.prefix + topic, payload);
  }

  async subscribe(topic: string, handler: (payload: string) => void, onResubscribed?: () => void): Promise<Unsubscribe> {
    const sub = await this.connectSubscriber();
    const channel = this.prefix + topic;
    const listener = (message: string): void => handler(message);
    const again = onResubscribed ? (): void => onResubscribed() : undefined;
    if (again) this.resubscribed.add(again);
    await sub.subscribe(channel, listener);
    return async () => {
      if (again) this.resubscribed.delete(again);
      await sub.unsubscribe(channel, listener);
    };
  }

  async close(): Promise<void> {
    const sub = await this.subscriber?.catch(() => undefined);
    this.subscriber = undefined;
    if (sub?.isOpen) await sub.quit();
  }

  private connectSubscriber(): Promise<RedisClient> {
    this.subscriber ??= (async () => {
      const sub = this.client.duplicate();
      sub.on('error', () => undefined);
      let first = true;
      sub.on('ready', () => {
        if (first) {
          first = false;
          return;
        }
        // node-redis re-subscribes every channel while the socket initialises, before 'ready'.
        for (const f of [...this.resubscribed]) f();
      });
      await sub.connect();
      return sub as RedisClient;
    })();
    return this.subscriber;
  }
}
