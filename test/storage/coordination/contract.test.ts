import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { busChangeSignal, scheduleSingleton } from '../../../src/app/coordination.js';
import { BACKENDS, type BackendCluster } from '../../helpers/coordination-backends.js';

/**
 * The coordination contract, run against every backend with several "replicas" (separate pools or
 * clients on one server): mutual exclusion per key, a dead holder's lock freed, broadcast to every
 * subscriber, one rate limit across replicas, one claim per job tick.
 */

function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

for (const backend of BACKENDS) {
  describe(`coordination contract: ${backend.name}`, () => {
    let cluster: BackendCluster;
    beforeEach(async () => {
      cluster = await backend.cluster();
    });
    afterEach(async () => {
      await cluster.dispose();
    });

    it('runs one piece of work at a time per key across replicas, and different keys side by side', async () => {
      const [a, b] = [await cluster.replica(), await cluster.replica()];
      let inside = 0;
      let most = 0;
      let counter = 0;
      const step = async (): Promise<void> => {
        inside++;
        most = Math.max(most, inside);
        const read = counter;
        // Long enough that two holders would overlap if the lock let them (proved by mutating the backends).
        await new Promise((r) => setTimeout(r, 15));
        counter = read + 1;
        inside--;
      };
      await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).coordination.lock.run('conv-1', step)));
      expect(most).toBe(1);
      expect(counter).toBe(8);

      // A held key does not block another key on another replica.
      const held = gate();
      const holding = a.coordination.lock.run('conv-2', () => held.promise);
      await expect(b.coordination.lock.run('conv-3', async () => 'other key')).resolves.toBe('other key');
      held.open();
      await holding;
    });

    it('returns the work\'s result and releases the key when the work throws', async () => {
      const a = await cluster.replica();
      const b = await cluster.replica();
      await expect(a.coordination.lock.run('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      await expect(b.coordination.lock.run('k', async () => 42)).resolves.toBe(42);
    });

    // The engine's `engine:<conversation>` key is taken inside the channel's turn lock.
    it('runs work nested under another key: the nested key is exclusive across replicas, and more nested runs at once than a replica has connections all finish', async () => {
      const [a, b] = [await cluster.replica(), await cluster.replica()];
      const held = gate();
      const inside = gate();
      const order: string[] = [];
      const nested = a.coordination.lock.run('turn-1', () =>
        a.coordination.lock.run('engine-1', async () => {
          inside.open();
          await held.promise;
          order.push('A nested');
        }),
      );
      await inside.promise;
      const other = b.coordination.lock.run('engine-1', async () => void order.push('B'));
      // Time for a lock that failed to exclude to let B in.
      await new Promise((r) => setTimeout(r, 200));
      held.open();
      await Promise.all([nested, other]);
      expect(order).toEqual(['A nested', 'B']);

      // Twelve turns at once on one replica (its PostgreSQL pool has 5 connections), each taking a second key inside.
      let done = 0;
      const many = Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          a.coordination.lock.run(`turn-${i}`, () => a.coordination.lock.run(`engine-${i}`, async () => {
            await new Promise((r) => setTimeout(r, 20));
            done++;
          })),
        ),
      );
      const finished = await Promise.race([many.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
      expect(finished, `${done} of 12 nested runs finished in 10 s`).toBe(true);
    });

    it('a run started in the background inside another keeps its key after the outer run ends, and only its key', async () => {
      const [a, b] = [await cluster.replica(), await cluster.replica()];
      const held = gate();
      let background: Promise<void> | undefined;
      await a.coordination.lock.run('turn-bg', async () => {
        const started = gate();
        background = a.coordination.lock.run('card-bg', async () => {
          started.open();
          await held.promise;
        });
        await started.promise;
      });
      // The outer key is free at once; the background run's key is held until it finishes.
      await expect(b.coordination.lock.run('turn-bg', async () => 'free')).resolves.toBe('free');
      let got = false;
      const waiting = b.coordination.lock.run('card-bg', async () => void (got = true));
      await new Promise((r) => setTimeout(r, 200));
      expect(got).toBe(false);
      held.open();
      await background;
      await waiting;
      expect(got).toBe(true);
      // And a run started from that context after the outer one ended takes its own lock.
      await expect(a.coordination.lock.run('card-bg', async () => 'again')).resolves.toBe('again');
    });

    it.runIf(backend.canKill)('frees the lock of a replica that dies while holding it', async () => {
      const a = await cluster.replica();
      const b = await cluster.replica();
      const held = gate();
      const acquired = gate();
      const holding = a.coordination.lock.run('conv-dead', async () => {
        acquired.open();
        await held.promise;
      }).catch(() => 'holder lost its connection');
      await acquired.promise;
      let killed = false;
      const waiting = b.coordination.lock.run('conv-dead', async () => killed);
      // Time for a lock that failed to exclude to let B in before A dies.
      await new Promise((r) => setTimeout(r, 200));
      killed = true;
      await a.kill();
      // B gets the lock only after A died (it saw killed === true), and it does get it.
      await expect(waiting).resolves.toBe(true);
      held.open();
      await holding;
    });

    it('delivers a published message to every subscribed replica, small and large', async () => {
      const [a, b, c] = [await cluster.replica(), await cluster.replica(), await cluster.replica()];
      const got: Record<string, string[]> = { a: [], b: [] };
      const both = gate();
      const check = (): void => {
        if (got.a!.length === 2 && got.b!.length === 2) both.open();
      };
      await a.coordination.bus.subscribe('web', (p) => (got.a!.push(p), check()));
      await b.coordination.bus.subscribe('web', (p) => (got.b!.push(p), check()));
      await b.coordination.bus.subscribe('other-topic', (p) => got.b!.push(`wrong topic: ${p}`));
      const big = 'é'.repeat(20_000);
      await c.coordination.bus.publish('web', 'hello');
      await c.coordination.bus.publish('web', big);
      await both.promise;
      expect(got.a).toEqual(['hello', big]);
      expect(got.b).toEqual(['hello', big]);
    });

    // In-process never loses it; the Redis "kill" here ends the client for good (test/app/replicas.test.ts cuts a live Redis subscriber).
    it.skipIf(backend.name !== 'postgres')('tells a subscriber when its subscription is live again after the bus connection was lost', async () => {
      const [a, b] = [await cluster.replica(), await cluster.replica()];
      const back = gate();
      const got: string[] = [];
      await a.coordination.bus.subscribe('web', (p) => got.push(p), () => back.open());
      await a.kill();
      // What is published while A is down is lost to A (at-most-once): A is told when it listens again.
      await back.promise;
      await b.coordination.bus.publish('web', 'after');
      await new Promise<void>((r) => {
        const wait = (): void => void (got.includes('after') ? r() : setTimeout(wait, 20));
        wait();
      });
      expect(got).toEqual(['after']);
    });

    it('signals a change to every replica but the one that made it', async () => {
      const [a, b] = [await cluster.replica(), await cluster.replica()];
      const heardByB = gate();
      const heard: string[] = [];
      const signalA = busChangeSignal(a.coordination.bus, 'knowledge', 'replica-a');
      const signalB = busChangeSignal(b.coordination.bus, 'knowledge', 'replica-b');
      await signalA.onChange(() => heard.push('a'));
      await signalB.onChange(() => (heard.push('b'), heardByB.open()));
      await signalA.notify();
      await heardByB.promise;
      // B's own notification reaches A, which proves A was listening and ignored its own signal.
      const heardByA = new Promise<void>((r) => void signalA.onChange(() => r()));
      await tick();
      await signalB.notify();
      await heardByA;
      expect(heard.filter((h) => h === 'b')).toEqual(['b']);
      expect(heard.filter((h) => h === 'a')).toEqual(['a']);
    });

    it('shares one rate limit across replicas', async () => {
      const [a, b] = [await cluster.replica(), await cluster.replica()];
      const spec = { burst: 3, perMinute: 1 };
      const la = a.coordination.limiter('chat', spec);
      const lb = b.coordination.limiter('chat', spec);
      expect(await la.take('user-1')).toEqual({ ok: true });
      expect(await lb.take('user-1')).toEqual({ ok: true });
      expect(await la.take('user-1')).toEqual({ ok: true });
      const denied = await lb.take('user-1');
      expect(denied.ok).toBe(false);
      if (!denied.ok) expect(denied.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect((await la.take('user-1')).ok).toBe(false);
      // Another user, and another limiter name, have their own buckets.
      expect(await lb.take('user-2')).toEqual({ ok: true });
      expect(await b.coordination.limiter('tickets', spec).take('user-1')).toEqual({ ok: true });
    });

    it('gives the whole burst when the refill interval is not a whole number of milliseconds', async () => {
      const [a, b] = [await cluster.replica(), await cluster.replica()];
      // 60000 / 7 ms per token: fractional arithmetic must not refuse the third take.
      const spec = { burst: 3, perMinute: 7 };
      const takes = [await a.coordination.limiter('odd', spec).take('u'), await b.coordination.limiter('odd', spec).take('u'), await a.coordination.limiter('odd', spec).take('u')];
      expect(takes).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
      expect((await b.coordination.limiter('odd', spec).take('u')).ok).toBe(false);
    });

    it('gives each job tick to exactly one of three replicas', async () => {
      const replicas = [await cluster.replica(), await cluster.replica(), await cluster.replica()];
      for (const t of [100, 101, 102, 103, 104]) {
        const claims = await Promise.all(replicas.flatMap((r) => [r.coordination.jobs.claim('sweep', t), r.coordination.jobs.claim('sweep', t)]));
        expect(claims.filter(Boolean)).toHaveLength(1);
      }
      // An old tick is never claimed again; another job has its own ticks.
      expect(await replicas[0]!.coordination.jobs.claim('sweep', 101)).toBe(false);
      expect(await replicas[1]!.coordination.jobs.claim('news', 101)).toBe(true);
    });

    it('runs a scheduled job once per tick when three replicas schedule it', async () => {
      const replicas = [await cluster.replica(), await cluster.replica(), await cluster.replica()];
      const runs: number[] = [];
      let now = 5 * 60_000;
      const stops = replicas.map((r, i) =>
        scheduleSingleton({ jobs: r.coordination.jobs, name: 'sweep', intervalMs: 60_000, runAtStart: true, now: () => now, work: async () => runs.push(i) }),
      );
      // Each replica's start-up attempt has settled once stop() resolves.
      await Promise.all(stops.map((stop) => stop()));
      expect(runs).toHaveLength(1);
      // The next tick: again one run across the three.
      now += 60_000;
      const again = replicas.map((r, i) =>
        scheduleSingleton({ jobs: r.coordination.jobs, name: 'sweep', intervalMs: 60_000, runAtStart: true, now: () => now, work: async () => runs.push(i) }),
      );
      await Promise.all(again.map((stop) => stop()));
      expect(runs).toHaveLength(2);
    });

    /**
     * Replica A claims a tick of `name` and is still running (until `slow` opens) when the next
     * tick comes and replica B claims it. B's run only records 'B runs'.
     */
    async function overlappingTicks(name: string, startMinute: number) {
      const [a, b] = [await cluster.replica(), await cluster.replica()];
      const events: string[] = [];
      const slow = gate();
      let now = startMinute * 60_000;
      const schedule = (replica: typeof a, work: () => Promise<void>) =>
        scheduleSingleton({ jobs: replica.coordination.jobs, lock: replica.coordination.lock, name, intervalMs: 60_000, runAtStart: true, now: () => now, work });
      const stopA = schedule(a, async () => {
        events.push('A starts');
        await slow.promise;
        events.push('A ends');
      });
      for (let i = 0; i < 50 && events.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      now += 60_000;
      const stopB = schedule(b, async () => void events.push('B runs'));
      for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 10));
      return { events, slow, stopA, stopB };
    }

    it("a run that outlasts its interval is not joined by another replica's run of the next tick", async () => {
      const { events, slow, stopA, stopB } = await overlappingTicks('long-sync', 10);
      // B's claim of the next tick waits for A's run.
      expect(events).toEqual(['A starts']);
      slow.open();
      for (let i = 0; i < 200 && events.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
      expect(events).toEqual(['A starts', 'A ends', 'B runs']);
      await Promise.all([stopA(), stopB()]);
    });

    it("stopping a replica does not wait for another replica's run, and its waiting claim then does not run", async () => {
      const { events, slow, stopA, stopB } = await overlappingTicks('long-sync-2', 20);
      // B shuts down while A's run goes on: it does not wait for it.
      let bStopped = false;
      const stoppingB = stopB().then(() => (bStopped = true));
      for (let i = 0; i < 50 && !bStopped; i++) await new Promise((r) => setTimeout(r, 10));
      expect(bStopped).toBe(true);
      expect(events).toEqual(['A starts']);
      slow.open();
      await stopA();
      await stoppingB;
      for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 10));
      expect(events).toEqual(['A starts', 'A ends']);
    });
  });
}
