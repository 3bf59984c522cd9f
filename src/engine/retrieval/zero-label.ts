import { createHash } from 'node:crypto';
import type { CalibrationExample } from '../gate/calibrate.js';
import { buildFamilies } from '../knowledge/families.js';
import { pseudoQuestions, type PseudoQuestion } from '../knowledge/pseudo-questions.js';
import type { Article } from '../knowledge/types.js';
import type { Lang } from '../lang.js';
import { CharNgramIndex } from './char-ngrams.js';
import { articleEntries } from './entries.js';
import { LexicalIndex } from './lexical.js';
import { SectionIndex, sectionsOf } from './sections.js';
import { prepareQuery } from './prepare.js';
import { retrieve, type DenseState } from './retrieve.js';
import type { Snapshot } from './snapshot.js';
import type { VectorIndex } from './vector-index.js';
import { uncalibratedModel } from '../gate/model.js';

/**
 * Labelled examples for calibrating on a knowledge base that has none (zero-label calibration).
 * Answerable: pseudo-questions drawn from each article (pseudo-questions.ts), each asked against
 * an index from which the text it came from was taken out (leave-one-out), in `folds` passes so
 * every article lends one question per pass. Must-escalate: in each pass a share of the article
 * families is left out of the index entirely and their questions must find nothing; plus a
 * bank of out-of-scope messages (IT admin, facilities, HR, chit-chat) asked against the whole
 * knowledge base. Every retrieval is computed as the bot computes it (same features).
 */

export interface OutOfScopeMessage {
  id: string;
  query: string;
  lang?: Lang;
}

export interface ZeroLabelOptions {
  outOfScope: readonly OutOfScopeMessage[];
  /** Query vectors (cached by the caller); absent for lexical-only. */
  embedQueries?: (texts: string[]) => Promise<Float32Array[]>;
  folds?: number;
  /** Share of families left out of the index in each pass (their questions must escalate). */
  leaveOutShare?: number;
  /** Cap on answerable / left-out examples, sampled evenly (calibration time grows with them). */
  maxAnswerable?: number;
  maxLeftOut?: number;
  onProgress?: (message: string) => void;
  /**
   * Awaited between small batches of questions: a server calibrating in the background passes a
   * yield to its event loop here, so answers keep flowing while the examples are computed.
   */
  pause?: () => Promise<void>;
}

export interface ZeroLabelExamples {
  hybrid?: CalibrationExample[];
  lexical: CalibrationExample[];
  counts: { articles: number; pseudoQuestions: number; answerable: number; leftOut: number; bank: number };
}

/** Questions asked between two pauses (see ZeroLabelOptions.pause). */
const PAUSE_EVERY = 10;

/** Deterministic value in [0,1) for a string, to pick samples without a random generator. */
function unit(s: string): number {
  return createHash('sha256').update(s).digest().readUInt32BE(0) / 2 ** 32;
}

interface Planned {
  article: Article;
  question: PseudoQuestion;
  fold: number;
  leftOut: boolean;
}

/** The article as indexed while `question` is asked: its source text removed. */
function masked(article: Article, question: PseudoQuestion | undefined): { title: string; body: string; questions: string[] } {
  if (!question) return { title: article.title, body: article.body, questions: article.questions };
  if (question.mask.kind === 'title') return { title: '', body: article.body, questions: article.questions };
  return { title: article.title, body: article.body.replace(question.mask.line, ''), questions: article.questions };
}

/**
 * The article's sections as indexed while `question` is asked. A question drawn from a line takes
 * its whole section out, as the dense index hides its chunk: users do not word a problem the way
 * the section does, and with the rest of the section left in (its heading, the words around the
 * line) pseudo-questions found their section far more easily than real questions do, so the ranker
 * learnt to trust the best section over everything else (measured on the third-party
 * calibration split: recall@1 0.306 with the line alone taken out, 0.351 with the section).
 */
export function maskedSections(article: Article, question: PseudoQuestion | undefined) {
  const sections = sectionsOf(article);
  if (!question) return sections;
  if (question.mask.kind === 'title') return sections.map((s) => ({ ...s, title: '', text: s.text.replace(article.title, '') }));
  // Sections hold plain text, so the question's plain text (not its Markdown line) is looked for.
  const probe = question.text.slice(0, 40);
  return sections.filter((s) => !`${s.heading} ${s.text.replace(/\s+/g, ' ')}`.includes(probe));
}

