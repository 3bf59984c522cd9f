/**
 * Issue 18: which vector index when several replicas serve one knowledge base. Today each replica
 * builds its own HNSW index (hnswlib, src/storage/vector/hnsw.ts, M 16, efConstruction 200) from the
 * shared embedding cache; the alternative is one index in PostgreSQL (pgvector's HNSW, same M and
 * efConstruction). Both are measured on the same vectors and queries, on the generated
 * knowledge base of the main benchmark (src/bench/generate.ts), with the product's layout: one
 * entry per title, question and chunk (several keys can share a text, hence a vector).
 *
 *   npx tsx bench/vector-store.ts [--articles 10000] [--queries 100] [--stand-in use-mix|hashing]
 *                                 [--work DIR] [--database postgres://postgres@127.0.0.1:5432/postgres]
 *
 * Vectors (`--stand-in`): embedding every generated text with the real model takes about an hour on
 * 2 shared cores, so by default (`use-mix`) every real USE vector already in the benchmark's
 * embedding cache (<work>/data, shared with `npm run bench`) is used, the seed articles' texts and
 * the queries are embedded for real when missing, and each other generated text gets a stand-in:
 * a mix of two real vectors of its seed topic plus a little noise (as the main benchmark's vector
 * phase does to reach 100,000). `hashing` replaces every vector (queries too) by a 512-d hashed bag
 * of words of the very text: no model at all, lexical structure instead of semantic.
 *
 * Each replica-side measure runs in a fresh child process (start time and RSS are a replica's);
 * the pgvector table and index are built once, server-side, in a fresh database dropped at the end.
 * A benchmark: it prints numbers and asserts nothing. No test needs pgvector.
 */
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import hnswlib from 'hnswlib-node';
import pg from 'pg';
import { createEmbedder } from '../src/embeddings/factory.js';
import { readDevSet } from '../src/engine/eval/dev-set.js';
import { loadKnowledgeBase } from '../src/engine/knowledge/loader.js';
import { articleEntries, entriesHash, type EmbedText } from '../src/engine/retrieval/entries.js';
import { generateKnowledgeBase, seedTopic } from '../src/bench/generate.js';
import { createRandom } from '../src/bench/random.js';
import { summarizeLatency, type LatencySummary } from '../src/bench/stats.js';
import { ExactScan } from '../src/bench/vectors-phase.js';
import { retrievalSchema } from '../src/config/sections/retrieval.js';
import { openEmbeddingCache } from '../src/storage/factory.js';
import { PgEmbeddingCache } from '../src/storage/postgres/embedding-cache.js';
import { migratePg } from '../src/storage/postgres/migrate.js';
import { pgMigrations } from '../src/storage/postgres/migrations.js';
import { createPgPool, type PgPool } from '../src/storage/postgres/pool.js';
import { HnswVectorStore } from '../src/storage/vector/hnsw.js';

/** The issue's top 30, and what retrieval really asks for (depth 30 × 8 keys, retrieve.ts) with ef = k. */
const KS = [30, 240] as const;
const RECALL_K = 10;
const efFor = (k: number) => Math.max(64, k); // hnsw.ts
const WARMUP = 10;
const EDITS = 10;
/** Cosines within this of the exact 10th best count as a hit: ties (texts shared by several keys) and float32 rounding. */
const TIE = 1e-5;

interface Job {
  databaseUrl: string;
  provider: string;
  model: string;
  dimension: number;
  knowledgeHash: string;
  entries: { key: string; hash: string }[];
  queries: number[][];
  thresholds: number[];
  indexDir: string;
  editKeys: string[];
}

const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
const rssMb = () => process.memoryUsage().rss / 2 ** 20;
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const literal = (v: ArrayLike<number>) => `[${Array.from(v).join(',')}]`;

function recallOf(scores: readonly number[], threshold: number): number {
  return scores.slice(0, RECALL_K).filter((s) => s >= threshold - TIE).length;
}

type Measured = Record<(typeof KS)[number], { latency: LatencySummary; recall: number }>;

