import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { LanguageAssistant } from '../../../src/engine/llm/assistant.js';
import { loadKnowledgeBase } from '../../../src/engine/knowledge/loader.js';
import { articlePassages } from '../../../src/engine/knowledge/passages.js';
import { createLanguageDetector } from '../../../src/engine/retrieval/lang-detect.js';
import { TextStream } from '../../../src/engine/llm/text-stream.js';
import { OpenAIChatModel } from '../../../src/llm/openai.js';
import { startOpenAIServer, type OpenAIServer } from '../../helpers/openai-server.js';

/**
 * The answer as it is written (TurnProgress.answering): through the real OpenAI adapter and a
 * local server that streams, only text whose sentences passed the grounding check comes out,
 * in order, each piece extending the last, and it always ends with the final answer's text.
 */

const kb = loadKnowledgeBase(fileURLToPath(new URL('../../fixtures/kb-llm', import.meta.url)));
const detectLang = createLanguageDetector();
let server: OpenAIServer;

beforeAll(async () => {
  server = await startOpenAIServer({ apiKey: 'sk-test', streamChunkChars: 5 });
});
afterAll(() => server.close());

async function ask(content: string): Promise<{ pieces: string[]; outcome: Awaited<ReturnType<LanguageAssistant['answer']>> }> {
  server.reply({ content });
  const model = OpenAIChatModel.fromConfig({ kind: 'openai', model: 'gpt-test', baseUrl: server.openaiBaseUrl, apiKey: 'sk-test' }, 10_000);
  const assistant = new LanguageAssistant({ model, timeoutMs: 5_000, maxTokens: 400, inputTokens: 3_000 });
  const stream = new TextStream();
  const read = (async () => {
    const out: string[] = [];
    for await (const piece of stream) out.push(piece);
    return out;
  })();
  const outcome = await assistant
    .answer({
      question: "my vpn won't connect from home",
      lang: 'en',
      articles: [{ id: 'vpn-cannot-connect', passages: articlePassages(kb.byId.get('vpn-cannot-connect')!) }],
      detectLang,
      onChecked: (text) => stream.push(text),
    })
    .finally(() => stream.end());
  expect(server.requests.at(-1)?.body.stream).toBe(true);
  return { pieces: await read, outcome };
}

describe('checked answer stream', () => {
  it('gives the answer sentence by sentence, citations renumbered, ending with the final text', async () => {
    const { pieces, outcome } = await ask(
      ["Let's get your VPN connected again [1].", '- Disconnect the client, wait ten seconds and connect again [2].', '- Sign in with your work email address and approve the MFA request [2].'].join('\n'),
    );
    expect(outcome.ok).toBe(true);
    expect(pieces.length).toBeGreaterThanOrEqual(2);
    expect(pieces[0]).toBe("Let's get your VPN connected again [1].");
    expect(pieces.join('')).toBe(outcome.ok ? outcome.text : '');
  });

  it('stops before a sentence that fails the check, and never shows it', async () => {
    const { pieces, outcome } = await ask(
      ["Let's get your VPN connected again [1].", 'Reinstall Windows from a USB stick to fix the VPN [1].', '- Disconnect the client, wait ten seconds and connect again [2].'].join('\n'),
    );
    expect(outcome).toMatchObject({ ok: false, reason: 'unsupported' });
    expect(pieces.join('')).toBe("Let's get your VPN connected again [1].");
  });

  it('gives nothing when the model says it does not know', async () => {
    const { pieces, outcome } = await ask('NOT_ENOUGH_INFO');
    expect(outcome.ok).toBe(false);
    expect(pieces).toEqual([]);
  });
});
