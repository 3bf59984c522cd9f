import { z } from 'zod';
import { CANDIDATE_FEATURES } from '../retrieval/retrieve.js';
import { GATE_FEATURES } from './features.js';
import { logisticModelSchema, type LogisticModel } from './logistic.js';
import { SHORTLIST_FEATURES } from './shortlist.js';

/**
 * The calibrated decision model, one JSON file per retrieval mode under calibration/, written
 * by `helpdesk calibrate` from the calibration split of the dev set (provenance included).
 * `ranker` orders candidates; `gate` turns the best candidate's evidence into the confidence
 * (probability that it answers the question); `shortlist` estimates the probability that the
 * right article is among the close candidates offered by clarify. The answer threshold applies
 * to the confidence, the clarify threshold to the shortlist probability.
 */

const probability = z.number().min(0).max(1);

export const retrievalModes = ['hybrid', 'lexical-only'] as const;
export type RetrievalMode = (typeof retrievalModes)[number];

export const thresholdsSchema = z
  .object({ answer: probability, clarify: probability })
  .refine((t) => t.clarify <= t.answer, 'the clarify threshold must not exceed the answer threshold');

export type Thresholds = z.infer<typeof thresholdsSchema>;

export const gateModelSchema = z.object({
  version: z.literal(1),
  mode: z.enum(retrievalModes),
  /** Embedder the model was calibrated with (null in lexical-only mode). */
  embedder: z.object({ provider: z.string(), model: z.string() }).nullable(),
  ranker: logisticModelSchema,
  gate: logisticModelSchema,
  /**
   * Probability that the right article is among the clarify options. Files written before it
   * existed have none: the gate then uses the confidence, a lower bound of it (the old behaviour).
   */
  shortlist: logisticModelSchema.optional(),
  thresholds: thresholdsSchema,
  clarify: z.object({
    /** A candidate is offered only if its ranking score reaches this. */
    minScore: probability,
    /** …and this share of the best candidate's score (0 in files written before it existed). */
    closeness: probability.default(0),
    maxOptions: z.number().int().min(2).max(3),
  }),
  provenance: z.record(z.unknown()).optional(),
});

export type GateModel = z.infer<typeof gateModelSchema>;

function handSet(features: readonly string[], bias: number, weights: Record<string, number>): LogisticModel {
  return {
    features: [...features],
    weights: features.map((f) => weights[f] ?? 0),
    bias,
    mean: features.map(() => 0),
    std: features.map(() => 1),
  };
}

/**
 * Used only when no calibrated file exists for the mode (a warning says so): a cautious model
 * set by hand on the features' natural scales, which escalates unless the evidence is strong.
 */
export function uncalibratedModel(mode: RetrievalMode): GateModel {
  return {
    version: 1,
    mode,
    embedder: null,
    ranker: handSet(CANDIDATE_FEATURES, -6, { dense: 4, denseQuestion: 2, lexical: 1, lexicalRel: 1, coverage: 3, questionMatch: 3 }),
    gate: handSet(GATE_FEATURES, -5, { top: 6, margin: 3, coverage: 2, unknownWords: -3 }),
    shortlist: handSet(SHORTLIST_FEATURES, -5, { first: 3, second: 2, coverage: 2, questionMatch: 2, unknownWords: -3 }),
    thresholds: { answer: 0.7, clarify: 0.6 },
    clarify: { minScore: 0.2, closeness: 0.5, maxOptions: 3 },
    provenance: { source: 'hand-set default (not calibrated)' },
  };
}

export function parseGateModel(json: unknown): GateModel {
  return gateModelSchema.parse(json);
}
