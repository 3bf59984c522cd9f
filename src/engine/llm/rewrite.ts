import type { Lang } from '../lang.js';
import type { ChatMessage } from '../ports/llm.js';
import { analyze } from '../retrieval/text.js';
import { delimiters as makeDelimiters, type Delimiters } from './delimit.js';
import { cleanForModel } from './privacy.js';
import { rewriteSystemPrompt } from './prompts.js';

/**
 * Follow-up rewriting: "still broken on my mac" with the topic "VPN will not connect" becomes
 * "VPN will not connect on Mac", a query retrieval can answer on its own. The rewrite may only
 * recombine words of the topic, the article title and the follow-up; anything else (an answer,
 * an instruction the model followed, a new subject) is rejected and the engine's plain
 * concatenation is used instead.
 */

export interface RewriteInput {
  /** The question that started the topic (redacted). */
  topic: string;
  /** Title of the last article shown for the topic, if any. */
  articleTitle?: string;
  followUp: string;
  lang: Lang;
  userNames?: readonly string[];
}

export interface PreparedRewrite {
  messages: ChatMessage[];
  /** The redacted texts the rewrite must stay within. */
  sources: string[];
  lang: Lang;
}

const MAX_QUERY_CHARS = 300;
/** Share of the rewrite's terms that must come from the topic, article title or follow-up. */
const MIN_OVERLAP = 0.6;

export function prepareRewrite(input: RewriteInput, d: Delimiters = makeDelimiters()): PreparedRewrite {
  const names = { names: input.userNames ?? [] };
  const topic = cleanForModel(input.topic, names);
  const followUp = cleanForModel(input.followUp, names);
  const blocks = [d.block('topic', topic)];
  if (input.articleTitle) blocks.push(d.block('article', input.articleTitle));
  blocks.push(d.block('follow-up', followUp), 'Write the standalone search query.');
  return {
    messages: [
      { role: 'system', content: rewriteSystemPrompt(d) },
      { role: 'user', content: blocks.join('\n\n') },
    ],
    sources: [topic, input.articleTitle ?? '', followUp],
    lang: input.lang,
  };
}

export type RewriteOutcome = { ok: true; query: string } | { ok: false; reason: 'empty' | 'too_long' | 'off_topic'; detail: string };

export function interpretRewrite(raw: string, prepared: PreparedRewrite): RewriteOutcome {
  const query = (raw.trim().split('\n')[0] ?? '')
    .replace(/^(?:query|requête|requete)\s*:\s*/i, '')
    .replace(/^["'«“]+|["'»”]+$/g, '')
    .trim();
  if (!query) return { ok: false, reason: 'empty', detail: 'empty rewrite' };
  if (query.length > MAX_QUERY_CHARS) return { ok: false, reason: 'too_long', detail: `${query.length} characters` };
  const known = new Set(prepared.sources.flatMap((s) => [...analyze(s, 'en'), ...analyze(s, 'fr')]));
  const terms = analyze(query, prepared.lang);
  const from = terms.filter((t) => known.has(t)).length;
  if (terms.length === 0 || from / terms.length < MIN_OVERLAP) {
    return { ok: false, reason: 'off_topic', detail: `"${query}" strays from the conversation` };
  }
  return { ok: true, query };
}
