import { stemmer as stemEn } from '@orama/stemmers/english';
import { stemmer as stemFr } from '@orama/stemmers/french';
import { stopwords as stopEn } from '@orama/stopwords/english';
import { stopwords as stopFr } from '@orama/stopwords/french';
import type { Lang } from '../lang.js';

/**
 * Text processing shared by the lexical index, the query analysis and language detection:
 * accent folding (users often type French without accents), tokenisation that keeps error codes
 * (0x80070005, 809, AADSTS50076) intact, stop words and per-language stemming.
 */

const LIGATURES: Record<string, string> = { œ: 'oe', æ: 'ae', ß: 'ss', ø: 'o', ł: 'l' };

export function foldAccents(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[œæßøł]/g, (c) => LIGATURES[c] ?? c);
}

/** Lower case, folded accents, typographic apostrophes and dashes made plain. */
export function normalize(text: string): string {
  return foldAccents(text.toLowerCase()).replace(/[’‘`´]/g, "'").replace(/[‐-―]/g, '-');
}

// French elisions ("l'imprimante", "n'imprime", "qu'il") carry no meaning on their own.
const ELISION = /^(l|d|j|n|m|t|s|c|qu|jusqu|lorsqu|puisqu|quoiqu)'(?=[a-z])/;
const WORD = /[\p{L}\p{N}]+(?:[-'][\p{L}\p{N}]+)*/gu;

/** Splits normalised text into word tokens; keeps codes, joins "wi-fi" / "e-mail", splits other hyphenations. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const match of normalize(text).matchAll(WORD)) {
    let word = match[0];
    const elided = ELISION.exec(word);
    if (elided) word = word.slice(elided[0].length);
    if (!word.includes('-')) {
      out.push(word);
      continue;
    }
    const parts = word.split('-').filter((p) => p.length > 0);
    // "wi-fi", "e-mail", "re-install": a short first part is a prefix, not a word.
    if ((parts[0]?.length ?? 0) <= 2) out.push(parts.join(''));
    else out.push(...parts);
  }
  return out;
}

/** Politeness and chat filler, in both languages: never what a question is about. */
const FILLER = [
  'hi', 'hello', 'hey', 'please', 'pls', 'plz', 'thanks', 'thank', 'thx', 'cheers', 'regards', 'hiya',
  'bonjour', 'bonsoir', 'salut', 'coucou', 'merci', 'svp', 'stp', 'cordialement', 'bjr', 'slt',
];

/**
 * Function words, adverbs and light verbs the library lists leave out (the French one is short):
 * they say how someone talks, not what the problem is. Accents folded.
 */
const EXTRA_STOP = [
  // French
  'ca', 'cela', 'ceci', 'tout', 'toute', 'toutes', 'tous', 'tres', 'trop', 'plus', 'moins', 'puis', 'depuis', 'encore',
  'deja', 'aussi', 'alors', 'donc', 'bien', 'peu', 'beaucoup', 'vraiment', 'comment', 'quoi', 'pourquoi', 'quand', 'ou',
  'rien', 'jamais', 'toujours', 'meme', 'comme', 'si', 'car', 'mais', 'quelque', 'chose', 'faire', 'fais', 'fait', 'faut',
  'veux', 'veut', 'voudrais', 'voulais', 'peux', 'peut', 'pouvez', 'pourrais', 'pourriez', 'dois', 'doit', 'devoir',
  'avoir', 'etre', 'suis', 'etait', 'ete', 'va', 'vais', 'aller', 'dit', 'dire', 'sais', 'savoir', 'ya', 'il', 'elle',
  'on', 'nous', 'chez', 'ici', 'la', 'voila', 'ben', 'bah', 'bon', 'ok', 'oui', 'non', 'svp', 'aujourd', 'hui',
  'ce', 'cet', 'cette', 'ces', 'mon', 'ma', 'mes', 'notre', 'nos', 'leur', 'leurs', 'quel', 'quelle', 'sans', 'avec',
  // English
  'get', 'gets', 'got', 'getting', 'still', 'just', 'also', 'really', 'even', 'anyone', 'anything', 'something',
  'someone', 'everything', 'need', 'needs', 'want', 'wants', 'try', 'tried', 'trying', 'thing',
  'things', 'way', 'like', 'now', 'today', 'yesterday', 'since', 'ever', 'already', 'anymore', 'well', 'know', 'say',
  'says', 'said', 'tell', 'make', 'makes', 'let', 'lets', 'use', 'using', 'used', 'go', 'goes', 'going', 'ok', 'okay',
  'yes', 'yeah', 'guys', 'hi', 'im', 'ive', 'dont', 'doesnt', 'didnt', 'cant', 'wont', 'isnt', 'arent', 'wasnt', 'help',
  'havent', 'hasnt', 'wouldnt', 'couldnt', 'shouldnt', 'youre', 'theyre', 'thats', 'whats', 'nothing', 'via', 'put',
  'stuff', 'bunch', 'lot', 'lots', 'truc', 'trucs', 'machin',
  // Time expressions: when it happened never says what happened.
  'tomorrow', 'morning', 'afternoon', 'evening', 'tonight', 'week', 'weekend', 'month', 'monday', 'tuesday',
  'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'demain', 'hier', 'matin', 'aprem', 'soir', 'semaine',
  'mois', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche', 'min', 'mins', 'minute', 'minutes',
  'hour', 'hours', 'heure', 'heures', 'day', 'days', 'jour', 'jours',
];

const LANG_STOP: Record<Lang, Set<string>> = {
  en: new Set(stopEn.map(normalize)),
  fr: new Set(stopFr.map(normalize)),
};
// "son" is also French for "sound" ("pas de son"): too important here to drop.
const KEEP = new Set(['son']);
/** One list for both languages: questions mix them ("mon outlook is stuck") and documents quote each other. */
const STOP = new Set([...LANG_STOP.en, ...LANG_STOP.fr, ...FILLER, ...EXTRA_STOP].filter((w) => !KEEP.has(w)));

function isStopword(token: string): boolean {
  return STOP.has(token);
}

/** Stop words of one language only: a cheap signal for language detection. */
export function stopwordsOnlyIn(lang: Lang): Set<string> {
  const other = LANG_STOP[lang === 'en' ? 'fr' : 'en'];
  return new Set([...LANG_STOP[lang]].filter((w) => !other.has(w)));
}

/** Tokens with a digit (error codes, KB numbers, ports) are matched exactly, never stemmed. */
export function isCode(token: string): boolean {
  return /\d/.test(token);
}

const stemCache: Record<Lang, Map<string, string>> = { en: new Map(), fr: new Map() };

export function stem(token: string, lang: Lang): string {
  if (isCode(token) || token.length <= 3) return token;
  const cache = stemCache[lang];
  let s = cache.get(token);
  if (s === undefined) {
    s = foldAccents(lang === 'fr' ? stemFr(token) : stemEn(token));
    if (cache.size > 50_000) cache.clear();
    cache.set(token, s);
  }
  return s;
}

/** Counts and ordinals under 100 ("5 min", "2e étage") are not codes; "809" and "0x80070005" are. */
function isSmallNumber(token: string): boolean {
  return /^\d{1,2}(e|er|eme|nd|rd|st|th|h|min)?$/.test(token);
}

/** Content tokens of a text (stop words, filler, small numbers and single letters dropped), not stemmed. */
export function contentTokens(text: string): string[] {
  return tokenize(text).filter((t) => t.length > 1 && !isStopword(t) && !isSmallNumber(t));
}

/** Index terms of a text written in `lang`: content tokens, stemmed. */
export function analyze(text: string, lang: Lang): string[] {
  return contentTokens(text).map((t) => stem(t, lang));
}