async function measureQueries(job: Job, search: (q: number[]) => Promise<number[]>, count = job.queries.length): Promise<{ latency: LatencySummary; recall: number }> {
  for (const q of job.queries.slice(0, WARMUP)) await search(q);
  const ms: number[] = [];
  let hits = 0;
  const queries = job.queries.slice(0, count);
  for (const [i, q] of queries.entries()) {
    const t = performance.now();
    const scores = await search(q);
    ms.push(performance.now() - t);
    hits += recallOf(scores, job.thresholds[i]!);
  }
  return { latency: summarizeLatency(ms), recall: round(hits / (queries.length * RECALL_K), 4) };
}

// ---------------------------------------------------------------- children (one replica each)

async function childHnsw(job: Job, restart: boolean) {
  const pool = createPgPool(job.databaseUrl, { max: 2 });
  await pool.query('SELECT 1');
  gc();
  const base = rssMb();
  const baseBuffers = process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  // What a replica does at start: every vector of the knowledge from the shared cache, then the index.
  const cached = await new PgEmbeddingCache(pool).getMany(job.provider, job.model, [...new Set(job.entries.map((e) => e.hash))]);
  const entries = job.entries.map((e) => ({ key: e.key, vector: cached.get(e.hash)! }));
  const cacheMs = performance.now() - t0;
  gc();
  const afterCache = rssMb();
  const vectorsMb = (process.memoryUsage().arrayBuffers - baseBuffers) / 2 ** 20;
  const t1 = performance.now();
  const store = new HnswVectorStore(job.indexDir);
  const opened = await store.open({ provider: job.provider, model: job.model, dimension: job.dimension, knowledgeHash: job.knowledgeHash }, entries);
  const indexMs = performance.now() - t1;
  gc();
  const afterIndex = rssMb();
  if (restart === (opened.rebuiltBecause !== undefined)) throw new Error(`expected ${restart ? 'a load' : 'a build'}, got ${opened.rebuiltBecause ?? 'a load'}`);
  const queries = {} as Measured;
  for (const k of KS) queries[k] = await measureQueries(job, async (q) => opened.index.search(Float32Array.from(q), k).map((h) => h.score));
  let incrementalEditMs: number[] | undefined;
  let indexAloneMb: number | undefined;
  let distinct: { buildMs: number; queries: Measured } | undefined;
  if (!restart) {
    // Not the product today either: one graph node per distinct text (as pgvector does for identical
    // vectors), keys found through the text. Many keys share a text (a question also the title...).
    const hashes = [...new Set(job.entries.map((e) => e.hash))];
    const labelOfHash = new Map(hashes.map((h, i) => [h, i]));
    const keysOf = new Map<number, number>();
    for (const e of job.entries) keysOf.set(labelOfHash.get(e.hash)!, (keysOf.get(labelOfHash.get(e.hash)!) ?? 0) + 1);
    const t = performance.now();
    const idx = new hnswlib.HierarchicalNSW('cosine', job.dimension);
    idx.initIndex({ maxElements: hashes.length, m: 16, efConstruction: 200, randomSeed: 42 });
    hashes.forEach((h, label) => idx.addPoint(Array.from(cached.get(h)!), label));
    const buildMs = performance.now() - t;
    const queries = {} as Measured;
    for (const k of KS) {
      queries[k] = await measureQueries(job, async (q) => {
        // The same number of keys as the product asks for: each distinct hit stands for all its keys.
        idx.setEf(efFor(k));
        const { neighbors, distances } = idx.searchKnn(q, Math.min(k, hashes.length));
        return neighbors.flatMap((label, i) => Array<number>(keysOf.get(label)!).fill(1 - distances[i]!)).slice(0, k);
      });
    }
    distinct = { buildMs, queries };
  }
  if (restart) {
    // Not what the product does today (any change rebuilds the whole index): what an in-place
    // update of one article would cost with hnswlib (mark its entries deleted, add them again).
    // Also the index's own memory: a second copy read alone, RSS before and after.
    gc();
    const beforeRaw = rssMb();
    const raw = new hnswlib.HierarchicalNSW('cosine', job.dimension);
    raw.readIndexSync(join(job.indexDir, 'index.hnsw'));
    gc();
    indexAloneMb = rssMb() - beforeRaw;
    const labelOf = new Map(job.entries.map((e, i) => [e.key, i]));
    incrementalEditMs = [];
    for (let n = 0; n < EDITS; n++) {
      const t = performance.now();
      for (const key of job.editKeys) {
        const label = labelOf.get(key)!;
        raw.markDelete(label);
        // An existing, deleted label: hnswlib un-deletes it and re-links the point (updatePoint).
        raw.addPoint(Array.from(entries[label]!.vector), label);
      }
      incrementalEditMs.push(performance.now() - t);
    }
  }
  await pool.end();
  return {
    cacheMs,
    indexMs,
    rssCacheMb: afterCache - base,
    vectorsMb,
    distinct,
    rssIndexMb: afterIndex - afterCache,
    queries,
    indexAloneMb,
    incrementalEdit: incrementalEditMs && summarizeLatency(incrementalEditMs),
    load: load(),
  };
}

