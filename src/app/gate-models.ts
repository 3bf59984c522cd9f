import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseGateModel, type GateModel, type RetrievalMode } from '../engine/gate/model.js';

/**
 * Where the calibrated gate models live: calibration/ at the repository root (committed, with
 * provenance), one file per mode; hybrid models are specific to the embedding provider.
 */
const here = dirname(fileURLToPath(import.meta.url));
/** Works from src/ (tsx) and dist/ (compiled): both sit one level below the repository root. */
export const DEFAULT_GATE_MODEL_DIR = resolve(here, '..', '..', 'calibration');

export function gateModelFile(dir: string, mode: RetrievalMode, provider?: string): string {
  return join(dir, mode === 'hybrid' ? `gate-hybrid-${provider ?? 'unknown'}.json` : 'gate-lexical-only.json');
}

export interface LoadedGateModels {
  models: Partial<Record<RetrievalMode, GateModel>>;
  problems: string[];
}

export function loadGateModels(dir: string, provider: string | undefined): LoadedGateModels {
  const models: Partial<Record<RetrievalMode, GateModel>> = {};
  const problems: string[] = [];
  for (const mode of ['hybrid', 'lexical-only'] as const) {
    if (mode === 'hybrid' && !provider) continue;
    const file = gateModelFile(dir, mode, provider);
    if (!existsSync(file)) continue;
    try {
      const model = parseGateModel(JSON.parse(readFileSync(file, 'utf8')));
      models[mode] = model;
      if (!model.shortlist) {
        problems.push(`gate model ${file} has no clarify (shortlist) model: clarify falls back to the answer confidence; run \`helpdesk calibrate\``);
      }
    } catch (err) {
      problems.push(`gate model ${file} is invalid and was ignored: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
  return { models, problems };
}
