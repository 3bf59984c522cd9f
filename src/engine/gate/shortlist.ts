import type { Candidate, Retrieval } from '../retrieval/retrieve.js';

/**
 * The clarify shortlist: the 2-3 candidates close enough to the best one to offer as "did you
 * mean…?", and what the shortlist model looks at to estimate the probability that the right
 * article is among them. Calibration and the gate both call `shortlist`, so the probability is
 * fitted on exactly the options the bot would offer.
 */

export interface ShortlistRule {
  /** An option's ranking score must reach this (absolute floor; the best candidate always qualifies). */
  minScore: number;
  /** An option's ranking score must reach this share of the best candidate's. */
  closeness: number;
  /** At most this many options (2 or 3), best first. */
  maxOptions: number;
}

export function shortlist(candidates: readonly Candidate[], rule: ShortlistRule): Candidate[] {
  const [first] = candidates;
  if (!first) return [];
  const floor = Math.max(rule.minScore, rule.closeness * first.score);
  return [first, ...candidates.slice(1, rule.maxOptions).filter((c) => c.score >= floor)];
}

export const SHORTLIST_FEATURES = [
  'first',
  'second',
  'third',
  'options',
  'coverage',
  'questionMatch',
  'dense',
  'charMatch',
  'unknownWords',
  'french',
] as const;

export type ShortlistFeatures = Record<(typeof SHORTLIST_FEATURES)[number], number>;

/**
 * Bounded, scale-free evidence about the shortlist as a whole: the options' ranking scores (0 when
 * fewer are offered), how many there are, the best coverage / question / semantic / trigram match
 * among them, how much of the message the knowledge base knows at all, and whether it is French
 * (the default embedder is English-only, so French shortlists rest on weaker evidence). No message
 * length: the dev set has few one- or two-word messages, and a length weight learned on longer
 * ones would extrapolate to "never clarify a short message", the vague questions clarify is for.
 */
export function shortlistFeatures(retrieval: Retrieval, options: readonly Candidate[]): ShortlistFeatures {
  const best = (f: keyof Candidate['features']) => Math.max(0, ...options.map((c) => c.features[f]));
  return {
    first: options[0]?.score ?? 0,
    second: options[1]?.score ?? 0,
    third: options[2]?.score ?? 0,
    options: options.length,
    coverage: best('coverage'),
    questionMatch: best('questionMatch'),
    dense: best('dense'),
    charMatch: best('charMatch'),
    unknownWords: retrieval.stats.unknownWords,
    french: retrieval.stats.lang === 'fr' ? 1 : 0,
  };
}
