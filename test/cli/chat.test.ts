import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runRepl } from '../../src/cli/commands/chat.js';
import { harness, type Harness } from '../engine/dialogue/harness.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
let h: Harness | undefined;
afterEach(() => h?.close());

async function repl(lines: string[]): Promise<string> {
  h = harness();
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (d: Buffer) => (printed += d.toString()));
  const done = runRepl({ engine: h.engine, address: { channel: 'cli', conversationId: 'cli-ana' }, user: { id: 'ana', name: 'Ana' }, input, output });
  input.end(lines.join('\n') + '\n');
  await done;
  return printed;
}

describe('helpdesk chat REPL', () => {
  it('prints replies as text with numbered buttons; typing a number presses it', async () => {
    const out = await repl(['the vpn gateway says it cannot connect', '1']);
    expect(out).toContain('**VPN will not connect**');
    expect(out).toContain('[1] Yes  [2] No  [3] Guide me step by step');
    expect(out).toContain("Great, glad it's fixed!");
    expect((await h!.store.feedback())[0]).toMatchObject({ value: 'yes' });
  });

  it('a number with no buttons on screen is an ordinary message; /quit leaves', async () => {
    const out = await repl(['7', '/quit', 'hello']);
    expect(out).not.toContain('Hi Ana');
    expect(h!.knowledge.queries.map((q) => q.query)).toEqual(['7']);
  });
});

describe('helpdesk chat command', () => {
  it('runs on the real knowledge service, SQLite store and ticket outbox, and resumes the conversation', () => {
    const data = mkdtempSync(join(tmpdir(), 'chat-cli-'));
    try {
      const run = (input: string) =>
        spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'chat', '--data', data, '--name', 'Léa Durand', '--email', 'lea@example.com'], {
          cwd: root,
          input,
          encoding: 'utf8',
          // Lexical retrieval keeps this test fast; the acceptance transcripts cover the default embedder.
          env: { ...process.env, EMBEDDINGS_PROVIDER: 'none', LOG_LEVEL: 'silent' },
          timeout: 120_000,
        });
      const first = run('bonjour\nje veux parler à un technicien\nC est pour accéder au dossier partagé Finance\ndépanner le wifi\n');
      expect(first.status).toBe(0);
      expect(first.stdout).toContain('Bonjour Léa !');
      expect(first.stdout).toContain('[1] Ouvrir le ticket  [2] Non merci');
      expect(first.stdout).toContain('J\'ouvre un ticket, vous recevrez son numéro ici.');
      expect(first.stdout).toContain('Votre ticket **HD-000001** est ouvert.');
      expect(first.stdout).toContain('[1] Le Wi-Fi de l\'entreprise  [2] Le Wi-Fi invités');

      // A new process continues the same conversation: the guided fix is still waiting for its answer.
      const second = run("Le Wi-Fi de l'entreprise\nstatut HD-000001\n");
      expect(second.stdout).toContain('Sur quel appareil ?');
      expect(second.stdout).toContain('Ticket **HD-000001** (C est pour accéder au dossier partagé Finance) : nouveau, en attente d\'un technicien.');
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});
