/** Text normalisation shared by intent matching, escalation triggers and flow triggers. */

/**
 * Lower-case, accents removed, typographic apostrophes made plain, punctuation turned into spaces
 * (apostrophes, '#', '+' and '-' kept), whitespace collapsed: "Ça NE marche pas !" → "ca ne marche pas".
 */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[’‘`´]/g, "'")
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/[^a-z0-9'#+\-\s]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function words(text: string): string[] {
  const f = fold(text);
  return f ? f.split(' ') : [];
}

/** Jaccard similarity of the word sets of two texts, in [0,1]. */
export function similarity(a: string, b: string): number {
  const sa = new Set(words(a));
  const sb = new Set(words(b));
  if (sa.size === 0 || sb.size === 0) return 0;
  let inter = 0;
  for (const w of sa) if (sb.has(w)) inter++;
  return inter / (sa.size + sb.size - inter);
}

/** True when one of the patterns matches the (already folded) text. */
export function matchAny(folded: string, patterns: readonly RegExp[]): boolean {
  return patterns.some((re) => re.test(folded));
}
