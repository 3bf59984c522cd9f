import { LANGS, type Lang } from '../lang.js';
import { GLOSSARY } from './glossary.js';
import { analyze, contentTokens, isCode, stem, tokenize } from './text.js';

/**
 * A user message turned into weighted term alternatives. Each content word keeps its own
 * group of variants (stem in the detected language, stem in the other language for mixed
 * FR/EN messages, glossary equivalents, spelling correction) so query-term coverage counts
 * words, not variants.
 */

export interface QueryToken {
  surface: string;
  /** Index term → weight (1 for the word itself, lower for expansions). */
  variants: Map<string, number>;
}

export interface AnalyzedQuery {
  text: string;
  lang: Lang;
  tokens: QueryToken[];
}

/** What the analyser needs to know about the indexed text, for spelling correction. */
export interface Vocabulary {
  hasTerm(term: string): boolean;
  /** Closest known word for a misspelt one, if any. */
  correct(word: string): string | undefined;
}

export interface QueryWeights {
  /** Weight of the stem computed with the other language's stemmer. */
  otherLanguageStem: number;
  glossary: number;
  correction: number;
  /** English words of a French word (lexicon-fr-en.ts), when some articles exist in English only. */
  translation: number;
}

export const DEFAULT_QUERY_WEIGHTS: QueryWeights = { otherLanguageStem: 0.8, glossary: 0.6, correction: 0.8, translation: 0.7 };

/** Translates one (normalised) word of the query into the other language, if known. */
export type WordTranslator = (word: string) => string[] | undefined;

interface Phrase {
  tokens: string[];
  terms: string[];
}

const PHRASES: Map<string, Phrase[]> = (() => {
  const byFirst = new Map<string, Phrase[]>();
  for (const group of GLOSSARY) {
    const terms = [...new Set(LANGS.flatMap((lang) => (group[lang] ?? []).flatMap((p) => analyze(p, lang))))];
    for (const lang of LANGS) {
      for (const phrase of group[lang] ?? []) {
        const tokens = tokenize(phrase);
        const first = tokens[0];
        if (!first) continue;
        byFirst.set(first, [...(byFirst.get(first) ?? []), { tokens, terms }]);
      }
    }
  }
  return byFirst;
})();

function addVariant(token: QueryToken, term: string, weight: number): void {
  if ((token.variants.get(term) ?? 0) < weight) token.variants.set(term, weight);
}

export function analyzeQuery(
  text: string,
  lang: Lang,
  vocabulary?: Vocabulary,
  weights: QueryWeights = DEFAULT_QUERY_WEIGHTS,
  translate?: WordTranslator,
): AnalyzedQuery {
  const words = tokenize(text);
  const content = new Set(contentTokens(text));
  const tokens: (QueryToken | undefined)[] = words.map((w) => {
    if (!content.has(w)) return undefined;
    const token: QueryToken = { surface: w, variants: new Map() };
    addVariant(token, stem(w, lang), 1);
    addVariant(token, stem(w, lang === 'en' ? 'fr' : 'en'), weights.otherLanguageStem);
    if (vocabulary && !isCode(w) && w.length >= 4 && ![...token.variants.keys()].some((t) => vocabulary.hasTerm(t))) {
      const fixed = vocabulary.correct(w);
      if (fixed) for (const l of LANGS) addVariant(token, stem(fixed, l), weights.correction);
    }
    for (const en of translate?.(w) ?? []) addVariant(token, stem(en, 'en'), weights.translation);
    return token;
  });
  // Glossary phrases may span stop words ("mot de passe"): match on all words, expand the content ones.
  for (let i = 0; i < words.length; i++) {
    for (const phrase of PHRASES.get(words[i]!) ?? []) {
      const n = phrase.tokens.length;
      if (!phrase.tokens.every((t, k) => words[i + k] === t)) continue;
      for (let k = i; k < i + n; k++) {
        const token = tokens[k];
        if (token) for (const term of phrase.terms) addVariant(token, term, weights.glossary);
      }
    }
  }
  return { text, lang, tokens: tokens.filter((t): t is QueryToken => t !== undefined) };
}
