import type { Lang } from '../lang.js';
import { focusQuery } from './focus.js';
import { translateFrToEn, translateWord } from './lexicon-fr-en.js';
import { analyzeQuery, DEFAULT_QUERY_WEIGHTS, type AnalyzedQuery } from './query.js';
import type { Snapshot } from './snapshot.js';

/**
 * A message made ready for retrieval, the same way for the bot and for calibration: long
 * messages and pasted logs cut down to the problem and the error strings (focus.ts); a French
 * message also rendered in English through the IT lexicon when some articles exist in English
 * only, so it can reach them (BM25 variants, and a second query vector for the embedder).
 */
export interface PreparedQuery {
  analyzed: AnalyzedQuery;
  /** The text to embed. */
  focused: string;
  /** English rendering of a French message, when cross-lingual matching applies. */
  translated?: string;
}

export function prepareQuery(snapshot: Pick<Snapshot, 'lexical' | 'englishOnly'>, text: string, lang: Lang): PreparedQuery {
  const focused = focusQuery(text);
  const crossLingual = lang === 'fr' && snapshot.englishOnly.size > 0;
  const analyzed = analyzeQuery(focused, lang, snapshot.lexical, DEFAULT_QUERY_WEIGHTS, crossLingual ? translateWord : undefined);
  const translated = crossLingual ? translateFrToEn(focused) : undefined;
  return { analyzed, focused, translated: translated && translated.trim() ? translated : undefined };
}
