import type { Lang } from '../lang.js';
import { addInto, cosine, normalise, questionVector, type TermVector, type TermWeight } from './similarity.js';
import type { TopicSummary } from './topics.js';

/**
 * Gaps: what the knowledge base does not answer. Escalated, clarified (or low-confidence) and 👎 questions are
 * grouped by similarity (greedy centroid clustering, then a merge pass) so technicians see the
 * largest unmet needs first and can write one article per group.
 */

export type GapReason = 'escalated' | 'low_confidence' | 'negative_feedback';

export interface GapItem {
  topicId: string;
  conversationId: string;
  question: string;
  lang: Lang;
  at: string;
  reasons: GapReason[];
  confidence?: number;
  /** Articles shown for it (the ones that did not help, for 👎). */
  articleIds: string[];
}

export interface GapCluster {
  /** Stable key: the topic id of the most central member. */
  key: string;
  /** The most central question: a starting title for an article. */
  label: string;
  items: GapItem[];
  /** Distinct questions, most central first (what the article's `questions` should cover). */
  questions: string[];
  reasons: Record<GapReason, number>;
  langs: Lang[];
  lastAt: string;
}

export interface GapOptions {
  /** Decisions below this confidence make a question a gap. */
  lowConfidence: number;
}

export function gapItems(topics: readonly TopicSummary[], options: GapOptions): GapItem[] {
  const out: GapItem[] = [];
  for (const t of topics) {
    if (!t.question) continue;
    const reasons: GapReason[] = [];
    // "low_confidence" covers every topic the gate was unsure about: it asked which article was
    // meant, or its confidence on the question was below the threshold.
    const unsure = t.decisions.some((d) => d.kind === 'clarify') || (t.confidence !== undefined && t.confidence < options.lowConfidence);
    const unhelpful = t.feedback.some((f) => f === 'no' || f === 'none');
    // An escalation after a confident answer nobody marked unhelpful is someone wanting a person,
    // not a missing article: the knowledge base already answers that question.
    const answeredConfidently = t.articlesShown.length > 0 && t.decisions.some((d) => d.kind === 'answer' && (d.confidence ?? 0) >= options.lowConfidence);
    if (t.escalated && (unsure || unhelpful || !answeredConfidently)) reasons.push('escalated');
    if (unsure) reasons.push('low_confidence');
    if (unhelpful) reasons.push('negative_feedback');
    if (!reasons.length) continue;
    out.push({
      topicId: t.id,
      conversationId: t.conversationId,
      question: t.question,
      lang: t.lang,
      at: t.startedAt,
      reasons,
      ...(t.confidence !== undefined ? { confidence: t.confidence } : {}),
      articleIds: [...new Set(t.articlesShown)],
    });
  }
  return out;
}

interface Working {
  members: number[];
  sum: TermVector;
  centroid: TermVector;
}

function add(c: Working, index: number, v: TermVector): void {
  c.members.push(index);
  addInto(c.sum, v);
  c.centroid = normalise(new Map(c.sum));
}

/** Default similarity for two questions to share a group. */
export const GAP_SIMILARITY = 0.4;

export interface ClusterOptions {
  threshold?: number;
  /** Term weights (idfWeights over the knowledge base); plain term counts without. */
  weight?: TermWeight;
}

export function clusterGaps(items: readonly GapItem[], options: ClusterOptions = {}): GapCluster[] {
  const threshold = options.threshold ?? GAP_SIMILARITY;
  // Deterministic: oldest first, so a group's key does not move as new questions arrive.
  const order = items.map((_, i) => i).sort((a, b) => items[a]!.at.localeCompare(items[b]!.at) || items[a]!.topicId.localeCompare(items[b]!.topicId));
  const vectors = items.map((i) => questionVector(i.question, i.lang, options.weight));
  let clusters: Working[] = [];
  for (const i of order) {
    const v = vectors[i]!;
    let best: Working | undefined;
    let bestSim = threshold;
    for (const c of clusters) {
      const s = v.size ? cosine(v, c.centroid) : 0;
      if (s >= bestSim) {
        best = c;
        bestSim = s;
      }
    }
    if (best) add(best, i, v);
    else {
      const c: Working = { members: [], sum: new Map(), centroid: new Map() };
      add(c, i, v);
      clusters.push(c);
    }
  }
  // Merge pass: early members may have opened groups that the grown centroids now join.
  for (let merged = true; merged; ) {
    merged = false;
    clusters.sort((a, b) => b.members.length - a.members.length);
    outer: for (let a = 0; a < clusters.length; a++) {
      for (let b = a + 1; b < clusters.length; b++) {
        const ca = clusters[a]!;
        const cb = clusters[b]!;
        if (ca.centroid.size && cosine(ca.centroid, cb.centroid) >= threshold) {
          for (const m of cb.members) add(ca, m, vectors[m]!);
          clusters = clusters.filter((_, k) => k !== b);
          merged = true;
          break outer;
        }
      }
    }
  }

  return clusters
    .map((c): GapCluster => {
      const central = [...c.members].sort(
        (a, b) => cosine(vectors[b]!, c.centroid) - cosine(vectors[a]!, c.centroid) || items[a]!.at.localeCompare(items[b]!.at),
      );
      const members = central.map((m) => items[m]!);
      const seen = new Set<string>();
      const questions: string[] = [];
      for (const m of members) {
        const norm = m.question.trim().toLowerCase().replace(/\s+/g, ' ');
        if (seen.has(norm)) continue;
        seen.add(norm);
        questions.push(m.question.trim());
      }
      const reasons: Record<GapReason, number> = { escalated: 0, low_confidence: 0, negative_feedback: 0 };
      for (const m of members) for (const r of m.reasons) reasons[r] += 1;
      return {
        key: members[0]!.topicId,
        label: members[0]!.question.trim(),
        items: [...members].sort((a, b) => b.at.localeCompare(a.at)),
        questions,
        reasons,
        langs: [...new Set(members.map((m) => m.lang))].sort(),
        lastAt: members.reduce((max, m) => (m.at > max ? m.at : max), ''),
      };
    })
    .sort((a, b) => b.items.length - a.items.length || b.lastAt.localeCompare(a.lastAt));
}
