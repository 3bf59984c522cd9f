/**
 * Counts channel work in progress so shutdown can wait for it: a turn whose message is already
 * stored must also get its replies posted before the database closes.
 */
export class InFlight {
  private count = 0;
  private waiters: Array<() => void> = [];

  constructor(private readonly onChange?: (count: number) => void) {}

  get size(): number {
    return this.count;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    this.count += 1;
    this.onChange?.(this.count);
    try {
      return await work();
    } finally {
      this.count -= 1;
      this.onChange?.(this.count);
      if (this.count === 0) {
        const waiters = this.waiters;
        this.waiters = [];
        for (const wake of waiters) wake();
      }
    }
  }

  /** Resolves true once nothing is in flight, or false when `timeoutMs` passed first. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        resolve(false);
      }, timeoutMs);
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(wake);
    });
  }
}
