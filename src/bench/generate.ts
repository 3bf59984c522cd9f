import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { articlesRoot, loadKnowledgeBase } from '../engine/knowledge/loader.js';
import { sectionParagraphs, splitSections } from '../engine/knowledge/markdown.js';
import type { Article } from '../engine/knowledge/types.js';
import type { Lang } from '../engine/lang.js';
import { createRandom, type Random } from './random.js';
import { DEVICES, errorCode, SITES, SYSTEMS, VOCABULARY, type Context } from './vocabulary.js';

/**
 * Benchmark knowledge bases of any size grown from the seed articles: the seeds themselves plus
 * generated EN/FR translation pairs, each a new article about a seed's topic made specific to a
 * system, device, error code or site. Titles are paraphrased (templates and phrase swaps), the
 * body is the error line and a resolution step of the seed or, a third of the time, of another
 * article of the same category, and `questions` come from a per-topic pool of paraphrased seed
 * questions (real knowledge bases repeat how users ask). Deterministic: pair n
 * depends only on the seed and n, so a smaller base is a prefix of a larger one and their texts
 * (hence cached embeddings) are shared.
 *
 * Bodies are short on purpose (an error line and one resolution step, about 15 words):
 * embedding every generated text with the default model on two cores is what bounds the
 * benchmark's run time (see README, Benchmarks).
 */

export interface GenerateOptions {
  seedDir: string;
  outDir: string;
  /** Total articles including the seeds; the generated part is rounded down to whole pairs. */
  articles: number;
  seed?: number;
}

export interface GeneratedKnowledgeBase {
  dir: string;
  articles: number;
  seeds: number;
  generated: number;
  /** Words of generated article bodies. */
  bodyWords: number;
}

interface SeedSide {
  article: Article;
  resolution: string[];
  questionPool: string[];
}

interface SeedPair {
  en: SeedSide;
  fr: SeedSide;
  category: string;
}

const QUESTION_POOL = 20;

/** A step cut to its first sentence, and a long one to its first clause. */
function shortSentence(text: string): string {
  const first = text.split(/(?<=[.!?])\s+/)[0]!.trim();
  if (first.split(/\s+/).length <= 12) return first;
  const clause = first.split(/\s*[:;]\s+|,\s+(?=then |puis )/)[0]!.replace(/[.,]$/, '');
  return clause.length < first.length && clause.split(/\s+/).length >= 4 ? `${clause}.` : first;
}
const lowerFirst = (s: string) => (s ? s[0]!.toLowerCase() + s.slice(1) : s);
const fill = (template: string, values: Record<string, string>) => template.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);

function paraphrase(text: string, lang: Lang, r: Random): string {
  let out = text;
  for (const [pattern, alternatives] of VOCABULARY[lang].swaps) {
    if (r.chance(0.6)) out = out.replace(pattern, () => r.pick(alternatives));
  }
  return out;
}

function seedSide(article: Article, r: Random): SeedSide {
  const resolution = splitSections(article.body).find((s) => s.heading === VOCABULARY[article.lang].headings.resolution);
  const pool = new Set<string>();
  for (let tries = 0; pool.size < QUESTION_POOL && tries < QUESTION_POOL * 20; tries++) {
    const q = paraphrase(r.pick(article.questions.length > 0 ? article.questions : [article.title]), article.lang, r);
    pool.add(fill(r.pick(VOCABULARY[article.lang].questions), { q }));
  }
  return { article, resolution: resolution ? sectionParagraphs(resolution.tokens).map(shortSentence) : [], questionPool: [...pool] };
}

function seedPairs(seedDir: string, seed: number): SeedPair[] {
  const kb = loadKnowledgeBase(seedDir);
  const pairs: SeedPair[] = [];
  const r = createRandom(seed);
  for (const en of kb.articles.filter((a) => a.lang === 'en').sort((a, b) => a.id.localeCompare(b.id))) {
    const fr = kb.articles.find((a) => a.lang === 'fr' && a.translationOf === en.id);
    if (!fr) continue;
    const pair = { en: seedSide(en, r), fr: seedSide(fr, r), category: en.category ?? 'general' };
    if (pair.en.resolution.length > 0 && pair.fr.resolution.length > 0) pairs.push(pair);
  }
  if (pairs.length === 0) throw new Error(`no EN/FR article pairs with a resolution section in ${seedDir}`);
  return pairs;
}

/** Choices shared by both languages of a generated pair, so the FR article translates the EN one. */
interface PairPlan {
  ctx: Context;
  titleTemplate: number;
  errorLine: number | undefined;
  step: number;
  borrowed: { pair: SeedPair; step: number } | undefined;
  questions: number[];
}