async function childPgvector(job: Job) {
  gc();
  const base = rssMb();
  const t0 = performance.now();
  const pool = createPgPool(job.databaseUrl, { max: 1 });
  const client = await pool.connect();
  // Single-threaded scans like hnswlib's; ef_search as hnsw.ts sets ef. No sequential scan: on a
  // small table the planner prefers one, and the index is what is measured here.
  await client.query(`SET hnsw.ef_search = ${efFor(KS[0])}; SET max_parallel_workers_per_gather = 0; SET enable_seqscan = off`);
  const sql = 'SELECT key, 1 - (embedding <=> $1::vector) AS score FROM vector_entries ORDER BY embedding <=> $1::vector LIMIT $2';
  await client.query(sql, [literal(job.queries[0]!), KS[0]]);
  const startMs = performance.now() - t0;
  const search = (k: number) => async (q: number[]) => (await client.query<{ score: number }>(sql, [literal(q), k])).rows.map((r) => Number(r.score));
  const plan = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, [literal(job.queries[0]!), KS[0]])).rows.map((r) => r['QUERY PLAN']).join(' ');
  if (!/vector_entries_hnsw/.test(plan)) throw new Error(`pgvector query does not use the HNSW index: ${plan}`);
  const hnsw = {} as Measured;
  const exact = {} as Measured;
  for (const k of KS) {
    await client.query(`SET hnsw.ef_search = ${efFor(k)}`);
    hnsw[k] = await measureQueries(job, search(k));
  }
  await client.query('SET enable_indexscan = off; SET enable_seqscan = on');
  for (const k of KS) exact[k] = await measureQueries(job, search(k), Math.min(job.queries.length, 50));
  await client.query('RESET enable_indexscan; SET enable_seqscan = off');
  gc();
  const rssMbDelta = rssMb() - base;
  // A knowledge edit of one article: its rows replaced (the HNSW index is maintained in place).
  const editMs: number[] = [];
  for (let n = 0; n < EDITS; n++) {
    const t = performance.now();
    await client.query('BEGIN');
    const { rows } = await client.query<{ key: string; hash: string; embedding: string }>('DELETE FROM vector_entries WHERE key = ANY($1) RETURNING key, hash, embedding::text', [job.editKeys]);
    await client.query('INSERT INTO vector_entries (key, hash, embedding) SELECT * FROM unnest($1::text[], $2::text[], $3::vector[])', [
      rows.map((r) => r.key),
      rows.map((r) => r.hash),
      rows.map((r) => r.embedding),
    ]);
    await client.query('COMMIT');
    editMs.push(performance.now() - t);
  }
  client.release();
  await pool.end();
  return { startMs, rssMb: rssMbDelta, hnsw, exact, edit: summarizeLatency(editMs), load: load() };
}

type ChildName = 'hnsw-cold' | 'hnsw-restart' | 'pgvector';

function runChild<T>(name: ChildName, jobFile: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child', name, '--job', jobFile], {
      execArgv: [...process.execArgv, '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: { ok: T } | { error: string } | undefined;
    child.on('message', (m: { ok: T } | { error: string }) => (result = m));
    child.on('exit', (code) => {
      if (result && 'ok' in result) resolve(result.ok);
      else reject(new Error(`${name}: ${result && 'error' in result ? result.error : `exited ${code}`}`));
    });
  });
}

