import type { Lang } from '../../engine/lang.js';
import type { LabelledExample, LabelSource, LabelVerdict } from '../../engine/ports/labelled-examples.js';
import type { RowId } from './columns.js';

/** The labelled_examples row and its mapping to an example, shared by the SQLite and PostgreSQL stores. */
export interface LabelledExampleRow {
  id: RowId;
  question: string;
  lang: string;
  verdict: LabelVerdict;
  article_id: string | null;
  source: LabelSource;
  by_whom: string;
  at: string;
  conversation_id: string | null;
  turn_id: number | null;
  ref: string | null;
}

export const toExample = (r: LabelledExampleRow): LabelledExample => ({
  id: Number(r.id),
  question: r.question,
  lang: r.lang as Lang,
  verdict: r.verdict,
  ...(r.article_id ? { articleId: r.article_id } : {}),
  source: r.source,
  by: r.by_whom,
  at: r.at,
  ...(r.conversation_id ? { conversationId: r.conversation_id } : {}),
  ...(r.turn_id !== null ? { turnId: r.turn_id } : {}),
  ...(r.ref ? { ref: r.ref } : {}),
});
