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
import { migrate, openDatabase, type Db } from './database.js';
import { LABELLED_EXAMPLES_MIGRATION } from './migrations.js';
import { toExample, type LabelledExampleRow } from '../rows/labelled-examples.js';

/**
 * Labelled examples in the embedded SQLite database, next to the conversations they come from.
 * The dedupe key makes hooks idempotent: a retried webhook or a changed console mark replaces
 * the row instead of adding a second vote.
 */
/** Kept for stores opened on their own (tests, the learning curve's in-memory store); the same entry is in SQLITE_MIGRATIONS. */
export { LABELLED_EXAMPLES_MIGRATION } from './migrations.js';

export class SqliteLabelledExampleStore implements LabelledExampleStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async record(input: LabelledExampleInput): Promise<{ example: LabelledExample; created: boolean }> {
    const x = labelledExampleInputSchema.parse(input);
    const key = labelKey(x);
    const values = [redact(x.question).text, x.lang, x.verdict, x.verdict === 'escalate' ? null : x.articleId, x.source, x.by, x.at ?? this.now().toISOString(), x.conversationId ?? null, x.turnId ?? null, x.ref ?? null];
    const row = this.db.transaction(() => {
      const existing = this.db.prepare('SELECT id FROM labelled_examples WHERE dedupe_key = ?').get(key) as { id: number } | undefined;
      if (existing) {
        this.db
          .prepare('UPDATE labelled_examples SET question = ?, lang = ?, verdict = ?, article_id = ?, source = ?, by_whom = ?, at = ?, conversation_id = ?, turn_id = ?, ref = ? WHERE id = ?')
          .run(...values, existing.id);
        return { id: existing.id, created: false };
      }
      const info = this.db
        .prepare('INSERT INTO labelled_examples (dedupe_key, question, lang, verdict, article_id, source, by_whom, at, conversation_id, turn_id, ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(key, ...values);
      return { id: Number(info.lastInsertRowid), created: true };
    })();
    const stored = this.db.prepare('SELECT * FROM labelled_examples WHERE id = ?').get(row.id) as LabelledExampleRow;
    return { example: toExample(stored), created: row.created };
  }

  async list(filter: LabelledExampleFilter = {}): Promise<LabelledExample[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.sources?.length) {
      where.push(`source IN (${filter.sources.map(() => '?').join(', ')})`);
      params.push(...filter.sources);
    }
    if (filter.conversationId) {
      where.push('conversation_id = ?');
      params.push(filter.conversationId);
    }
    const sql = `SELECT * FROM labelled_examples ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`;
    return (this.db.prepare(sql).all(...params, filter.limit ?? -1) as LabelledExampleRow[]).map(toExample);
  }

  async counts(): Promise<Record<LabelSource, number>> {
    const out = Object.fromEntries(LABEL_SOURCES.map((s) => [s, 0])) as Record<LabelSource, number>;
    for (const r of this.db.prepare('SELECT source, COUNT(*) AS n FROM labelled_examples GROUP BY source').all() as { source: LabelSource; n: number }[]) out[r.source] = r.n;
    return out;
  }
}

export function openLabelledExampleStore(db: Db, options: { now?: () => Date } = {}): SqliteLabelledExampleStore {
  migrate(db, [LABELLED_EXAMPLES_MIGRATION]);
  return new SqliteLabelledExampleStore(db, options.now);
}

/** A throw-away store in memory (the learning curve records its drawn labels there); close() frees it. */
export function openMemoryLabelledExampleStore(): SqliteLabelledExampleStore & { close(): void } {
  const db = openDatabase(':memory:');
  const store = openLabelledExampleStore(db);
  return Object.assign(store, { close: () => db.close() });
}