// ---------------------------------------------------------------- vectors

function hashingVector(text: string, dimension: number): Float32Array {
  const v = new Float32Array(dimension);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const h = createHash('md5').update(word).digest();
    v[h.readUInt32LE(0) % dimension]! += h[4]! & 1 ? 1 : -1;
  }
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
}

function mixOf(a: Float32Array, b: Float32Array, r: ReturnType<typeof createRandom>): Float32Array {
  const w = r.next();
  const noise = 0.3 / Math.sqrt(a.length);
  const v = new Float32Array(a.length);
  for (let j = 0; j < a.length; j++) v[j] = w * a[j]! + (1 - w) * b[j]! + noise * r.gaussian();
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
}

interface Vectors {
  provider: string;
  model: string;
  dimension: number;
  byHash: Map<string, Float32Array>;
  queries: Float32Array[];
  real: number;
  standIn: number;
}

async function useMix(distinct: Map<string, EmbedText>, queryTexts: string[], dataDir: string, log: (s: string) => void): Promise<Vectors> {
  const { embedder, problem } = await createEmbedder(retrievalSchema.parse({ EMBEDDINGS_PROVIDER: 'use', EMBEDDINGS_WORKERS: '1' }).embeddings);
  if (!embedder) throw new Error(problem ?? 'no embedder');
  await embedder.init();
  mkdirSync(dataDir, { recursive: true });
  const cache = openEmbeddingCache(dataDir);
  try {
    const byHash = await cache.getMany(embedder.provider, embedder.model, [...distinct.keys()]);
    const cachedReal = byHash.size;
    const seedMissing = [...distinct.values()].filter((e) => !/^g\d+-/.test(e.articleId) && !byHash.has(e.hash));
    log(`${cachedReal} real USE vectors in ${dataDir}; embedding ${seedMissing.length} seed texts (load ${load()})`);
    for (let i = 0; i < seedMissing.length; i += 16) {
      const batch = seedMissing.slice(i, i + 16);
      const items: { hash: string; vector: Float32Array }[] = [];
      for (const role of ['query', 'passage'] as const) {
        const part = batch.filter((e) => e.role === role);
        if (part.length === 0) continue;
        const vs = role === 'query' ? await embedder.embedQueries(part.map((e) => e.text)) : await embedder.embedPassages(part.map((e) => e.text));
        part.forEach((e, j) => items.push({ hash: e.hash, vector: vs[j]! }));
      }
      await cache.putMany(embedder.provider, embedder.model, items);
      for (const it of items) byHash.set(it.hash, it.vector);
    }
    const real = byHash.size;
    const byTopic = new Map<string, Float32Array[]>();
    for (const e of distinct.values()) {
      const v = byHash.get(e.hash);
      if (v) byTopic.set(seedTopic(e.articleId), [...(byTopic.get(seedTopic(e.articleId)) ?? []), v]);
    }
    const all = [...byHash.values()];
    const r = createRandom(18);
    for (const e of distinct.values()) {
      if (byHash.has(e.hash)) continue;
      const pool = byTopic.get(seedTopic(e.articleId)) ?? all;
      byHash.set(e.hash, mixOf(r.pick(pool), r.pick(pool), r));
    }
    const queries = await embedder.embedQueries(queryTexts);
    return { provider: embedder.provider, model: embedder.model, dimension: embedder.dimension, byHash, queries, real, standIn: distinct.size - real };
  } finally {
    cache.close();
    await embedder.close?.();
  }
}

function hashing(distinct: Map<string, EmbedText>, queryTexts: string[]): Vectors {
  const dimension = 512;
  const byHash = new Map([...distinct.values()].map((e) => [e.hash, hashingVector(e.text, dimension)]));
  return { provider: 'bench-hashing', model: 'bag-of-words-512', dimension, byHash, queries: queryTexts.map((t) => hashingVector(t, dimension)), real: 0, standIn: distinct.size };
}

// ---------------------------------------------------------------- parent