/** A vector index without some entries (HNSW cannot delete cheaply: over-fetch and filter). */
function filtered(index: VectorIndex, dropped: ReadonlySet<string>): VectorIndex {
  return {
    size: index.size,
    search: (q, k) => index.search(q, Math.min(index.size, k * 2 + 20)).filter((h) => !dropped.has(h.key)).slice(0, k),
  };
}

export async function zeroLabelExamples(snapshot: Snapshot, options: ZeroLabelOptions): Promise<ZeroLabelExamples> {
  const folds = options.folds ?? 4;
  const leaveOut = options.leaveOutShare ?? 0.15;
  const articles = snapshot.kb.articles;
  const ranker = uncalibratedModel('hybrid').ranker; // any ranker: calibration re-ranks on the features
  const familyOf = (id: string) => snapshot.families.familyOf.get(id) ?? id;
  const questionsOf = new Map(articles.map((a) => [a.id, pseudoQuestions(a, folds)]));

  // One question per article and pass; a family left out in a pass lends its questions as must-escalate.
  let planned: Planned[] = [];
  for (let fold = 0; fold < folds; fold++) {
    for (const article of articles) {
      const question = questionsOf.get(article.id)![fold];
      if (!question) continue;
      planned.push({ article, question, fold, leftOut: unit(`${familyOf(article.id)}:${fold}`) < leaveOut });
    }
  }
  const cap = (list: Planned[], max: number | undefined) =>
    max !== undefined && list.length > max ? [...list].sort((a, b) => unit(`${a.article.id}:${a.fold}`) - unit(`${b.article.id}:${b.fold}`)).slice(0, max) : list;
  const answerablePlan = cap(planned.filter((p) => !p.leftOut), options.maxAnswerable);
  const leftOutPlan = cap(planned.filter((p) => p.leftOut), options.maxLeftOut);
  planned = [...answerablePlan, ...leftOutPlan];

  // What will be embedded: each question as the bot would embed it (focused, and its English rendering).
  const texts = [
    ...new Set(
      [...planned.map((p) => [p.question.text, p.article.lang] as const), ...options.outOfScope.map((m) => [m.query, m.lang] as const)].flatMap(([text, lang]) => {
        const prepared = prepareQuery(snapshot, text, snapshot.detectLang(text, lang ?? 'en'));
        return prepared.translated ? [prepared.focused, prepared.translated] : [prepared.focused];
      }),
    ),
  ];
  const vectors = new Map<string, Float32Array>();
  if (options.embedQueries && snapshot.dense) {
    options.onProgress?.(`embedding ${texts.length} calibration questions`);
    const out = await options.embedQueries(texts);
    texts.forEach((t, i) => vectors.set(t, out[i]!));
  }
  const hybrid: CalibrationExample[] = [];
  const lexical: CalibrationExample[] = [];
  const vectorsByHash = snapshot.dense?.vectorsByHash;

  const ask = (
    id: string,
    text: string,
    lang: Lang | undefined,
    expected: Set<string>,
    view: { lexical: LexicalIndex; sections: SectionIndex; chars: CharNgramIndex; families: ReturnType<typeof buildFamilies>; dense?: DenseState },
  ) => {
    const detected = snapshot.detectLang(text, lang ?? 'en');
    const { analyzed: query, focused, translated } = prepareQuery({ lexical: view.lexical, englishOnly: snapshot.englishOnly }, text, detected);
    const base = { query, lexical: view.lexical, sections: view.sections, chars: view.chars, families: view.families, ranker };
    lexical.push({ id, lang: lang ?? detected, retrieval: retrieve(base), expectedFamilies: expected });
    const vector = vectors.get(focused);
    if (view.dense && vector && query.tokens.length > 0) {
      const dense = { state: view.dense, vector, translated: translated ? vectors.get(translated) : undefined, englishOnly: snapshot.englishOnly };
      hybrid.push({ id, lang: lang ?? detected, retrieval: retrieve({ ...base, dense }), expectedFamilies: expected });
    }
  };

  for (let fold = 0; fold < folds; fold++) {
    const inFold = planned.filter((p) => p.fold === fold);
    if (inFold.length === 0) continue;
    options.onProgress?.(`calibration pass ${fold + 1}/${folds}: ${inFold.length} questions`);
    const removed = new Set(planned.filter((p) => p.fold === fold && p.leftOut).map((p) => familyOf(p.article.id)));
    // Families left out in this pass, whether or not one of their questions was sampled.
    for (const a of articles) if (unit(`${familyOf(a.id)}:${fold}`) < leaveOut) removed.add(familyOf(a.id));
    const maskOf = new Map(inFold.filter((p) => !p.leftOut).map((p) => [p.article.id, p.question]));
    const kept = articles.filter((a) => !removed.has(familyOf(a.id)));
    const views = new Map(kept.map((a) => [a.id, masked(a, maskOf.get(a.id))]));
    const lexicalIndex = new LexicalIndex(
      kept.map((a) => {
        const v = views.get(a.id)!;
        return { id: a.id, lang: a.lang, title: v.title, questions: v.questions, ...(a.learned ? { learned: a.learned } : {}), meta: [a.summary, a.category, ...a.tags].filter(Boolean).join(' '), body: v.body };
      }),
    );
    const sections = new SectionIndex(kept.flatMap((a) => maskedSections(a, maskOf.get(a.id))));
    const chars = new CharNgramIndex(new Map(kept.map((a) => [a.id, [views.get(a.id)!.title, ...views.get(a.id)!.questions, ...(a.learned ?? [])].filter((t) => t)])));
    const families = buildFamilies(kept);
    let dense: DenseState | undefined;
    if (snapshot.dense && vectorsByHash) {
      const dropped = new Set<string>();
      const byArticle = new Map<string, { kind: 'chunk' | 'title' | 'question'; vector: Float32Array }[]>();
      for (const a of articles) {
        const entries = articleEntries(a);
        if (removed.has(familyOf(a.id))) {
          for (const e of entries) dropped.add(e.key);
          continue;
        }
        const q = maskOf.get(a.id);
        const probe = q?.text.slice(0, 40);
        const list: { kind: 'chunk' | 'title' | 'question'; vector: Float32Array }[] = [];
        for (const e of entries) {
          const hide = q && ((q.mask.kind === 'title' && e.kind === 'title') || (q.mask.kind === 'line' && e.kind === 'chunk' && probe && e.text.includes(probe)));
          const vector = vectorsByHash.get(e.hash);
          if (hide || !vector) dropped.add(e.key);
          else list.push({ kind: e.kind, vector });
        }
        byArticle.set(a.id, list);
      }
      dense = { index: filtered(snapshot.dense.index, dropped), byArticle, articleOfKey: (k) => (dropped.has(k) ? undefined : snapshot.dense!.articleOfKey(k)) };
    }
    const view = { lexical: lexicalIndex, sections, chars, families, dense };
    let asked = 0;
    await options.pause?.();
    for (const p of inFold) {
      if (++asked % PAUSE_EVERY === 0) await options.pause?.();
      const expected = p.leftOut ? new Set<string>() : new Set([families.familyOf.get(p.article.id) ?? p.article.id]);
      ask(`${p.article.id}#${p.question.origin}@${fold}`, p.question.text, p.article.lang, expected, view);
    }
  }
  options.onProgress?.(`out-of-scope bank: ${options.outOfScope.length} messages`);
  const full = { lexical: snapshot.lexical, sections: snapshot.sections, chars: snapshot.chars, families: snapshot.families, dense: snapshot.dense };
  let asked = 0;
  for (const m of options.outOfScope) {
    if (++asked % PAUSE_EVERY === 0) await options.pause?.();
    ask(`bank:${m.id}`, m.query, m.lang, new Set(), full);
  }

  return {
    hybrid: snapshot.dense && options.embedQueries ? hybrid : undefined,
    lexical,
    counts: {
      articles: articles.length,
      pseudoQuestions: [...questionsOf.values()].reduce((s, l) => s + l.length, 0),
      answerable: answerablePlan.length,
      leftOut: leftOutPlan.length,
      bank: options.outOfScope.length,
    },
  };
}
