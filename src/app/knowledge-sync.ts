import { join, resolve } from 'node:path';
import type { KnowledgeSyncConfig } from '../config/sections/knowledge-sync.js';
import { articlesRoot } from '../engine/knowledge/loader.js';
import { createSource } from '../knowledge-sources/registry.js';
import { peekState, type SyncState } from '../knowledge-sources/state.js';
import { changedAnything, syncSource, type SyncReport } from '../knowledge-sources/sync.js';
import type { SourceDeps } from '../knowledge-sources/types.js';

/**
 * The server's scheduled knowledge sync: every KNOWLEDGE_SYNC_INTERVAL_MINUTES (and once at start,
 * and on the console's "Sync now"), each configured source is synced into its own folder and the
 * knowledge is reloaded when something changed. Runs never overlap. A failing source is logged
 * and reported; it changes nothing, so the bot keeps answering from what it had.
 */

export interface SyncLog {
  info(obj: object, message: string): void;
  warn(obj: object, message: string): void;
}

export interface KnowledgeSyncDeps extends SourceDeps {
  kbDir: string;
  reload: () => Promise<unknown>;
  logger?: SyncLog;
  /**
   * Runs the sync every interval and once at start; returns a stop function. The app passes one that
   * runs it once across replicas (scheduleSingleton); absent: a timer in this process.
   */
  schedule?: (intervalMs: number, run: () => Promise<unknown>) => () => Promise<void>;
}

export interface SourceSyncStatus {
  name: string;
  out: string;
  state?: SyncState;
  lastReport?: SyncReport;
}

/** Where a source's articles go: KNOWLEDGE_SYNC_DIR/<source>, else <articles folder>/imported/<source>. */
export function syncOutDir(config: Pick<KnowledgeSyncConfig, 'dir'>, kbDir: string, source: string): string {
  return config.dir ? join(resolve(config.dir), source) : join(articlesRoot(resolve(kbDir)), 'imported', source);
}

export class KnowledgeSyncRunner {
  private timer?: NodeJS.Timeout;
  private stopSchedule?: () => Promise<void>;
  private running?: Promise<SyncReport[]>;
  private readonly reports = new Map<string, SyncReport>();

  constructor(
    private readonly config: KnowledgeSyncConfig,
    private readonly deps: KnowledgeSyncDeps,
  ) {}

  get enabled(): boolean {
    return this.config.sources.length > 0;
  }

  /** Syncs every configured source; a run asked for while one is going joins it. */
  runNow(): Promise<SyncReport[]> {
    this.running ??= this.runAll().finally(() => (this.running = undefined));
    return this.running;
  }

  private async runAll(): Promise<SyncReport[]> {
    const reports: SyncReport[] = [];
    let changed = false;
    for (const name of this.config.sources) {
      const out = syncOutDir(this.config, this.deps.kbDir, name);
      let report: SyncReport;
      try {
        const source = createSource(name, this.config.options[name], { fetch: this.deps.fetch, sleep: this.deps.sleep });
        report = await syncSource(source, { out });
      } catch (err) {
        report = { source: name, out, ok: false, error: err instanceof Error ? err.message : String(err), created: [], updated: [], retired: [], skipped: [], failed: [], unchanged: 0 };
      }
      this.reports.set(name, report);
      reports.push(report);
      const summary = { source: name, created: report.created.length, updated: report.updated.length, retired: report.retired.length, skipped: report.skipped.length, failed: report.failed.length };
      if (report.ok) this.deps.logger?.info(summary, 'knowledge sync done');
      else this.deps.logger?.warn({ ...summary, error: report.error }, 'knowledge sync failed: nothing changed, the current articles stay served');
      changed ||= changedAnything(report);
    }
    if (changed) await this.deps.reload();
    return reports;
  }

  start(): void {
    if (!this.enabled || this.timer || this.stopSchedule) return;
    if (this.deps.schedule) {
      this.stopSchedule = this.deps.schedule(this.config.intervalMinutes * 60_000, () => this.runNow());
      return;
    }
    void this.runNow();
    this.timer = setInterval(() => void this.runNow(), this.config.intervalMinutes * 60_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const stopSchedule = this.stopSchedule;
    this.stopSchedule = undefined;
    await stopSchedule?.();
    await this.running?.catch(() => undefined);
  }

  status(): SourceSyncStatus[] {
    return this.config.sources.map((name) => {
      const out = syncOutDir(this.config, this.deps.kbDir, name);
      return { name, out, state: peekState(out), lastReport: this.reports.get(name) };
    });
  }
}