async function main() {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      job: { type: 'string' },
      articles: { type: 'string', default: '10000' },
      queries: { type: 'string', default: '100' },
      'stand-in': { type: 'string', default: 'use-mix' },
      work: { type: 'string', default: process.env.HELPDESK_BENCH_DIR ?? join(homedir(), '.cache', 'helpdesk-bot', 'bench') },
      database: { type: 'string', default: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
      kb: { type: 'string', default: 'knowledge' },
      'dev-set': { type: 'string', default: 'eval/dev.jsonl' },
    },
  });
  if (values.child) {
    const job = JSON.parse(readFileSync(values.job!, 'utf8')) as Job;
    try {
      const ok = values.child === 'pgvector' ? await childPgvector(job) : await childHnsw(job, values.child === 'hnsw-restart');
      process.send!({ ok }, () => process.exit(0));
    } catch (err) {
      // Exit even if a pool is still open: the parent waits for the exit.
      process.send!({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) }, () => process.exit(1));
    }
    return;
  }

  const started = Date.now();
  const log = (s: string) => console.error(`[${Math.round((Date.now() - started) / 1000)} s] ${s}`);
  const loads: string[] = [load()];
  const kbDir = join(values.work, `kb-${values.articles}`);
  const generated = generateKnowledgeBase({ seedDir: values.kb, outDir: kbDir, articles: Number(values.articles) });
  const kb = loadKnowledgeBase(kbDir);
  const entries = kb.articles.flatMap(articleEntries);
  const distinct = new Map(entries.map((e) => [e.hash, e]));
  log(`${generated.articles} articles: ${entries.length} entries, ${distinct.size} distinct texts (load ${load()})`);
  const queryTexts = readDevSet(values['dev-set']).slice(0, Number(values.queries)).map((q) => q.query);
  const vectors = values['stand-in'] === 'hashing' ? hashing(distinct, queryTexts) : await useMix(distinct, queryTexts, join(values.work, 'data'), log);
  loads.push(load());

  // Ground truth: the exact 10th best cosine of each query over every entry.
  const exact = new ExactScan(entries.map((e) => vectors.byHash.get(e.hash)!), vectors.dimension);
  const flat = entries.map((e) => vectors.byHash.get(e.hash)!);
  const thresholds = vectors.queries.map((q) => {
    const top = exact.search(q, RECALL_K);
    const last = flat[top[top.length - 1]!]!;
    let s = 0;
    for (let j = 0; j < q.length; j++) s += q[j]! * last[j]!;
    return s;
  });
  log(`exact top ${RECALL_K} computed for ${thresholds.length} queries (load ${load()})`);

  const dbName = `vbench_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: values.database });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(values.database);
  url.pathname = `/${dbName}`;
  const databaseUrl = url.toString();
  const workDir = mkdtempSync(join(tmpdir(), 'helpdesk-vbench-'));
  let pool: PgPool | undefined;
  try {
    pool = createPgPool(databaseUrl, { max: 2 });
    await migratePg(pool, pgMigrations);
    const items = [...distinct.keys()].map((hash) => ({ hash, vector: vectors.byHash.get(hash)! }));
    await new PgEmbeddingCache(pool).putMany(vectors.provider, vectors.model, items);
    const sizeOf = async (sql: string) => Number((await pool!.query<{ n: string }>(sql)).rows[0]!.n) / 2 ** 20;
    const cacheMb = await sizeOf("SELECT pg_total_relation_size('embedding_cache') AS n");
    const dbWithCacheMb = await sizeOf('SELECT pg_database_size(current_database()) AS n');
    log(`shared embedding cache: ${items.length} vectors, ${cacheMb.toFixed(1)} MB (load ${load()})`);

    // One article's entries, for the edit measures: the first generated English article (else the first).
    const editArticle = (kb.articles.find((a) => /^g\d+-/.test(a.id)) ?? kb.articles[0]!).id;
    const job: Job = {
      databaseUrl,
      provider: vectors.provider,
      model: vectors.model,
      dimension: vectors.dimension,
      knowledgeHash: entriesHash(entries),
      entries: entries.map((e) => ({ key: e.key, hash: e.hash })),
      queries: vectors.queries.map((q) => Array.from(q)),
      thresholds,
      indexDir: join(workDir, 'vector-index'),
      editKeys: entries.filter((e) => e.articleId === editArticle).map((e) => e.key),
    };
    const jobFile = join(workDir, 'job.json');
    writeFileSync(jobFile, JSON.stringify(job));

    type HnswResult = Awaited<ReturnType<typeof childHnsw>>;
    log('replica A: hnswlib, no saved index (reads the cache, builds, saves)');
    const cold = await runChild<HnswResult>('hnsw-cold', jobFile);
    log(`  cache ${round(cold.cacheMs / 1000, 2)} s, build ${round(cold.indexMs / 1000, 2)} s (load ${cold.load})`);
    log('replica A restarted: hnswlib, saved index in its DATA_DIR');
    const restart = await runChild<HnswResult>('hnsw-restart', jobFile);
    log(`  cache ${round(restart.cacheMs / 1000, 2)} s, load ${round(restart.indexMs / 1000, 2)} s (load ${restart.load})`);

    // pgvector: one table of entries and one HNSW index, built once on the server.
    const ext = await pool.query<{ v: string }>("SELECT default_version AS v FROM pg_available_extensions WHERE name = 'vector'");
    let pgv: { version: string; loadMs: number; buildMs: number; tableMb: number; indexMb: number; dbMb: number; result: Awaited<ReturnType<typeof childPgvector>> } | undefined;
    if (ext.rows.length === 0) {
      log('pgvector is not installed on this PostgreSQL server: its rows are left out');
    } else {
      await pool.query('CREATE EXTENSION vector');
      const version = (await pool.query<{ v: string }>("SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'")).rows[0]!.v;
      await pool.query(`CREATE TABLE vector_entries (key TEXT PRIMARY KEY, hash TEXT NOT NULL, embedding vector(${vectors.dimension}) NOT NULL)`);
      log(`pgvector ${version}: loading ${entries.length} rows (load ${load()})`);
      const t0 = performance.now();
      for (let i = 0; i < entries.length; i += 1000) {
        const part = entries.slice(i, i + 1000);
        await pool.query('INSERT INTO vector_entries (key, hash, embedding) SELECT * FROM unnest($1::text[], $2::text[], $3::vector[])', [
          part.map((e) => e.key),
          part.map((e) => e.hash),
          part.map((e) => literal(vectors.byHash.get(e.hash)!)),
        ]);
      }
      const loadMs = performance.now() - t0;
      log(`  rows in ${round(loadMs / 1000, 2)} s; building the HNSW index (m 16, ef_construction 200, one worker) (load ${load()})`);
      const c = await pool.connect();
      const t1 = performance.now();
      // Enough memory for the whole graph (else pgvector builds far slower on disk); no parallel
      // workers: 2 shared cores, and hnswlib builds on one thread too.
      await c.query("SET maintenance_work_mem = '1GB'; SET max_parallel_maintenance_workers = 0");
      await c.query('CREATE INDEX vector_entries_hnsw ON vector_entries USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 200)');
      const buildMs = performance.now() - t1;
      c.release();
      await pool.query('VACUUM ANALYZE vector_entries');
      const tableMb = await sizeOf("SELECT pg_table_size('vector_entries') + pg_indexes_size('vector_entries') - pg_relation_size('vector_entries_hnsw') AS n");
      const indexMb = await sizeOf("SELECT pg_relation_size('vector_entries_hnsw') AS n");
      const dbMb = await sizeOf('SELECT pg_database_size(current_database()) AS n');
      log(`  index in ${round(buildMs / 1000, 2)} s, ${indexMb.toFixed(1)} MB (load ${load()}); replica queries`);
      const result = await runChild<Awaited<ReturnType<typeof childPgvector>>>('pgvector', jobFile);
      pgv = { version, loadMs, buildMs, tableMb, indexMb, dbMb, result };
    }
    loads.push(load());

    const s = (ms: number) => `${round(ms / 1000, 2)} s`;
    const q = (m: Measured) => KS.map((k) => `${m[k].latency.p50.toFixed(2)} | ${m[k].latency.p95.toFixed(2)} | ${m[k].recall.toFixed(3)}`).join(' | ');
    const mb = (x: number) => `${x.toFixed(0)} MB`;
    const vectorsLine =
      vectors.real > 0
        ? `${vectors.real} real USE vectors (seed articles and any already cached) + ${vectors.standIn} stand-ins (mix of two real vectors of the seed topic + noise); real USE queries`
        : `${vectors.standIn} hashed-bag-of-words 512-d vectors of the very texts (no model), queries hashed alike`;
    console.log(`\n${generated.articles} articles, ${entries.length} entries (${distinct.size} distinct texts, ${vectors.dimension}-d): ${vectorsLine}.`);
    console.log(`${queryTexts.length} dev-set queries, top ${KS.join(' and top ')} (ef = max(64, k)), recall@${RECALL_K} against the exact top ${RECALL_K}; load average (1/5/15 min) at start ${loads[0]}, after vectors ${loads[1]}, at end ${loads[2]}.\n`);
    console.log('| store | index build | replica start | top-30 p50 ms | p95 ms | recall@10 | top-240 p50 ms | p95 ms | recall@10 | RSS per replica | database |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    console.log(`| hnswlib per replica (M 16, efC 200), no saved index | ${s(cold.indexMs)} on every replica | ${s(cold.cacheMs + cold.indexMs)} (cache ${s(cold.cacheMs)} + build) | ${q(cold.queries)} | +${mb(cold.rssCacheMb + cold.rssIndexMb)} (vectors in JS ${mb(cold.vectorsMb)}, index +${mb(cold.rssIndexMb)}) | cache ${mb(cacheMb)} (db ${mb(dbWithCacheMb)}) |`);
    const d = cold.distinct!;
    console.log(`| hnswlib, one node per distinct text (not the product today) | ${s(d.buildMs)} on every replica | ${s(cold.cacheMs + d.buildMs)} | ${q(d.queries)} | about half the index | same |`);
    console.log(`| hnswlib per replica, restart with its saved index | – | ${s(restart.cacheMs + restart.indexMs)} (cache ${s(restart.cacheMs)} + load ${s(restart.indexMs)}) | ${q(restart.queries)} | +${mb(restart.rssCacheMb + restart.rssIndexMb)} (vectors in JS ${mb(restart.vectorsMb)}, index read alone +${mb(restart.indexAloneMb!)}) | same |`);
    if (pgv) {
      console.log(`| pgvector ${pgv.version} HNSW (m 16, ef_construction 200, ef_search = ef) | ${s(pgv.buildMs)} once (+ ${s(pgv.loadMs)} rows) | ${s(pgv.result.startMs)} (connect + first query) | ${q(pgv.result.hnsw)} | no vectors held: one connection (RSS delta ${mb(pgv.result.rssMb)}, GC noise) | + table ${mb(pgv.tableMb)} + index ${mb(pgv.indexMb)} (db ${mb(pgv.dbMb)}) |`);
      console.log(`| pgvector exact scan (${Math.min(queryTexts.length, 50)} queries) | – | same | ${q(pgv.result.exact)} | same | same table |`);
    }
    console.log(`\nOne article edited (${job.editKeys.length} entries):`);
    console.log(`- hnswlib today: the knowledge hash changes, so every replica rebuilds its whole index: ${s(cold.indexMs)} each (plus re-reading the cache).`);
    console.log(`- hnswlib in place (markDelete + addPoint, not what the product does): p50 ${restart.incrementalEdit!.p50.toFixed(2)} ms, p95 ${restart.incrementalEdit!.p95.toFixed(2)} ms per replica.`);
    if (pgv) console.log(`- pgvector: rows deleted and inserted in one transaction, index maintained: p50 ${pgv.result.edit.p50.toFixed(2)} ms, p95 ${pgv.result.edit.p95.toFixed(2)} ms, once for all replicas.`);
    console.log(`\nchild loads at end: hnsw cold ${cold.load}, restart ${restart.load}${pgv ? `, pgvector ${pgv.result.load}` : ''}`);
  } finally {
    await pool?.end();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
