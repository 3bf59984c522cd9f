/**
 * Long messages and pasted logs: the problem statement and the error strings, without the
 * story around them, the stack frames, timestamps, paths and ids that would otherwise dominate
 * retrieval (every word of a 300-word forum post counts as much as "printer" does). Short
 * messages are returned unchanged, so ordinary questions are analysed exactly as before.
 */

/** Messages up to this many words, on one line, are used as they are. */
export const FOCUS_MIN_WORDS = 60;
const MAX_WORDS = 70;
/** A first line this short is read as the message's subject. */
const SUBJECT_MAX_WORDS = 15;

const PROBLEM = new RegExp(
  [
    "\\b(not|n't|never|no longer|won't|cannot|can't|unable|fails?|failed|failing|broken|stuck|error|errors|issue|problem|crash\\w*|freez\\w*|slow|missing|disappear\\w*|denied|blocked|locked|lost|forgot)\\b",
    "\\b(ne|n')\\s*\\S+\\s+(pas|plus|jamais)\\b",
    "\\b(impossible|erreur|probl[eè]me|bloqu\\w*|plant\\w*|marche pas|fonctionne pas|n'arrive|rame|lent|perdu|oubli\\w*|refus\\w*|[ée]chec|[ée]choue?)\\b",
  ].join('|'),
  'i',
);
const ERROR_LINE =
  /\b(error|erreur|exception|fatal|failed|failure|denied|refused|invalid|timed? ?out|not found|unable|cannot|could not|impossible|[ée]chec)\b|0x[0-9a-f]{6,}|\b[A-Z]{3,}\d{3,}\b/i;
const GREETING = /^(hi|hello|hey|dear|good (morning|afternoon|evening)|bonjour|bonsoir|salut|thanks?|thank you|merci|cheers|regards|best|cordialement|bien à vous|bonne journée|sent from)\b/i;
const STACK_FRAME = /^\s*(at\s+[\w.$<>\[\]]+\s*\(|File ".+", line \d+|\.{3} \d+ more|Traceback \(most recent call last\))/;
const LOG_PREFIX = /^\s*\[?\d{2,4}[-/.]\d{2}[-/.]\d{2,4}[ T]\d{1,2}:\d{2}(:\d{2}([.,]\d+)?)?\]?\s*(\[?(INFO|WARN(ING)?|ERROR|DEBUG|TRACE|FATAL|ERR)\]?:?)?\s*/i;

/** Ids, paths, addresses and numbers that identify one machine, not the problem. */
function clean(text: string): string {
  return text
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, ' ')
    .replace(/[A-Za-z]:\\(?:[^\\\n]+\\)*[^\\\s]*/g, ' ')
    .replace(/(?:[\\/][\w.$~-]+){2,}[\\/]?/g, ' ')
    .replace(/\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b/g, ' ')
    .replace(/\b\d{5,}\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;
const letterShare = (s: string) => (s.match(/\p{L}/gu)?.length ?? 0) / Math.max(1, s.replace(/\s/g, '').length);

export function focusQuery(text: string): string {
  const lines = text.split(/\r?\n/);
  if (lines.length <= 2 && words(text) <= FOCUS_MIN_WORDS) return text;
  const problems: string[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  const keep = (list: string[], s: string) => {
    const c = clean(s).replace(/[.!;:,\s]+$/, '');
    const key = c.toLowerCase();
    if (words(c) >= 2 && !seen.has(key)) {
      seen.add(key);
      list.push(c);
    }
  };
  // The first line, when short prose, is how the writer summed the problem up (a ticket's or a
  // post's subject, "Credentials not storing"), whether or not it names a failure.
  const first = lines.find((l) => l.trim());
  if (first && words(first) <= SUBJECT_MAX_WORDS && letterShare(first) >= 0.6 && !GREETING.test(first.trim()) && !LOG_PREFIX.test(first)) keep(problems, first);
  for (const raw of lines) {
    if (!raw.trim() || STACK_FRAME.test(raw)) continue;
    const logged = LOG_PREFIX.test(raw);
    const line = raw.replace(LOG_PREFIX, '');
    if (logged || letterShare(line) < 0.6) {
      // A log or code line: only its error message is worth searching for.
      if (ERROR_LINE.test(line)) keep(errors, line.slice(0, 200));
      continue;
    }
    for (const quoted of line.matchAll(/["“«]\s*([^"”»]{8,160}?)\s*["”»]/g)) if (ERROR_LINE.test(quoted[1]!)) keep(errors, quoted[1]!);
    for (let sentence of line.split(/(?<=[.!?])\s+/)) {
      // "Bonjour, depuis ce matin…": drop the greeting, keep the rest.
      if (GREETING.test(sentence.trim())) sentence = sentence.trim().replace(/^[^,:;!]*[,:;!]\s*/, words(sentence) > 5 ? '' : sentence);
      if (GREETING.test(sentence.trim())) continue;
      if (PROBLEM.test(sentence) || sentence.trim().endsWith('?')) keep(problems, sentence);
    }
  }
  const picked: string[] = [];
  let budget = MAX_WORDS;
  // The problem first, then the errors, alternating so both are kept when the budget is tight.
  for (let i = 0; i < Math.max(problems.length, errors.length) && budget > 0; i++) {
    for (const s of [problems[i], errors[i]]) {
      if (!s || budget <= 0) continue;
      const w = s.split(/\s+/).slice(0, budget);
      picked.push(w.join(' '));
      budget -= w.length;
    }
  }
  if (picked.length === 0) return clean(text).split(/\s+/).slice(0, MAX_WORDS).join(' ');
  return picked.join('. ');
}
