import type { Lang } from '../lang.js';
import { contentTokens, isCode, normalize, stem } from '../retrieval/text.js';
import { asksForSecret } from './secret-request.js';

/**
 * Checks that a model-written answer says only what its cited passages say: every `[n]` points to
 * a passage that was shown, and every sentence is lexically supported (stemmed content words,
 * exact codes, numbers, links and addresses) by the passages it cites. It also rejects answers
 * that ask for a secret or claim the bot did something (opened a ticket, resolved the issue): the
 * model cannot act, only the engine can. A failed check means the extractive answer is shown.
 */

export interface NumberedPassage {
  /** 1-based number the model cites as [n]. */
  n: number;
  text: string;
}

export type GroundingProblem = 'invalid_citation' | 'uncited' | 'unsupported' | 'unsafe';

export type GroundingResult =
  | { ok: true; cited: number[] }
  | { ok: false; problem: GroundingProblem; detail: string };

export interface GroundingOptions {
  /** Share of a sentence's content words that must appear in its cited passages (0-1). */
  minSupport?: number;
}

const DEFAULT_MIN_SUPPORT = 0.6;

/** "[1, 2]", "[1-3]", "[1][2]" are all citations; "[REDACTED:password]" or "[EMAIL]" are not. */
const CITATION_GROUP = /\[(\d{1,3}(?:\s*[,;–-]\s*\d{1,3})*)\]/g;

function expandGroup(group: string): number[] {
  const out: number[] = [];
  for (const part of group.split(/\s*[,;]\s*/)) {
    const range = /^(\d+)\s*[–-]\s*(\d+)$/.exec(part);
    if (range) {
      const [from, to] = [Number(range[1]), Number(range[2])];
      for (let n = from; n <= Math.min(to, from + 20); n++) out.push(n);
    } else {
      out.push(Number(part));
    }
  }
  return out;
}

/** Rewrites grouped citations as separate `[n]` markers. */
export function normalizeCitations(text: string): string {
  return text.replace(CITATION_GROUP, (_m, group: string) => expandGroup(group).map((n) => `[${n}]`).join(''));
}

export function citationsIn(text: string): number[] {
  return [...text.matchAll(CITATION_GROUP)].flatMap((m) => expandGroup(m[1] ?? ''));
}

const stripCitations = (s: string): string => s.replace(CITATION_GROUP, ' ');

export interface Sentence {
  text: string;
  /** Index of the paragraph or bullet the sentence belongs to. */
  block: number;
}

/**
 * Sentences of a Markdown answer: each line (bullet or paragraph line) is a block, split at
 * sentence ends followed by white space. A citation after the full stop stays with its sentence.
 */
export function splitSentences(answer: string): Sentence[] {
  const out: Sentence[] = [];
  answer
    .split(/\n+/)
    .map((l) => l.replace(/^\s*(?:[-*•]|\d+[.)])\s+/, '').trim())
    .filter(Boolean)
    .forEach((line, block) => {
      for (const s of line.split(/(?<=[.!?…](?:\s*\[\d[^\]]*\])*)\s+(?=\S)(?!\[\d)/)) {
        if (s.trim()) out.push({ text: s.trim(), block });
      }
    });
  return out;
}

/** Conversational words that carry no fact ("try", "voici"): never held against a sentence. */
const CONNECTIVES: Record<Lang, string[]> = {
  en: [
    'try', 'trying', 'let', 'lets', 'help', 'helps', 'here', 'follow', 'following', 'step', 'steps', 'first', 'then', 'next',
    'also', 'sure', 'need', 'needs', 'make', 'please', 'again', 'problem', 'issue', 'fix', 'solve', 'able', 'get', 'way',
    'done', 'once', 'start', 'things', 'thing', 'quick', 'simple', 'following', 'below', 'suggest', 'recommend', 'okay',
    'ok', 'finally', 'usually', 'often', 'sorry', 'hear', 'hope', 'happen', 'happening', 'case', 'means', 'mean', 'see',
  ],
  fr: [
    'essayez', 'essayer', 'voici', 'etape', 'etapes', 'ensuite', 'puis', 'abord', 'aussi', 'pouvez', 'devez', 'probleme',
    'souci', 'resoudre', 'regler', 'suivez', 'suivre', 'suivantes', 'suivants', 'commencez', 'enfin', 'desole', 'desolee',
    'rapide', 'simple', 'voila', 'merci', 'faire', 'faites', 'generalement', 'souvent', 'cas', 'bien', 'veuillez', 'aider',
  ],
};

const connectiveStems: Record<Lang, Set<string>> = {
  en: new Set(CONNECTIVES.en.flatMap((w) => [w, stem(w, 'en')])),
  fr: new Set(CONNECTIVES.fr.flatMap((w) => [w, stem(w, 'fr')])),
};

const URL_OR_EMAIL = /\b(?:https?:\/\/[^\s)\]]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)/gi;

