import { runKnowledgePhase, runRestartPhase, type KnowledgePhaseInput } from './knowledge-phase.js';
import { runQualityPhase, type QualityPhaseInput } from './quality-phase.js';
import { runVectorsPhase, type VectorsPhaseInput } from './vectors-phase.js';

/**
 * Entry point of a benchmark phase run in its own process (forked by phases.ts), so each phase's
 * peak memory is its own and one phase's garbage never slows the next. Talks over IPC:
 * receives { phase, input }, sends progress lines, then { result } or { error }.
 */

export type PhaseJob =
  | { phase: 'knowledge'; input: KnowledgePhaseInput }
  | { phase: 'restart'; input: KnowledgePhaseInput }
  | { phase: 'quality'; input: QualityPhaseInput }
  | { phase: 'vectors'; input: VectorsPhaseInput };

// Orphaned (the benchmark was interrupted): stop instead of computing for nobody.
process.once('disconnect', () => process.exit(1));

const send = (message: unknown) => new Promise<void>((resolve) => process.send!(message, () => resolve()));

process.once('message', async (job: PhaseJob) => {
  const progress = (line: string) => void send({ progress: line });
  try {
    const result =
      job.phase === 'knowledge'
        ? await runKnowledgePhase(job.input, progress)
        : job.phase === 'restart'
          ? await runRestartPhase(job.input, progress)
          : job.phase === 'quality'
          ? await runQualityPhase(job.input, progress)
          : await runVectorsPhase(job.input, progress);
    await send({ result });
  } catch (err) {
    await send({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
  process.removeAllListeners('disconnect');
  process.disconnect();
});
