import { KeyedMutex } from '../../engine/dialogue/mutex.js';
import type { Coordination, JobClaims, MessageBus, RateLimitSpec, SharedRateLimiter, Unsubscribe } from '../../engine/ports/coordination.js';
import { TokenBuckets } from '../../server/rate-limit.js';

/**
 * One replica: everything in this process's memory (today's behaviour, the default with SQLite).
 * Instances made from the same `InProcessState` share it, which is how the contract suite runs
 * "several replicas" against this backend.
 */
export class InProcessState {
  readonly mutex = new KeyedMutex();
  readonly topics = new Map<string, Set<(payload: string) => void>>();
  readonly buckets = new Map<string, TokenBuckets>();
  readonly ticks = new Map<string, number>();
}

class InProcessBus implements MessageBus {
  constructor(private readonly state: InProcessState) {}

  async publish(topic: string, payload: string): Promise<void> {
    for (const handler of [...(this.state.topics.get(topic) ?? [])]) {
      // Delivered on the next turn of the event loop, like a network bus: a handler never runs inside publish().
      queueMicrotask(() => handler(payload));
    }
  }

  async subscribe(topic: string, handler: (payload: string) => void): Promise<Unsubscribe> {
    let set = this.state.topics.get(topic);
    if (!set) this.state.topics.set(topic, (set = new Set()));
    const mine = (payload: string): void => handler(payload);
    set.add(mine);
    return async () => {
      set.delete(mine);
    };
  }
}

class InProcessJobs implements JobClaims {
  constructor(private readonly state: InProcessState) {}

  async claim(job: string, tick: number): Promise<boolean> {
    const last = this.state.ticks.get(job);
    if (last !== undefined && last >= tick) return false;
    this.state.ticks.set(job, tick);
    return true;
  }
}

export function inProcessCoordination(state = new InProcessState()): Coordination {
  return {
    backend: 'in-process',
    lock: { run: (key, work) => state.mutex.run(key, work) },
    bus: new InProcessBus(state),
    limiter(name: string, spec: RateLimitSpec): SharedRateLimiter {
      const id = JSON.stringify([name, spec.burst, spec.perMinute]);
      let buckets = state.buckets.get(id);
      if (!buckets) state.buckets.set(id, (buckets = new TokenBuckets(spec)));
      const shared = buckets;
      return { take: async (key) => shared.take(key) };
    },
    jobs: new InProcessJobs(state),
    async close() {},
  };
}
