import type { Article } from './types.js';
import { toPlainText } from './markdown.js';

/**
 * Questions an article's own text suggests, for calibrating on a knowledge base that has no
 * labelled questions (zero-label calibration): the symptom lines, quoted error messages, the
 * title, the specific headings and the opening sentence. Each one names the text it came from
 * (`mask`) so calibration can take that text out of the index while the question is used;
 * otherwise the question would trivially find itself.
 */

export interface PseudoQuestion {
  text: string;
  /** Where it came from: 'title', or the raw body line that holds it. */
  mask: { kind: 'title' } | { kind: 'line'; line: string };
  origin: 'symptom' | 'quote' | 'title' | 'heading' | 'opening';
}

/** Headings every troubleshooting article has: they say nothing about the problem. */
const GENERIC_HEADING =
  /^(symptoms?|resolution|solution|solutions|cause|causes|steps?|overview|summary|before you (start|begin)|prerequisites|more information|see also|related( articles)?|if (it|this|that) (still )?(doesn'?t|does not|didn'?t) work.*|(on|sur|pour|with|avec) .{1,30}|sympt[oô]mes?|r[ée]solution|[ée]tapes?|pr[ée]requis|pour aller plus loin|voir aussi|en savoir plus|si (cela|ça|ca) ne (fonctionne|marche) (toujours )?pas.*|si le probl[eè]me persiste|introduction|notes?|faq|contents?|sommaire)$/i;
const SYMPTOM_HEADING = /sympt|problem|issue|error|erreur|probl[eè]me/i;
const QUOTE = /"([^"\n]{12,160})"|“([^”\n]{12,160})”|«\s*([^»\n]{12,160}?)\s*»/g;
const HEADING = /^\s{0,3}(#{1,4})\s+(.+?)\s*#*\s*$/;
const LIST_ITEM = /^\s{0,3}([-*+]|\d+[.)])\s+(.+)$/;

const words = (s: string) => s.split(/\s+/).filter((w) => /\p{L}/u.test(w)).length;

export function pseudoQuestions(article: Pick<Article, 'title' | 'body'>, max = 4): PseudoQuestion[] {
  const found: PseudoQuestion[] = [];
  const seen = new Set<string>();
  const add = (raw: string, mask: PseudoQuestion['mask'], origin: PseudoQuestion['origin']) => {
    const text = toPlainText(raw).replace(/\s+/g, ' ').trim();
    const key = text.toLowerCase();
    if (words(text) < 2 || text.length > 220 || seen.has(key)) return;
    seen.add(key);
    found.push({ text, mask, origin });
  };
  const lines = article.body.split('\n');
  let heading = '';
  let opening: string | undefined;
  const symptoms: [string, string][] = [];
  const quotes: [string, string][] = [];
  const headings: [string, string][] = [];
  let inFence = false;
  for (const line of lines) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence || line.trim() === '') continue;
    const h = HEADING.exec(line);
    if (h) {
      heading = toPlainText(h[2]!);
      if (!GENERIC_HEADING.test(heading.replace(/[:?.!]+$/, '').trim())) headings.push([h[2]!, line]);
      continue;
    }
    for (const m of line.matchAll(QUOTE)) quotes.push([m[1] ?? m[2] ?? m[3] ?? '', line]);
    const item = LIST_ITEM.exec(line);
    if (item && SYMPTOM_HEADING.test(heading)) symptoms.push([item[2]!, line]);
    else if (!item && opening === undefined && !line.trimStart().startsWith('|') && !line.trimStart().startsWith('>')) {
      opening = line;
    }
  }
  // Most telling first: how users describe the problem, the error they see, then the title.
  for (const [text, line] of symptoms) add(text, { kind: 'line', line }, 'symptom');
  for (const [text, line] of quotes) add(text, { kind: 'line', line }, 'quote');
  const ordered: PseudoQuestion[] = [];
  const pick = (origin: PseudoQuestion['origin'], n: number) => ordered.push(...found.filter((q) => q.origin === origin).slice(0, n));
  pick('symptom', 2);
  pick('quote', 1);
  add(article.title, { kind: 'title' }, 'title');
  pick('title', 1);
  for (const [text, line] of headings) add(text, { kind: 'line', line }, 'heading');
  pick('heading', 1);
  if (opening) {
    const sentence = /^(.+?[.!?])(\s|$)/.exec(opening)?.[1] ?? opening;
    add(sentence, { kind: 'line', line: opening }, 'opening');
    pick('opening', 1);
  }
  // Fill up with whatever is left, in the order found.
  for (const q of found) if (ordered.length < max && !ordered.includes(q)) ordered.push(q);
  return ordered.slice(0, max);
}