/** The model claiming it acted: only the engine opens tickets or closes conversations. */
const ACTION_CLAIMS = [
  /\bi(?:'ve| have| just| already)?\s+(?:opened|created|raised|logged|submitted|escalated|reset|unlocked|resolved|closed|marked|changed|fixed|sent|assigned|updated)\b/,
  /\b(?:ticket|request|incident|issue|problem|case|conversation|account|password)\s+(?:has been|have been|was|is now|is|were)\s+(?:opened|created|raised|logged|submitted|escalated|reset|unlocked|resolved|closed|marked|fixed)\b/,
  /\bmark(?:ed|ing)?\s+(?:this|it|the (?:issue|ticket|conversation|problem))\s+as\s+(?:resolved|solved|closed|done)\b/,
  /\bj'ai\s+(?:\w+\s+)?(?:ouvert|cree|transmis|escalade|reinitialise|debloque|resolu|clos|cloture|ferme|marque|change|corrige|envoye|assigne)\b/,
  /\b(?:ticket|demande|incident|probleme|compte|mot de passe|conversation)\s+(?:a ete|est|est maintenant|ont ete)\s+(?:ouvert|cree|transmis|escalade|reinitialise|debloque|resolu|clos|cloture|ferme|marque|corrige)e?s?\b/,
  /\bmarque[es]*\s+comme\s+(?:resolue?|regle|clos|termine)e?s?\b/,
];

export function unsafeReason(sentence: string): string | undefined {
  const s = normalize(stripCitations(sentence));
  if (asksForSecret(s)) return `asks for a secret: "${sentence}"`;
  if (ACTION_CLAIMS.some((re) => re.test(s))) return `claims an action the bot did not take: "${sentence}"`;
  return undefined;
}

interface PassageIndex {
  tokens: Set<string>;
  stems: Set<string>;
  normalized: string;
}

function indexPassage(text: string, lang: Lang): PassageIndex {
  const tokens = contentTokens(text);
  return { tokens: new Set(tokens), stems: new Set(tokens.map((t) => stem(t, lang))), normalized: normalize(text) };
}

function supportOf(sentence: string, support: PassageIndex[], lang: Lang): { share: number; missing: string[]; total: number } {
  const words = contentTokens(stripCitations(sentence).replace(URL_OR_EMAIL, ' '));
  const missing: string[] = [];
  let counted = 0;
  for (const w of words) {
    const inPassage = support.some((p) => p.tokens.has(w) || (!isCode(w) && p.stems.has(stem(w, lang))));
    // Codes and numbers (ports, error codes, phone digits) must be copied, never made up.
    if (isCode(w)) {
      counted++;
      if (!inPassage) missing.push(w);
      continue;
    }
    if (connectiveStems[lang].has(w) || connectiveStems[lang].has(stem(w, lang))) continue;
    counted++;
    if (!inPassage) missing.push(w);
  }
  const codesMissing = missing.some(isCode);
  const share = counted === 0 ? 1 : (counted - missing.length) / counted;
  return { share: codesMissing ? 0 : share, missing, total: counted };
}

/** Validates an answer (citations already normalised) against the numbered passages it was given. */
export function checkGrounding(
  answer: string,
  passages: readonly NumberedPassage[],
  lang: Lang,
  options: GroundingOptions = {},
): GroundingResult {
  const minSupport = options.minSupport ?? DEFAULT_MIN_SUPPORT;
  const byNumber = new Map(passages.map((p) => [p.n, indexPassage(p.text, lang)]));
  const cited = citationsIn(answer);
  const unknown = cited.filter((n) => !byNumber.has(n));
  if (unknown.length) return { ok: false, problem: 'invalid_citation', detail: `cites [${[...new Set(unknown)].join('], [')}] which was not shown` };
  if (cited.length === 0) return { ok: false, problem: 'uncited', detail: 'the answer cites no passage' };

  for (const link of answer.match(URL_OR_EMAIL) ?? []) {
    const l = normalize(link).replace(/[.,;:]+$/, '');
    if (![...byNumber.values()].some((p) => p.normalized.includes(l))) {
      return { ok: false, problem: 'unsupported', detail: `link or address not in the passages: ${link}` };
    }
  }

  const sentences = splitSentences(answer);
  const answerCites = [...new Set(cited)];
  for (const sentence of sentences) {
    const unsafe = unsafeReason(sentence.text);
    if (unsafe) return { ok: false, problem: 'unsafe', detail: unsafe };
    // A sentence without its own citation borrows those of its line, then those of the answer.
    const own = citationsIn(sentence.text);
    const lineCites = sentences.filter((s) => s.block === sentence.block).flatMap((s) => citationsIn(s.text));
    const numbers = own.length ? own : lineCites.length ? lineCites : answerCites;
    const support = numbers.map((n) => byNumber.get(n)!);
    const { share, missing, total } = supportOf(sentence.text, support, lang);
    if (total > 0 && share < minSupport) {
      return {
        ok: false,
        problem: 'unsupported',
        detail: `"${sentence.text}" is not supported by [${numbers.join('], [')}] (missing: ${missing.join(', ')})`,
      };
    }
  }
  return { ok: true, cited: answerCites };
}
