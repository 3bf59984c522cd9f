import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { writeTinyBertModel } from '../helpers/tiny-onnx-model.js';
import { baseEnv, chat, tempDir } from './helpers.js';

/**
 * The service starts whatever state its files are in. A corrupt, missing or unreadable vector
 * index is rebuilt (from the embedding cache, or by embedding again when the cache itself is
 * garbage); model files that are not there leave it serving lexical-only, with a loud warning and
 * /readyz saying so, and it is back to hybrid once they are.
 */

const KB = fileURLToPath(new URL('../fixtures/kb-basic', import.meta.url));

interface ReadyBody {
  status: string;
  retrieval: { mode: string; embedder?: { provider: string; model: string } };
  checks: { knowledge: { vectors: number } };
  warnings: string[];
}

describe('degraded starts: vector index, embedding cache and model files', () => {
  const dir = tempDir('degraded');
  const dataDir = join(dir, 'data');
  const running: ServerProcess[] = [];

  afterAll(async () => {
    for (const s of running) await s.kill9();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(env: Record<string, string>): Promise<{ server: ServerProcess; ready: ReadyBody }> {
    const server = await startServerProcess({ env: { ...baseEnv(dataDir), KB_DIR: KB, ...env } });
    running.push(server);
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(200);
    return { server, ready: (await res.json()) as ReadyBody };
  }

  /** The bot still answers a plain question from the knowledge base. */
  async function answers(server: ServerProcess): Promise<void> {
    const r = await chat(server.url, { conversationId: `degraded-${Date.now()}`, userId: 'degraded-user', text: 'vpn error 809' });
    expect(r.status).toBe(200);
    expect(r.replies.some((m) => m.parts.some((p) => p.kind === 'citation'))).toBe(true);
  }

  const messages = (server: ServerProcess) => server.logs().map((l) => `${String(l.level)} ${String(l.msg)}`);

  function indexDir(provider: string): string {
    const root = join(dataDir, 'vector-index');
    const found = readdirSync(root).find((d) => d.endsWith(`-${provider}`));
    if (!found) throw new Error(`no ${provider} index under ${root}`);
    return join(root, found);
  }

  function indexIntact(provider: string): boolean {
    const d = indexDir(provider);
    const manifest = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8')) as { fileSha256: string };
    return createHash('sha256').update(readFileSync(join(d, 'index.hnsw'))).digest('hex') === manifest.fileSha256;
  }

  it('rebuilds a corrupt, a missing and an unreadable vector index, and survives a garbage embedding cache', async () => {
    const use = { EMBEDDINGS_PROVIDER: 'use' };
    const first = await start(use);
    expect(first.ready.retrieval.mode).toBe('hybrid');
    expect(first.ready.checks.knowledge.vectors).toBeGreaterThan(0);
    await first.server.stop();
    expect(indexIntact('use')).toBe(true);

    // Bytes flipped in the middle of the index file.
    const file = join(indexDir('use'), 'index.hnsw');
    const bytes = readFileSync(file);
    bytes.fill(0xa5, Math.floor(bytes.length / 2), Math.floor(bytes.length / 2) + 256);
    writeFileSync(file, bytes);
    const corrupt = await start(use);
    expect(corrupt.ready.retrieval.mode).toBe('hybrid');
    expect(messages(corrupt.server).some((m) => /vector index rebuilt: index file corrupt/.test(m))).toBe(true);
    await answers(corrupt.server);
    await corrupt.server.stop();
    expect(indexIntact('use')).toBe(true);

    // The index file deleted.
    unlinkSync(file);
    const missing = await start(use);
    expect(missing.ready.retrieval.mode).toBe('hybrid');
    expect(messages(missing.server).some((m) => /vector index rebuilt: index file missing/.test(m))).toBe(true);
    await answers(missing.server);
    await missing.server.stop();

    // The manifest and the embedding cache replaced by garbage (a disk error, a bad copy).
    writeFileSync(join(indexDir('use'), 'manifest.json'), '{"provider": "use", "trunc');
    writeFileSync(join(dataDir, 'embeddings.sqlite'), Buffer.from('not a database at all, just bytes '.repeat(64)));
    for (const suffix of ['-wal', '-shm']) if (existsSync(join(dataDir, `embeddings.sqlite${suffix}`))) unlinkSync(join(dataDir, `embeddings.sqlite${suffix}`));
    const garbage = await start(use);
    expect(garbage.ready.retrieval.mode).toBe('hybrid');
    expect(messages(garbage.server).some((m) => /^40 embedding cache unavailable/.test(m))).toBe(true);
    expect(messages(garbage.server).some((m) => /vector index rebuilt: manifest unreadable/.test(m))).toBe(true);
    await answers(garbage.server);
    await garbage.server.stop();
    expect(indexIntact('use')).toBe(true);
  }, 300_000);

  it('serves lexical-only, loudly, while the model files are missing, and recovers when they are back', async () => {
    const modelsDir = join(dir, 'models');
    mkdirSync(modelsDir, { recursive: true });
    const env = { EMBEDDINGS_PROVIDER: 'transformers', EMBEDDINGS_MODEL: 'test-org/tiny-bert', MODELS_DIR: modelsDir };

    const without = await start(env);
    expect(without.ready.status).toBe('ready');
    expect(without.ready.retrieval.mode).toBe('lexical-only');
    expect(without.ready.warnings.join('\n')).toMatch(/EMBEDDINGS UNAVAILABLE \(transformers test-org\/tiny-bert\)/);
    expect(messages(without.server).some((m) => /^40 retrieval runs LEXICAL-ONLY/.test(m))).toBe(true);
    await answers(without.server);
    await without.server.stop();

    writeTinyBertModel(join(modelsDir, 'test-org', 'tiny-bert'), { hiddenSize: 16, seed: 7 });
    const back = await start(env);
    expect(back.ready.retrieval.mode).toBe('hybrid');
    expect(back.ready.retrieval.embedder).toEqual({ provider: 'transformers', model: 'test-org/tiny-bert' });
    expect(back.ready.checks.knowledge.vectors).toBeGreaterThan(0);
    expect(back.ready.warnings.join('\n')).not.toMatch(/EMBEDDINGS UNAVAILABLE/);
    await answers(back.server);
    await back.server.stop();
    expect(indexIntact('transformers')).toBe(true);
  }, 300_000);
});
