import { DEFAULT_TARGET_PRECISION, zeroLabelDir } from './zero-label.js';
import { chooseOperatingPoint, runDeskCalibration, saveDeskCalibration, type DeskCalibrationRun } from './desk-calibration.js';
import type { CalibrationOutcome, CalibrationView, DeskCalibrationControl } from '../console/pages/calibration.js';
import type { LabelledExampleStore } from '../engine/ports/labelled-examples.js';
import type { DeskCalibrationStore } from '../engine/ports/desk-calibrations.js';
import { shareDeskCalibration } from './desk-sharing.js';
import type { HybridKnowledgeService } from '../engine/retrieval/service.js';
import type { GateModel, RetrievalMode } from '../engine/gate/model.js';

/**
 * The console's "Refit" button and operating-point choice: runs the desk calibration in the
 * background (minutes on a large knowledge base), saves the models under DATA_DIR (the next start
 * uses them for this knowledge version) and puts them in use at once.
 */
export interface DeskCalibratorDeps {
  service: HybridKnowledgeService;
  labels: LabelledExampleStore;
  dataDir: string;
  provider?: string;
  log: { info(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
  /** Background work the graceful shutdown waits for. */
  track?: <T>(work: () => Promise<T>) => Promise<T>;
  /**
   * Reloads the knowledge on every replica once the refit is in use, so the questions learned from
   * the desk (read from the store at each reload) are the ones the refit was fitted with.
   */
  reload?: () => Promise<unknown>;
  /** The store every replica reads refits from (each replica's DATA_DIR is its own). */
  shared?: DeskCalibrationStore;
  /** Cross-validation passes for the clarify choices (tests use 1). */
  repeats?: number;
}

/** Refits in a row discarded because the knowledge changed under them before one is given up. */
const MAX_REFIT_ATTEMPTS = 3;

export class DeskCalibrator implements DeskCalibrationControl {
  private running?: { startedAt: string; done: Promise<void> };
  private last?: CalibrationOutcome;
  private error?: string;

  constructor(private readonly deps: DeskCalibratorDeps) {}

  private modeNow(): RetrievalMode {
    return this.deps.service.status().mode;
  }

  /** The target precision of the models in use: the operating point a technician chose, else the refit's. */
  private currentTarget(): number | undefined {
    const current = this.deps.service.modelInUse(this.modeNow());
    return current.provenance?.operatingPoint && typeof (current.provenance.operatingPoint as { targetPrecision?: unknown }).targetPrecision === 'number'
      ? (current.provenance.operatingPoint as { targetPrecision: number }).targetPrecision
      : typeof current.provenance?.targetPrecision === 'number' ? current.provenance.targetPrecision : undefined;
  }

  /**
   * After the knowledge changed (a console edit, an import): when a refit on the desk's judgements
   * was in use, it was fitted on the knowledge as it was, and the new version would fall back to
   * its zero-label or committed models, silently dropping what the desk taught. Refits at the same
   * operating point instead. False when there was nothing to redo (or a refit is already running).
   */
  refitAfterChange(): boolean {
    const status = this.deps.service.status();
    const calibration = status.calibration;
    if (calibration?.source !== 'desk' || !calibration.knowledgeHash || calibration.knowledgeHash === status.knowledgeHash) return false;
    this.deps.log.info({ from: calibration.knowledgeHash.slice(0, 16), to: status.knowledgeHash.slice(0, 16) }, 'knowledge changed: refitting on the desk\'s judgements');
    return this.refit(this.currentTarget() ?? DEFAULT_TARGET_PRECISION);
  }

  async view(): Promise<CalibrationView> {
    const current = this.deps.service.modelInUse(this.modeNow());
    const note = this.deps.service.status().calibration?.note;
    const target = this.currentTarget();
    return {
      labels: await this.deps.labels.counts(),
      running: Boolean(this.running),
      ...(this.running ? { startedAt: this.running.startedAt } : {}),
      ...(this.last ? { last: this.last } : {}),
      ...(this.error ? { error: this.error } : {}),
      current: { ...(note ? { note } : {}), thresholds: current.thresholds, ...(target !== undefined ? { targetPrecision: target } : {}) },
    };
  }

  refit(targetPrecision = DEFAULT_TARGET_PRECISION): boolean {
    if (this.running) return false;
    const startedAt = new Date().toISOString();
    const work = async () => {
      try {
        // A refit fitted on knowledge that changed while it ran would be saved and served under the
        // new version's hash: fitted again on the new version instead (a few tries, then it says so).
        for (let attempt = 1; ; attempt++) {
          const fittedOn = this.deps.service.status().knowledgeHash;
          const labels = await this.deps.labels.list();
          this.deps.log.info({ labels: labels.length, targetPrecision }, 'desk calibration started');
          const run = await runDeskCalibration(this.deps.service, labels, { targetPrecision, ...(this.deps.repeats ? { repeats: this.deps.repeats } : {}) });
          if (this.deps.service.status().knowledgeHash !== fittedOn) {
            if (attempt >= MAX_REFIT_ATTEMPTS) throw new Error(`the knowledge changed during each of ${MAX_REFIT_ATTEMPTS} refits: nothing was saved; refit again once it is stable`);
            this.deps.log.info({ attempt }, 'knowledge changed during the refit: fitting again on the new version');
            continue;
          }
          await this.apply(run, targetPrecision, labels.length > 0);
          break;
        }
        await this.deps.reload?.();
        this.error = undefined;
      } catch (err) {
        this.error = err instanceof Error ? err.message : String(err);
        this.deps.log.error({ err: this.error }, 'desk calibration failed');
      } finally {
        this.running = undefined;
      }
    };
    const done = this.deps.track ? this.deps.track(work) : work();
    this.running = { startedAt, done };
    return true;
  }

  /** Resolves when the refit in progress (if any) is over. */
  async settled(): Promise<void> {
    await this.running?.done;
  }

  private dir(): string {
    return zeroLabelDir(this.deps.dataDir, this.deps.service.status().knowledgeHash);
  }

  /** Into the shared store, so the other replicas serve it too (at their next reload or start). */
  private async share(): Promise<void> {
    if (this.deps.shared) await shareDeskCalibration(this.deps.shared, this.dir(), this.deps.service.status().knowledgeHash, this.deps.provider);
  }

  private async apply(run: DeskCalibrationRun, targetPrecision: number, labelled: boolean): Promise<void> {
    const status = this.deps.service.status();
    saveDeskCalibration(this.dir(), run, this.deps.provider);
    await this.share();
    const mode = status.mode;
    const model = run.models[mode];
    const curves = run.curves[mode];
    if (!model || !curves) throw new Error(`nothing was fitted for the ${mode} mode`);
    const note = `calibrated with ${run.counts.labelsUsed} labelled examples from the desk (answer threshold ${model.thresholds.answer.toFixed(2)}), saved in ${this.dir()}`;
    this.deps.service.useModels(run.models, { source: 'desk', knowledgeHash: status.knowledgeHash, note });
    this.deps.log.info({ labelsUsed: run.counts.labelsUsed, answer: model.thresholds.answer, clarify: model.thresholds.clarify }, 'desk calibration done and in use');
    this.last = {
      finishedAt: new Date().toISOString(),
      targetPrecision,
      mode,
      labelsUsed: run.counts.labelsUsed,
      skipped: run.counts.skipped,
      before: curves.before,
      after: curves.after,
      beforeThreshold: curves.beforeThreshold,
      thresholds: model.thresholds,
      measuredOn: labelled && run.counts.labelsUsed > 0 ? 'labels' : 'all',
    };
  }

  async choose(targetPrecision: number): Promise<boolean> {
    const status = this.deps.service.status();
    const dir = this.dir();
    const models = this.currentModels();
    let changed = false;
    for (const mode of Object.keys(models) as RetrievalMode[]) {
      const moved = chooseOperatingPoint(dir, mode, models[mode]!, targetPrecision);
      if (moved) {
        models[mode] = moved;
        changed = true;
      }
    }
    if (!changed) return false;
    saveDeskCalibration(dir, { models, results: {} }, this.deps.provider);
    await this.share();
    const model = models[status.mode]!;
    this.deps.service.useModels(models, {
      source: 'desk',
      knowledgeHash: status.knowledgeHash,
      note: `operating point for ${(targetPrecision * 100).toFixed(0)} % answer precision: answer ≥ ${model.thresholds.answer.toFixed(2)}, clarify ≥ ${model.thresholds.clarify.toFixed(2)} (saved in ${dir})`,
    });
    if (this.last) this.last = { ...this.last, targetPrecision, thresholds: model.thresholds };
    this.deps.log.info({ targetPrecision, answer: model.thresholds.answer, clarify: model.thresholds.clarify }, 'operating point chosen');
    // The other replicas read it from the shared store when they reload.
    await this.deps.reload?.();
    return true;
  }

  private currentModels(): Partial<Record<RetrievalMode, GateModel>> {
    const modes: RetrievalMode[] = this.modeNow() === 'hybrid' ? ['hybrid', 'lexical-only'] : ['lexical-only'];
    return Object.fromEntries(modes.map((m) => [m, this.deps.service.modelInUse(m)]));
  }
}
