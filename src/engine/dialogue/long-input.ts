/**
 * Long pasted messages (logs, whole e-mails): the engine reads the beginning, cut where a line
 * or a word ends, says so, and keeps the whole (redacted) text for the transcript and the ticket.
 */

/** What is read of a message: nobody describes an IT problem in more, and retrieval gains nothing. */
export const MAX_READ_CHARS = 4000;
/** What is kept of a message for the transcript and the ticket; longer pastes are cut here. */
export const MAX_KEPT_CHARS = 20_000;

export interface Cut {
  text: string;
  /** Whether the text was cut at the end of a line (otherwise at the end of a word). */
  atLine: boolean;
}

/** The beginning of `text` within `max` characters, ending at a line break, else at a word break. */
export function cutAtBoundary(text: string, max = MAX_READ_CHARS): Cut | undefined {
  if (text.length <= max) return undefined;
  const head = text.slice(0, max + 1);
  const line = head.lastIndexOf('\n');
  if (line >= max / 2) return { text: head.slice(0, line).trimEnd(), atLine: true };
  const space = head.search(/\s\S*$/);
  if (space >= max * 0.8) return { text: head.slice(0, space).trimEnd(), atLine: false };
  return { text: text.slice(0, max), atLine: false };
}