function planPair(pair: SeedPair, sameCategory: SeedPair[], r: Random): PairPlan {
  const steps = (p: SeedPair) => Math.min(p.en.resolution.length, p.fr.resolution.length);
  const siblings = sameCategory.filter((p) => p !== pair);
  const sibling = siblings.length > 0 && r.chance(0.35) ? r.pick(siblings) : undefined;
  const pool = Math.min(pair.en.questionPool.length, pair.fr.questionPool.length);
  return {
    ctx: { os: r.pick(SYSTEMS), device: r.pick(DEVICES), code: errorCode(r.next), site: r.pick(SITES) },
    titleTemplate: r.int(VOCABULARY.en.titles.length),
    errorLine: r.chance(0.5) ? r.int(VOCABULARY.en.errorLines.length) : undefined,
    step: r.int(steps(pair)),
    borrowed: sibling ? { pair: sibling, step: r.int(steps(sibling)) } : undefined,
    questions: r.sample(
      Array.from({ length: pool }, (_, i) => i),
      2 + r.int(2),
    ),
  };
}

function renderArticle(
  side: SeedSide,
  lang: Lang,
  plan: PairPlan,
  id: string,
  translationOf: string | undefined,
  title: string,
): { markdown: string; words: number } {
  const v = VOCABULARY[lang];
  const values = { ...plan.ctx };
  // The error code as the symptom when the article has one; then a step of the seed, or one
  // borrowed from another article of the same category.
  const step = plan.borrowed ? plan.borrowed.pair[lang].resolution[plan.borrowed.step]! : side.resolution[plan.step]!;
  const body = [
    ...(plan.errorLine !== undefined ? [`## ${v.headings.symptoms}`, `- ${fill(v.errorLines[plan.errorLine]!, values)}`] : []),
    `## ${v.headings.resolution}`,
    `1. ${step}`,
  ].join('\n\n');
  const front = {
    id,
    title,
    lang,
    ...(translationOf ? { translation_of: translationOf } : {}),
    category: side.article.category ?? 'general',
    tags: [...side.article.tags.slice(0, 4), plan.ctx.os.toLowerCase().replace(/[^a-z0-9]+/g, '-')],
    questions: plan.questions.map((i) => side.questionPool[i]!),
  };
  return { markdown: `---\n${stringify(front)}---\n\n${body}\n`, words: body.split(/\s+/).length };
}

function uniqueTitle(side: SeedSide, lang: Lang, plan: PairPlan, used: Set<string>, r: Random): string {
  const templates = VOCABULARY[lang].titles;
  for (let attempt = 0; ; attempt++) {
    const base = paraphrase(side.article.title, lang, r);
    // After a few collisions, another template; after many, a fresh error code makes it unique.
    const template = templates[(plan.titleTemplate + Math.floor(attempt / 3)) % templates.length]!;
    const ctx = attempt < 3 * templates.length ? plan.ctx : { ...plan.ctx, code: errorCode(r.next) };
    const title = fill(template, { ...ctx, T: base, t: lowerFirst(base) });
    if (!used.has(title)) {
      used.add(title);
      return title;
    }
  }
}

export function generateKnowledgeBase(options: GenerateOptions): GeneratedKnowledgeBase {
  const seed = options.seed ?? 20_251;
  const pairs = seedPairs(options.seedDir, seed);
  const seedArticles = loadKnowledgeBase(options.seedDir).articles.length;
  const generatedPairs = Math.max(0, Math.floor((options.articles - seedArticles) / 2));
  rmSync(options.outDir, { recursive: true, force: true });
  mkdirSync(join(options.outDir, 'generated'), { recursive: true });
  cpSync(articlesRoot(options.seedDir), join(options.outDir, 'seed'), { recursive: true });

  const byCategory = new Map<string, SeedPair[]>();
  for (const p of pairs) byCategory.set(p.category, [...(byCategory.get(p.category) ?? []), p]);
  const used: Record<Lang, Set<string>> = { en: new Set(pairs.map((p) => p.en.article.title)), fr: new Set(pairs.map((p) => p.fr.article.title)) };
  let bodyWords = 0;
  for (let n = 0; n < generatedPairs; n++) {
    const pair = pairs[n % pairs.length]!;
    const r = createRandom(seed * 7919 + n);
    const plan = planPair(pair, byCategory.get(pair.category) ?? [], r);
    const name = `g${String(n).padStart(5, '0')}`;
    const enId = `${name}-${pair.en.article.id}`;
    const en = renderArticle(pair.en, 'en', plan, enId, undefined, uniqueTitle(pair.en, 'en', plan, used.en, r));
    const fr = renderArticle(pair.fr, 'fr', plan, `${name}-${pair.fr.article.id}`, enId, uniqueTitle(pair.fr, 'fr', plan, used.fr, r));
    writeFileSync(join(options.outDir, 'generated', `${name}-en.md`), en.markdown);
    writeFileSync(join(options.outDir, 'generated', `${name}-fr.md`), fr.markdown);
    bodyWords += en.words + fr.words;
  }
  return {
    dir: options.outDir,
    articles: seedArticles + generatedPairs * 2,
    seeds: seedArticles,
    generated: generatedPairs * 2,
    bodyWords,
  };
}

/** The seed topic an article of a generated base is about: its seed's id without language suffix. */
export const seedTopic = (articleId: string) => articleId.replace(/^g\d+-/, '').replace(/-fr$/, '');
