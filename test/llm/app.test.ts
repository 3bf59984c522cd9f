import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startTestApp, type TestApp } from '../server/start.js';
import { startOpenAIServer, type OpenAIServer } from '../helpers/openai-server.js';

/** The composed server (web chat, metrics) with the language model configured from the environment. */

const KB = fileURLToPath(new URL('../fixtures/kb-llm', import.meta.url));
const id = (): string => randomUUID().replace(/-/g, '');

async function ready(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await fetch(`${url}/readyz`)).status !== 200) {
    if (Date.now() > deadline) throw new Error(`${url} never became ready`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const ask = (url: string, text: string) =>
  postJson(`${url}/api/chat`, { conversationId: id(), messageId: id(), user: { id: id(), name: 'Ana Martin', locale: 'en-GB' }, text });

describe('the server with a language model', () => {
  let model: OpenAIServer;
  let on: TestApp;
  let off: TestApp;

  beforeAll(async () => {
    model = await startOpenAIServer({ apiKey: 'sk-app' });
    model.otherwise({ content: 'Disconnect the client, wait ten seconds and connect again [2].' });
    on = await startTestApp({ KB_DIR: KB, LLM_MODEL: 'gpt-test', OPENAI_BASE_URL: model.openaiBaseUrl, OPENAI_API_KEY: 'sk-app' });
    // A stray key alone must not send anything.
    off = await startTestApp({ KB_DIR: KB, OPENAI_API_KEY: 'sk-app', OPENAI_BASE_URL: model.openaiBaseUrl });
    await Promise.all([ready(on.url), ready(off.url)]);
  });
  afterAll(async () => {
    await on?.stop();
    await off?.stop();
    await model?.close();
  });

  it('answers through the model, and counts the call in /metrics', async () => {
    const res = await ask(on.url, "my vpn won't connect from home");
    expect(res.status).toBe(200);
    const body = JSON.stringify(res.json.replies);
    expect(body).toContain('Disconnect the client, wait ten seconds and connect again [1].');
    expect(body).toContain('Written by an AI assistant');
    expect(model.requests).toHaveLength(1);
    expect(model.requests[0]!.body.model).toBe('gpt-test');
    const metrics = await (await fetch(`${on.url}/metrics`)).text();
    expect(metrics).toContain('helpdesk_llm_calls_total{purpose="answer",outcome="ok"} 1');
  });

  it('a ticket summary is offered the categories of the served knowledge base', async () => {
    const conversationId = id();
    const user = { id: id(), name: 'Ana Martin', locale: 'en-GB' };
    const say = (text: string) => postJson(`${on.url}/api/chat`, { conversationId, messageId: id(), user, text });
    model.reply({ content: JSON.stringify({ summary: 'The user asked for a technician about a broken docking station.', category: 'other', priority: 'low' }) });
    expect((await say('I want to talk to a technician')).status).toBe(200);
    expect((await say('my docking station stopped working')).status).toBe(200);
    // An anonymous web session: the bot asks for a name and an address before the ticket.
    expect((await say('Ana Martin')).status).toBe(200);
    expect((await say('ana.martin@example.org')).status).toBe(200);
    const summary = model.requests.find((r) => r.body.response_format?.type === 'json_object');
    expect(summary?.body.messages[0]?.content).toContain('"category": one of "network", "printing", or "other"');
  });

  it('with only an API key set, answers extractively and sends nothing', async () => {
    const before = model.requests.length;
    const res = await ask(off.url, "my vpn won't connect from home");
    expect(res.status).toBe(200);
    const body = JSON.stringify(res.json.replies);
    expect(body).toContain('"kind":"steps"');
    expect(body).not.toContain('AI assistant');
    expect(model.requests.length).toBe(before);
  });
});
