import { z } from 'zod';
import { LANGS, type Lang } from '../lang.js';

/**
 * Labelled examples: every human judgement that ties a question to an article (or says it must
 * go to a technician), kept with the conversation data so `helpdesk calibrate` can learn from the
 * desk. Async so a server database can implement it too (src/storage/sqlite/labelled-examples-store.ts).
 */

/** Where a judgement comes from. `imported`: a labelled set fed in by a command (e.g. the learning curve). */
export const LABEL_SOURCES = ['ticket_resolved', 'gap_article', 'console_mark', 'employee_confirmed', 'imported'] as const;
export type LabelSource = (typeof LABEL_SOURCES)[number];

/**
 * What the judgement says: `article` = this article answers the question; `escalate` = no article
 * should answer it (a technician must); `not_article` = the article shown was wrong and no right one
 * was named (kept for the record; calibration cannot use it as a positive example).
 */
export const LABEL_VERDICTS = ['article', 'escalate', 'not_article'] as const;
export type LabelVerdict = (typeof LABEL_VERDICTS)[number];

export const labelledExampleInputSchema = z
  .object({
    /** The employee's question; the store redacts it again before keeping it. */
    question: z.string().trim().min(1).max(4000),
    lang: z.enum(LANGS),
    verdict: z.enum(LABEL_VERDICTS),
    /** The answering article (`article`), or the one judged wrong (`not_article`). */
    articleId: z.string().min(1).max(200).optional(),
    source: z.enum(LABEL_SOURCES),
    /** Who judged: a technician's name, "employee", a ticket system… (never a secret). */
    by: z.string().trim().min(1).max(200),
    at: z.string().datetime().optional(),
    conversationId: z.string().min(1).max(200).optional(),
    /** The stored turn the judgement is about (transcript turn id), when known. */
    turnId: z.number().int().nonnegative().optional(),
    /** What it came from: a ticket number, a draft or gap key, an article id… */
    ref: z.string().max(300).optional(),
  })
  .refine((x) => x.verdict === 'escalate' || x.articleId !== undefined, { message: 'an article verdict names the article', path: ['articleId'] });

export type LabelledExampleInput = z.input<typeof labelledExampleInputSchema>;

/**
 * What makes two judgements "the same one" (every backend uses it): source, conversation, turn and
 * reference; without a conversation or a reference (an imported set), the question itself.
 */
export function labelKey(x: z.output<typeof labelledExampleInputSchema>): string {
  return JSON.stringify([x.source, x.conversationId ?? '', x.turnId ?? '', x.ref ?? '', x.conversationId || x.ref ? '' : x.question]);
}

export interface LabelledExample {
  id: number;
  question: string;
  lang: Lang;
  verdict: LabelVerdict;
  articleId?: string;
  source: LabelSource;
  by: string;
  at: string;
  conversationId?: string;
  turnId?: number;
  ref?: string;
}

export interface LabelledExampleFilter {
  sources?: LabelSource[];
  conversationId?: string;
  limit?: number;
}

export interface LabelledExampleStore {
  /**
   * Records a judgement. One per `labelKey`: the same judgement recorded again (a webhook retry, a
   * technician changing a mark) replaces the earlier one, `created: false`. The question is redacted
   * (engine/redact.ts) before it is stored. Invalid input throws and stores nothing.
   */
  record(input: LabelledExampleInput): Promise<{ example: LabelledExample; created: boolean }>;
  /** Oldest first. */
  list(filter?: LabelledExampleFilter): Promise<LabelledExample[]>;
  counts(): Promise<Record<LabelSource, number>>;
}
