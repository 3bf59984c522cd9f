import { Router } from 'express';
import type { KnowledgeStatus } from '../engine/ports/knowledge.js';
import type { Db, Migration } from '../storage/sqlite/database.js';

/**
 * GET /healthz: the process is alive (for restarts); it answers from the first second, while the
 * knowledge base is still being indexed. GET /readyz: it can serve (for load balancers): knowledge
 * indexed, which retrieval mode is running (lexical-only is served but said loudly), the database
 * accepts writes, and the server is not starting or shutting down. 200 or 503, with the details
 * as JSON either way.
 */

export const healthMigrations: Migration[] = [
  {
    name: 'server/001_health',
    up: `CREATE TABLE server_health (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      checked_at TEXT NOT NULL
    )`,
  },
];

export interface DatabaseCheck {
  ok: boolean;
  error?: string;
}

/** A real write (one row upserted in a transaction): proves the file, the lock and the disk all work. */
export function checkDatabaseWritable(db: Db, now: () => Date = () => new Date()): DatabaseCheck {
  try {
    db.prepare(
      `INSERT INTO server_health (id, checked_at) VALUES (1, ?)
       ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at`,
    ).run(now().toISOString());
    return { ok: true };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** starting: listening while the knowledge base loads; serving; draining: shutting down. */
export type ServerPhase = 'starting' | 'serving' | 'draining';

export interface ReadinessSources {
  /** Undefined while the knowledge base is being loaded. */
  knowledge(): KnowledgeStatus | undefined;
  database(): DatabaseCheck;
  phase(): ServerPhase;
  startedAt: Date;
}

export interface Readiness {
  status: 'ready' | 'not_ready';
  phase: ServerPhase;
  retrieval: {
    mode: KnowledgeStatus['mode'] | 'loading';
    /** Plain words for operators: what lexical-only means for answers. */
    note: string;
    embedder?: KnowledgeStatus['embedder'];
    /** Where the gate models come from (committed, zero-label calibration of this knowledge, a refit on the desk's labelled examples, defaults). */
    calibration?: KnowledgeStatus['calibration'];
  };
  checks: {
    knowledge: { ok: boolean; loading: boolean; articles: number; chunks: number; vectors: number; brokenFiles: string[]; loadedAt?: string; knowledgeHash?: string };
    database: DatabaseCheck;
    shutdown: { ok: boolean; draining: boolean };
  };
  warnings: string[];
}

const MODE_NOTES: Record<Readiness['retrieval']['mode'], string> = {
  hybrid: 'hybrid: dense (embeddings) and lexical (BM25) retrieval',
  'lexical-only': 'lexical-only: embeddings are off or could not load, answers rely on keyword search (BM25) alone',
  loading: 'the knowledge base is being indexed',
};

export function readiness(sources: ReadinessSources): Readiness {
  const k = sources.knowledge();
  const database = sources.database();
  const phase = sources.phase();
  const knowledgeOk = k !== undefined && k.ready && k.articles > 0;
  const ok = knowledgeOk && database.ok && phase === 'serving';
  const mode = k?.mode ?? 'loading';
  return {
    status: ok ? 'ready' : 'not_ready',
    phase,
    retrieval: { mode, note: MODE_NOTES[mode], ...(k?.embedder ? { embedder: k.embedder } : {}), ...(k?.calibration ? { calibration: k.calibration } : {}) },
    checks: {
      knowledge: {
        ok: knowledgeOk,
        loading: k === undefined,
        articles: k?.articles ?? 0,
        chunks: k?.chunks ?? 0,
        vectors: k?.vectors ?? 0,
        brokenFiles: k?.brokenFiles ?? [],
        ...(k?.loadedAt ? { loadedAt: k.loadedAt } : {}),
        ...(k ? { knowledgeHash: k.knowledgeHash } : {}),
      },
      database,
      shutdown: { ok: phase !== 'draining', draining: phase === 'draining' },
    },
    warnings: k?.warnings ?? [],
  };
}

export function healthRouter(sources: ReadinessSources): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({
      status: 'ok',
      uptimeSeconds: Math.round((Date.now() - sources.startedAt.getTime()) / 1000),
    });
  });
  router.get('/readyz', (_req, res) => {
    const r = readiness(sources);
    res
      .status(r.status === 'ready' ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json(r);
  });
  return router;
}
