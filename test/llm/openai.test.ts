import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LlmProviderConfig } from '../../src/config/sections/llm.js';
import { LlmError, type ChatRequest } from '../../src/engine/ports/llm.js';
import { OpenAIChatModel } from '../../src/llm/openai.js';
import { startOpenAIServer, type OpenAIServer } from '../helpers/openai-server.js';

const request = (over: Partial<ChatRequest> = {}): ChatRequest => ({
  messages: [
    { role: 'system', content: 'You are a test.' },
    { role: 'user', content: 'Say hello.' },
  ],
  maxTokens: 50,
  temperature: 0.1,
  timeoutMs: 5_000,
  ...over,
});

async function failure(promise: Promise<unknown>): Promise<LlmError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(LlmError);
    return err as LlmError;
  }
  throw new Error('expected the call to fail');
}

describe('OpenAI adapter against a local OpenAI-compatible server', () => {
  let server: OpenAIServer;
  let model: OpenAIChatModel;

  beforeAll(async () => {
    server = await startOpenAIServer({ apiKey: 'sk-test-key' });
    model = OpenAIChatModel.fromConfig({ kind: 'openai', model: 'gpt-test', baseUrl: server.openaiBaseUrl, apiKey: 'sk-test-key' }, 5_000);
  });
  afterAll(() => server.close());
  afterEach(() => {
    server.requests.length = 0;
  });

  it('sends a chat completion request and returns the text, finish reason and usage', async () => {
    server.reply({ content: 'Hello there.' });
    const out = await model.complete(request());
    expect(out.text).toBe('Hello there.');
    expect(out.finishReason).toBe('stop');
    expect(out.usage?.completionTokens).toBeGreaterThan(0);
    expect(out.model).toBe('gpt-test');
    expect(model.provider).toBe('openai-compatible');

    const [sent] = server.requests;
    expect(sent?.dialect).toBe('openai');
    expect(sent?.path).toBe('/v1/chat/completions');
    expect(sent?.headers.authorization).toBe('Bearer sk-test-key');
    expect(sent?.body).toMatchObject({ model: 'gpt-test', max_tokens: 50, temperature: 0.1, messages: request().messages });
    expect(sent?.body.stream).toBeFalsy();
    expect(sent?.body.response_format).toBeUndefined();
  });

  it('streams: deltas arrive in order and add up to the returned text', async () => {
    const content = 'Restart the VPN client, then sign in again with your work account [1].';
    server.reply({ content });
    const deltas: string[] = [];
    const out = await model.complete(request({ onDelta: (d) => deltas.push(d) }));
    expect(server.requests[0]?.body.stream).toBe(true);
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe(content);
    expect(out.text).toBe(content);
    expect(out.finishReason).toBe('stop');
  });

  it('asks for a JSON object when the request wants JSON', async () => {
    server.reply({ content: '{"ok":true}' });
    await model.complete(request({ json: true }));
    expect(server.requests[0]?.body.response_format).toEqual({ type: 'json_object' });
  });

  it('reports a reply cut by the token limit', async () => {
    server.reply({ content: 'Restart the', finishReason: 'length' });
    expect((await model.complete(request())).finishReason).toBe('length');
  });

  it.each([
    [400, 'bad_request'],
    [401, 'auth'],
    [429, 'rate_limited'],
    [500, 'server'],
  ] as const)('HTTP %i becomes LlmError %s, without retrying', async (status, kind) => {
    server.reply({ status, message: `scripted ${status}`, headers: status === 429 ? { 'retry-after': '0' } : {} });
    const err = await failure(model.complete(request()));
    expect(err.kind).toBe(kind);
    expect(err.httpStatus).toBe(status);
    expect(server.requests).toHaveLength(1);
  });

  it('a wrong key is rejected by the server and reported as an auth error', async () => {
    const wrong = OpenAIChatModel.fromConfig({ kind: 'openai', model: 'gpt-test', baseUrl: server.openaiBaseUrl, apiKey: 'sk-wrong' }, 5_000);
    const err = await failure(wrong.complete(request()));
    expect(err.kind).toBe('auth');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-wrong');
  });

  it('gives up after the timeout and the server sees the client leave', async () => {
    server.reply({ content: 'too late', delayMs: 3_000 });
    const err = await failure(model.complete(request({ timeoutMs: 300 })));
    expect(err.kind).toBe('timeout');
    await expect.poll(() => server.abandoned).toBe(1);
  });

  it('an abort signal cancels the call', async () => {
    server.reply({ content: 'too late', delayMs: 3_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const err = await failure(model.complete(request({ signal: controller.signal })));
    expect(err.kind).toBe('aborted');
  });
});

describe('OpenAI adapter: configuration only, never the SDK environment fallbacks', () => {
  let server: OpenAIServer;
  const saved = { ...process.env };

  beforeAll(async () => {
    server = await startOpenAIServer();
  });
  afterAll(() => server.close());
  afterEach(() => {
    process.env = { ...saved };
  });

  it('ignores OPENAI_BASE_URL and OPENAI_API_KEY from the environment', async () => {
    process.env.OPENAI_BASE_URL = 'http://127.0.0.1:9/v1';
    process.env.OPENAI_API_KEY = 'sk-from-the-shell';
    server.reply({ content: 'ok' });
    const model = OpenAIChatModel.fromConfig({ kind: 'openai', model: 'llama3.1', baseUrl: server.openaiBaseUrl }, 5_000);
    expect((await model.complete(request())).text).toBe('ok');
    expect(server.requests.at(-1)?.headers.authorization).not.toContain('sk-from-the-shell');
  });

  it('Azure: ignores OPENAI_BASE_URL from the environment and uses the configured endpoint', async () => {
    process.env.OPENAI_BASE_URL = 'http://127.0.0.1:9/v1';
    server.reply({ content: 'ok' });
    const config: LlmProviderConfig = { kind: 'azure', deployment: 'gpt-4o-mini', endpoint: server.azureEndpoint, apiKey: 'az-key', apiVersion: '2024-10-21' };
    expect((await OpenAIChatModel.fromConfig(config, 5_000).complete(request())).text).toBe('ok');
  });
});

describe('Azure OpenAI adapter against a local Azure-style endpoint', () => {
  let server: OpenAIServer;
  const config: LlmProviderConfig = { kind: 'azure', deployment: 'helpdesk-gpt4o', endpoint: '', apiKey: 'azure-secret', apiVersion: '2024-10-21' };

  beforeAll(async () => {
    server = await startOpenAIServer({ azureApiKey: 'azure-secret' });
    config.endpoint = `${server.azureEndpoint}/`;
  });
  afterAll(() => server.close());
  afterEach(() => {
    server.requests.length = 0;
  });

  it('posts to the deployment with the api-version and the api-key header', async () => {
    server.reply({ content: 'Bonjour.' });
    const model = OpenAIChatModel.fromConfig(config, 5_000);
    expect(model.provider).toBe('azure');
    const out = await model.complete(request());
    expect(out.text).toBe('Bonjour.');
    const [sent] = server.requests;
    expect(sent?.dialect).toBe('azure');
    expect(sent?.path).toBe('/openai/deployments/helpdesk-gpt4o/chat/completions');
    expect(sent?.deployment).toBe('helpdesk-gpt4o');
    expect(sent?.query.get('api-version')).toBe('2024-10-21');
    expect(sent?.headers['api-key']).toBe('azure-secret');
    expect(sent?.headers.authorization).toBeUndefined();
  });

  it('streams from Azure too', async () => {
    server.reply({ content: 'Redémarrez le client VPN.' });
    const deltas: string[] = [];
    const out = await OpenAIChatModel.fromConfig(config, 5_000).complete(request({ onDelta: (d) => deltas.push(d) }));
    expect(deltas.join('')).toBe('Redémarrez le client VPN.');
    expect(out.text).toBe('Redémarrez le client VPN.');
  });

  it('a wrong Azure key is an auth error', async () => {
    const err = await failure(OpenAIChatModel.fromConfig({ ...config, apiKey: 'nope' }, 5_000).complete(request()));
    expect(err.kind).toBe('auth');
    expect(err.httpStatus).toBe(401);
  });
});
