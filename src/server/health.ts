import { Router } from 'express';
import type { KnowledgeStatus } from '../engine/ports/knowledge.js';
import type { StorageHealth } from '../storage/bundle.js';

/**
 * GET /healthz: the process is alive (for restarts); it answers from the first second, while the
 * knowledge base is still being indexed. GET /readyz: it can serve (for load balancers): knowledge
 * indexed, which retrieval mode is running (lexical-only is served but said loudly), the database
 * accepts writes, and the server is not starting or shutting down. 200 or 503, with the details
 * as JSON either way.
 */

/** What the storage bundle's health() says about the database. */
export type DatabaseCheck = StorageHealth;

/** starting: listening while the knowledge base loads; serving; draining: shutting down. */
export type ServerPhase = 'starting' | 'serving' | 'draining';

export interface ReadinessSources {
  /** Undefined while the knowledge base is being loaded. */
  knowledge(): KnowledgeStatus | undefined;
  database(): Promise<DatabaseCheck>;
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
    /** Questions the desk tied to articles, matched as their own (README "Learning from the desk"). */
    learnedQuestions?: number;
    /** Questions the desk said must go to a technician: a near-copy is escalated. */
    learnedEscalations?: number;
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

export async function readiness(sources: ReadinessSources): Promise<Readiness> {
  const k = sources.knowledge();
  const database = await sources.database();
  const phase = sources.phase();
  const knowledgeOk = k !== undefined && k.ready && k.articles > 0;
  const ok = knowledgeOk && database.ok && phase === 'serving';
  const mode = k?.mode ?? 'loading';
  return {
    status: ok ? 'ready' : 'not_ready',
    phase,
    retrieval: { mode, note: MODE_NOTES[mode], ...(k?.embedder ? { embedder: k.embedder } : {}), ...(k?.calibration ? { calibration: k.calibration } : {}), ...(k?.learnedQuestions !== undefined ? { learnedQuestions: k.learnedQuestions } : {}), ...(k?.learnedEscalations !== undefined ? { learnedEscalations: k.learnedEscalations } : {}) },
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
  router.get('/readyz', async (_req, res) => {
    const r = await readiness(sources);
    res
      .status(r.status === 'ready' ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json(r);
  });
  return router;
}
