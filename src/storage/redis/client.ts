import { createClient } from 'redis';

/** A connected node-redis client (REDIS_URL). */
export type RedisClient = ReturnType<typeof createClient>;

export async function connectRedis(url: string, onError?: (err: Error) => void): Promise<RedisClient> {
  const client = createClient({ url });
  // Without a listener an 'error' event would crash the process; node-redis reconnects on its own.
  client.on('error', (err: unknown) => onError?.(err instanceof Error ? err : new Error(String(err))));
  await client.connect();
  return client;
}
