import { estimateTokens } from '../knowledge/chunker.js';
import type { Lang } from '../lang.js';
import { analyze } from '../retrieval/text.js';

/**
 * Token budget of a prompt: passages are ranked by how many of the question's terms they hold,
 * kept while they fit, and returned in article order. The best one always goes in, cut to the
 * budget if it alone is too long.
 */

export { estimateTokens };

export function truncateToTokens(text: string, budget: number): string {
  if (estimateTokens(text) <= budget) return text;
  const words = text.split(/\s+/).filter(Boolean);
  return `${words.slice(0, Math.max(1, Math.floor(budget / 1.3))).join(' ')} …`;
}

export function fitPassages<T extends { text: string }>(passages: readonly T[], budget: number, query: string, lang: Lang): T[] {
  if (passages.length === 0) return [];
  const terms = new Set(analyze(query, lang));
  const ranked = passages
    .map((p, i) => ({ p, i, hits: analyze(p.text, lang).filter((t) => terms.has(t)).length }))
    .sort((a, b) => b.hits - a.hits || a.i - b.i);
  const kept: Array<{ p: T; i: number }> = [];
  let used = 0;
  for (const r of ranked) {
    const cost = estimateTokens(r.p.text);
    if (used + cost > budget) continue;
    kept.push(r);
    used += cost;
  }
  if (kept.length === 0) {
    const best = ranked[0]!;
    kept.push({ p: { ...best.p, text: truncateToTokens(best.p.text, budget) }, i: best.i });
  }
  return kept.sort((a, b) => a.i - b.i).map((r) => r.p);
}
