import { buildFamilies, type Families } from '../knowledge/families.js';
import { loadKnowledgeBase, type ParseCache } from '../knowledge/loader.js';
import type { Article, KnowledgeBase } from '../knowledge/types.js';
import type { Lang } from '../lang.js';
import type { Embedder } from '../ports/embedder.js';
import { embedEntries, type EmbedProgress } from './embed-entries.js';
import { articleEntries, entriesHash, type EmbedText } from './entries.js';
import { createLanguageDetector, type DetectLang } from './lang-detect.js';
import { CharNgramIndex } from './char-ngrams.js';
import { LexicalIndex, type FieldBoosts } from './lexical.js';
import { SectionIndex, sectionsOf } from './sections.js';
import type { DenseState } from './retrieve.js';
import { contentTokens, isCode } from './text.js';
import { BruteForceIndex, VectorTable, type EmbeddingCache, type VectorLookup, type VectorIndexStore } from './vector-index.js';

/**
 * Everything a decision reads, built in one go and never mutated: a reload builds a new
 * snapshot next to the live one and swaps the reference, so questions asked during a reload are
 * answered from the old knowledge, never from a half-built one.
 */
export interface Snapshot {
  kb: KnowledgeBase;
  families: Families;
  /** Families with an English member and no French one: French questions reach them through translation. */
  englishOnly: ReadonlySet<string>;
  lexical: LexicalIndex;
  sections: SectionIndex;
  chars: CharNgramIndex;
  detectLang: DetectLang;
  dense?: DenseState & { vectorsByHash: VectorLookup; count: number };
  chunks: number;
  /** Problems met while building (embeddings failed, index rebuilt…). */
  warnings: string[];
  /** Texts embedded while building this snapshot. */
  embedded: number;
  /** Questions the desk tied to articles that are in this snapshot (how many). */
  learned: number;
  /** Questions the desk said must go to a technician (gate: a near-copy is escalated). */
  escalations: { index: CharNgramIndex; count: number };
  loadedAt: string;
}

export interface BuildOptions {
  kbDir: string;
  maxChunkTokens?: number;
  fieldBoosts?: FieldBoosts;
  /** Ready embedder, or undefined for lexical-only. */
  embedder?: Embedder;
  cache?: EmbeddingCache;
  vectorStore?: VectorIndexStore;
  /** Snapshot being replaced: its vectors are reused for unchanged texts. */
  previous?: Snapshot;
  /** Parsed articles of earlier loads, re-parsed only when their file's text changed. */
  parseCache?: ParseCache;
  /**
   * Questions the desk tied to articles (article id → questions), matched as the articles' own
   * questions; those of articles no longer in the knowledge base are ignored.
   */
  learned?: LearnedQuestions;
  /** Questions the desk said must go to a technician ("should have escalated"). */
  escalations?: readonly string[];
  onProgress?: (progress: EmbedProgress) => void;
  log?: (message: string) => void;
}

export type LearnedQuestions = ReadonlyMap<string, readonly string[]>;

/** What the desk taught (its labelled examples): questions tied to articles, and questions that must go to a technician. */
export interface DeskLearning {
  questions: LearnedQuestions;
  escalations: readonly string[];
}

/** The knowledge base with each article's learned questions attached (the parsed articles are shared, so copies). */
function withLearned(kb: KnowledgeBase, learned: LearnedQuestions | undefined): { kb: KnowledgeBase; count: number } {
  if (!learned || learned.size === 0) return { kb, count: 0 };
  let count = 0;
  const articles = kb.articles.map((a) => {
    const questions = [...new Set(learned.get(a.id) ?? [])];
    count += questions.length;
    return questions.length ? { ...a, learned: questions } : a;
  });
  return { kb: { ...kb, articles, byId: new Map(articles.map((a) => [a.id, a])) }, count };
}

/** The owner every learned escalation is filed under in its trigram index. */
export const ESCALATIONS = 'desk-escalations';

function learnedEscalations(list: readonly string[] | undefined): Snapshot['escalations'] {
  const texts = [...new Set(list ?? [])];
  return { index: new CharNgramIndex(new Map([[ESCALATIONS, texts]])), count: texts.length };
}

function languageVocabulary(articles: readonly Article[]): { en: Set<string>; fr: Set<string> } {
  const words: Record<Lang, Set<string>> = { en: new Set(), fr: new Set() };
  for (const a of articles) {
    for (const w of contentTokens(`${a.title} ${a.questions.join(' ')} ${a.summary ?? ''} ${a.body}`)) {
      if (!isCode(w)) words[a.lang].add(w);
    }
  }
  return {
    en: new Set([...words.en].filter((w) => !words.fr.has(w))),
    fr: new Set([...words.fr].filter((w) => !words.en.has(w))),
  };
}

