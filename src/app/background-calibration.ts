import type { HybridKnowledgeService } from '../engine/retrieval/service.js';
import { ensureCalibration, type CalibrationOutcome, type EnsureCalibrationOptions } from './zero-label.js';

/**
 * Re-fits the gate after the knowledge changed (a sync or an import reloaded it): runs
 * ensureCalibration in the background, one run at a time, so answers keep coming from the current
 * gate until the new models are ready and swapped in. A request during a run makes one more run
 * afterwards, on the newest knowledge. The result is cached by knowledge hash under DATA_DIR, so
 * a restart or a second instance does not fit the same knowledge again.
 */
export class BackgroundCalibration {
  private running?: Promise<void>;
  private again = false;
  private last?: CalibrationOutcome;

  constructor(
    private readonly service: HybridKnowledgeService,
    private readonly options: EnsureCalibrationOptions & { warn?: (message: string) => void },
  ) {}

  /** Asks for a calibration of the knowledge as it is now; returns at once. */
  request(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => (this.running = undefined));
  }

  /** Resolves when no calibration is running (tests, shutdown). */
  async idle(): Promise<CalibrationOutcome | undefined> {
    while (this.running) await this.running;
    return this.last;
  }

  private async loop(): Promise<void> {
    // The work yields to the event loop between batches, so answers keep flowing meanwhile.
    const pause = () => new Promise<void>((r) => setImmediate(r));
    do {
      this.again = false;
      try {
        this.last = await ensureCalibration(this.service, { ...this.options, pause });
        if (this.last === 'stale') this.again = true;
      } catch (err) {
        this.options.warn?.(`zero-label calibration after the knowledge changed failed (${err instanceof Error ? err.message : String(err)}): the current gate keeps serving`);
      }
      if (this.again) await pause();
    } while (this.again);
  }
}
