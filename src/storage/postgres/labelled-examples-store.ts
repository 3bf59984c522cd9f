import {
  LABEL_SOURCES,
  labelKey,
  labelledExampleInputSchema,
  type LabelledExample,
  type LabelledExampleFilter,
  type LabelledExampleInput,
  type LabelledExampleStore,
  type LabelSource,
} from '../../engine/ports/labelled-examples.js';
import { redact } from '../../engine/redact.js';
import type { PgPool } from './pool.js';
import { toExample, type LabelledExampleRow } from '../rows/labelled-examples.js';

/** What the upsert returns: the row, and whether it was an insert (xmax = 0) or a replacement. */
type Row = LabelledExampleRow & { created: boolean };

/** Labelled examples in PostgreSQL (schema 0013_labelled_examples); the dedupe key makes a repeated judgement replace the earlier one. */
export class PgLabelledExampleStore implements LabelledExampleStore {
  constructor(
    private readonly pool: PgPool,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async record(input: LabelledExampleInput): Promise<{ example: LabelledExample; created: boolean }> {
    const x = labelledExampleInputSchema.parse(input);
    // One statement: two replicas recording the same judgement at once leave one row (the later values).
    const { rows } = await this.pool.query<Row>(
      `INSERT INTO labelled_examples (dedupe_key, question, lang, verdict, article_id, source, by_whom, at, conversation_id, turn_id, ref)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (dedupe_key) DO UPDATE SET question = EXCLUDED.question, lang = EXCLUDED.lang, verdict = EXCLUDED.verdict,
         article_id = EXCLUDED.article_id, source = EXCLUDED.source, by_whom = EXCLUDED.by_whom, at = EXCLUDED.at,
         conversation_id = EXCLUDED.conversation_id, turn_id = EXCLUDED.turn_id, ref = EXCLUDED.ref
       RETURNING *, (xmax = 0) AS created`,
      [
        labelKey(x),
        redact(x.question).text,
        x.lang,
        x.verdict,
        x.verdict === 'escalate' ? null : (x.articleId ?? null),
        x.source,
        x.by,
        x.at ?? this.now().toISOString(),
        x.conversationId ?? null,
        x.turnId ?? null,
        x.ref ?? null,
      ],
    );
    const row = rows[0]!;
    return { example: toExample(row), created: row.created };
  }

  async list(filter: LabelledExampleFilter = {}): Promise<LabelledExample[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown): string => `$${params.push(v)}`;
    if (filter.sources?.length) where.push(`source = ANY(${p(filter.sources)}::text[])`);
    if (filter.conversationId) where.push(`conversation_id = ${p(filter.conversationId)}`);
    const limit = filter.limit !== undefined && filter.limit >= 0 ? ` LIMIT ${p(filter.limit)}` : '';
    const { rows } = await this.pool.query<Row>(`SELECT *, false AS created FROM labelled_examples ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id${limit}`, params);
    return rows.map(toExample);
  }

  async counts(): Promise<Record<LabelSource, number>> {
    const out = Object.fromEntries(LABEL_SOURCES.map((s) => [s, 0])) as Record<LabelSource, number>;
    const { rows } = await this.pool.query<{ source: LabelSource; n: string }>('SELECT source, COUNT(*) AS n FROM labelled_examples GROUP BY source');
    for (const r of rows) out[r.source] = Number(r.n);
    return out;
  }
}
