import type { Lang } from '../lang.js';
import type { ChatMessage } from '../ports/llm.js';
import { redact } from '../redact.js';
import { estimateTokens, fitPassages } from './budget.js';
import { delimiters as makeDelimiters, type Delimiters } from './delimit.js';
import { checkGrounding, citationsIn, normalizeCitations, type GroundingOptions, type GroundingProblem, type NumberedPassage } from './grounding.js';
import { cleanForModel } from './privacy.js';
import { answerSystemPrompt, NOT_ENOUGH_INFO } from './prompts.js';

/**
 * Grounded answer synthesis: the prompt holds the chosen article's passages (numbered, delimited)
 * and the redacted question; the reply is accepted only if it passes the grounding check, and its
 * passage citations are renumbered to the articles shown under the answer.
 */

export interface AnswerArticle {
  id: string;
  /** Passages in article order (retrieval chunks, or the summary and steps). */
  passages: ReadonlyArray<{ text: string }>;
}

export interface AnswerInput {
  /** The question (already redacted of secrets by the engine; personal data is removed here). */
  question: string;
  lang: Lang;
  /** Articles in the order their citations are shown: [1] is the first. */
  articles: readonly AnswerArticle[];
  /** The user's name(s), removed from the question. */
  userNames?: readonly string[];
}

export interface PreparedAnswer {
  messages: ChatMessage[];
  passages: Array<NumberedPassage & { articleId: string }>;
  lang: Lang;
  articleIds: string[];
}

export type AnswerFallback = 'not_enough_info' | 'truncated' | 'empty' | 'wrong_language' | GroundingProblem;

export type AnswerOutcome =
  | { ok: true; text: string; articleIds: string[] }
  | { ok: false; reason: AnswerFallback; detail: string };

export interface PrepareOptions {
  /** Tokens the prompt may use (system prompt, passages and question together). */
  inputTokens: number;
  delimiters?: Delimiters;
}

export function prepareAnswer(input: AnswerInput, options: PrepareOptions): PreparedAnswer {
  const d = options.delimiters ?? makeDelimiters();
  const system = answerSystemPrompt(d, input.lang);
  const question = cleanForModel(input.question, { names: input.userNames ?? [] });
  const all = input.articles.flatMap((a) => a.passages.map((p) => ({ articleId: a.id, text: redact(p.text).text })));
  // Room for the instructions, the question and the block tags around every passage.
  const overhead = estimateTokens(system) + estimateTokens(question) + 40 + all.length * 12;
  const kept = fitPassages(all, Math.max(64, options.inputTokens - overhead), question, input.lang);
  const passages = kept.map((p, i) => ({ ...p, n: i + 1 }));
  const user = [
    ...passages.map((p) => d.block('passage', p.text, { n: p.n })),
    d.block('question', question),
    `Answer the question in the <${d.tag('question')}> block using only the passages above, following your rules.`,
  ].join('\n\n');
  return {
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: user },
    ],
    passages,
    lang: input.lang,
    articleIds: input.articles.map((a) => a.id),
  };
}

export interface InterpretOptions extends GroundingOptions {
  finishReason?: string;
  /** Language check on the reply; skipped when absent. */
  detectLang?: (text: string, fallback: Lang) => Lang;
}

/** Replaces passage numbers by article numbers and drops repeats ("[1][1]" → "[1]"). */
function toArticleCitations(text: string, prepared: PreparedAnswer): string {
  const articleNumber = (n: number): number => {
    const articleId = prepared.passages.find((p) => p.n === n)?.articleId;
    return prepared.articleIds.indexOf(articleId ?? '') + 1;
  };
  return text
    .replace(/\[(\d+)\]/g, (_m, n: string) => `[${articleNumber(Number(n))}]`)
    .replace(/(\[\d+\])(?:\s*\1)+/g, '$1');
}

/** Keeps the reply inside the channels' Markdown subset: numbered lines become bullets, headings bold. */
function tidyMarkdown(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/^\s*\d+[.)]\s+/, '- ').replace(/^\s*#{1,6}\s+(.+?)\s*#*$/, '**$1**'))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n');
}

/** Where the model's text may be cut while it is still writing: after a sentence (and its citations) or a line. */
const SENTENCE_END = /(?:[.!?:](?:\s*\[\d+\])*[ \t]+|\n)/g;

/**
 * The part of a reply still being written that can be shown already: its complete sentences, if
 * they pass the grounding check as they stand (citations renumbered like the final answer).
 * Undefined while nothing checkable is there. The whole reply is still checked at the end.
 */
export function checkedPrefix(partial: string, prepared: PreparedAnswer, options: GroundingOptions = {}): string | undefined {
  let cut = -1;
  for (const m of partial.matchAll(SENTENCE_END)) cut = m.index + m[0].length;
  if (cut <= 0) return undefined;
  const text = normalizeCitations(partial.slice(0, cut).replace(/^```(?:\w+)?\n?/, '').trim());
  if (!text || text.includes(NOT_ENOUGH_INFO) || text.includes('```')) return undefined;
  if (!checkGrounding(text, prepared.passages, prepared.lang, options).ok) return undefined;
  return tidyMarkdown(toArticleCitations(text, prepared));
}

export function interpretAnswer(raw: string, prepared: PreparedAnswer, options: InterpretOptions = {}): AnswerOutcome {
  const text = normalizeCitations(raw.trim().replace(/^```(?:\w+)?\n?|\n?```$/g, '').trim());
  if (text.includes(NOT_ENOUGH_INFO)) return { ok: false, reason: 'not_enough_info', detail: 'the model found no answer in the passages' };
  if (options.finishReason === 'length') return { ok: false, reason: 'truncated', detail: 'the reply hit the token limit' };
  if (!text) return { ok: false, reason: 'empty', detail: 'empty reply' };
  const grounding = checkGrounding(text, prepared.passages, prepared.lang, options);
  if (!grounding.ok) return { ok: false, reason: grounding.problem, detail: grounding.detail };
  const prose = text.replace(/\[\d+\]/g, ' ');
  if (options.detectLang && prose.split(/\s+/).length >= 8 && options.detectLang(prose, prepared.lang) !== prepared.lang) {
    return { ok: false, reason: 'wrong_language', detail: `the reply is not in ${prepared.lang}` };
  }
  const articleIds = [...new Set(citationsIn(text).map((n) => prepared.passages.find((p) => p.n === n)!.articleId))];
  return { ok: true, text: tidyMarkdown(toArticleCitations(text, prepared)), articleIds };
}