async function buildDense(
  kb: KnowledgeBase,
  embedder: Embedder,
  options: BuildOptions,
): Promise<{ dense: NonNullable<Snapshot['dense']>; embedded: number; rebuiltBecause?: string; updatedInPlace?: { added: number; removed: number } }> {
  const entries: EmbedText[] = kb.articles.flatMap(articleEntries);
  const previous = options.previous?.dense?.vectorsByHash;
  let embedded = 0;
  const computed = await embedEntries(embedder, entries, {
    cache: options.cache,
    previous,
    concurrency: embedder.concurrency ?? 1,
    onProgress: (p) => {
      embedded = p.done - p.reused;
      options.onProgress?.(p);
    },
  });
  // One contiguous copy; the per-text arrays from the cache and the embedder become garbage.
  const byHash = new VectorTable(embedder.dimension, computed);
  computed.clear();
  const vectorEntries = entries.map((e) => ({ key: e.key, vector: byHash.get(e.hash)! }));
  const manifest = {
    provider: embedder.provider,
    model: embedder.model,
    dimension: embedder.dimension,
    knowledgeHash: entriesHash(entries),
  };
  let index: DenseState['index'];
  let rebuiltBecause: string | undefined;
  let updatedInPlace: { added: number; removed: number } | undefined;
  if (options.vectorStore) {
    const opened = await options.vectorStore.open(manifest, vectorEntries);
    index = opened.index;
    rebuiltBecause = opened.rebuiltBecause;
    updatedInPlace = opened.updatedInPlace;
  } else {
    index = new BruteForceIndex(vectorEntries);
  }
  const articleOfKey = new Map(entries.map((e) => [e.key, e.articleId]));
  const byArticle = new Map<string, { kind: EmbedText['kind']; vector: Float32Array }[]>();
  for (const e of entries) {
    let list = byArticle.get(e.articleId);
    if (!list) byArticle.set(e.articleId, (list = []));
    list.push({ kind: e.kind, vector: byHash.get(e.hash)! });
  }
  return {
    dense: { index, byArticle, articleOfKey: (k) => articleOfKey.get(k), vectorsByHash: byHash, count: entries.length },
    embedded,
    rebuiltBecause,
    ...(updatedInPlace ? { updatedInPlace } : {}),
  };
}

export async function buildSnapshot(options: BuildOptions): Promise<Snapshot> {
  const loaded = loadKnowledgeBase(options.kbDir, { maxChunkTokens: options.maxChunkTokens, ...(options.parseCache ? { reuse: options.parseCache } : {}) });
  const { kb, count: learned } = withLearned(loaded, options.learned);
  const families = buildFamilies(kb.articles);
  const lexical = new LexicalIndex(
    kb.articles.map((a) => ({
      id: a.id,
      lang: a.lang,
      title: a.title,
      questions: a.questions,
      ...(a.learned ? { learned: a.learned } : {}),
      meta: [a.summary, a.category, ...a.tags].filter(Boolean).join(' '),
      body: a.body,
    })),
    options.fieldBoosts,
  );
  const warnings: string[] = [];
  let dense: Snapshot['dense'];
  let embedded = 0;
  if (options.embedder && kb.articles.length > 0) {
    try {
      const built = await buildDense(kb, options.embedder, options);
      dense = built.dense;
      embedded = built.embedded;
      if (built.rebuiltBecause) options.log?.(`vector index rebuilt: ${built.rebuiltBecause}`);
      if (built.updatedInPlace) options.log?.(`vector index updated in place: ${built.updatedInPlace.added} points added, ${built.updatedInPlace.removed} removed`);
    } catch (err) {
      warnings.push(
        `embeddings failed (${err instanceof Error ? err.message : String(err)}): answering with lexical retrieval only`,
      );
    }
  }
  if (kb.articles.length === 0) warnings.push(`no articles found in ${options.kbDir}: every question will be escalated`);
  if (kb.brokenFiles.length > 0) {
    warnings.push(`${kb.brokenFiles.length} knowledge file(s) skipped, run \`helpdesk lint\`: ${kb.brokenFiles.join(', ')}`);
  }
  const frenchFamilies = new Set(kb.articles.filter((a) => a.lang === 'fr').map((a) => families.familyOf.get(a.id) ?? a.id));
  const englishOnly = new Set(kb.articles.filter((a) => a.lang === 'en').map((a) => families.familyOf.get(a.id) ?? a.id).filter((f) => !frenchFamilies.has(f)));
  return {
    kb,
    families,
    englishOnly,
    lexical,
    sections: new SectionIndex(kb.articles.flatMap(sectionsOf)),
    chars: new CharNgramIndex(new Map(kb.articles.map((a) => [a.id, [a.title, ...a.questions, ...(a.learned ?? [])]]))),
    detectLang: createLanguageDetector(languageVocabulary(kb.articles)),
    dense,
    chunks: kb.articles.reduce((s, a) => s + a.chunks.length, 0),
    warnings,
    embedded,
    learned,
    escalations: learnedEscalations(options.escalations),
    loadedAt: new Date().toISOString(),
  };
}
