import { eld } from 'eld/medium';
import type { Lang } from '../lang.js';
import { stopwordsOnlyIn, tokenize } from './text.js';

/**
 * English/French detection that holds up on the short, accent-less messages people type
 * ("pc lent", "mdp oublie"): votes from the n-gram detector (eld, restricted to en/fr),
 * language-specific function words, accents, and words that appear in only one language of
 * the knowledge base. Ties fall back to the caller's language (e.g. the conversation's).
 */

export interface LangVocabulary {
  /** Folded words found only in the French articles / only in the English ones. */
  fr: ReadonlySet<string>;
  en: ReadonlySet<string>;
}

export type DetectLang = (text: string, fallback?: Lang) => Lang;

const detector = eld.newInstance();
detector.setLanguageSubset(['en', 'fr']);

const FUNCTION_WORDS: Record<Lang, Set<string>> = { en: stopwordsOnlyIn('en'), fr: stopwordsOnlyIn('fr') };
const FRENCH_LETTERS = /[éèêëàâçùûüôîïœ]/i;

export function createLanguageDetector(vocabulary?: LangVocabulary): DetectLang {
  return (text, fallback = 'en') => {
    let score = 0; // > 0 French, < 0 English
    for (const token of tokenize(text)) {
      if (FUNCTION_WORDS.fr.has(token)) score += 1;
      else if (FUNCTION_WORDS.en.has(token)) score -= 1;
      else if (vocabulary?.fr.has(token)) score += 0.5;
      else if (vocabulary?.en.has(token)) score -= 0.5;
    }
    if (FRENCH_LETTERS.test(text)) score += 1;
    const result = detector.detect(text);
    if (result.language === 'fr' || result.language === 'en') {
      const weight = result.isReliable() ? 1.5 : 0.75;
      score += result.language === 'fr' ? weight : -weight;
    }
    if (score > 0) return 'fr';
    if (score < 0) return 'en';
    return fallback;
  };
}
