import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llmSchema } from '../../src/config/sections/llm.js';
import type { LlmLogger } from '../../src/engine/llm/assistant.js';
import { createLanguageAssistant } from '../../src/llm/factory.js';
import { startOpenAIServer, type OpenAIServer } from '../helpers/openai-server.js';

const logger = () => {
  const lines: string[] = [];
  const log: LlmLogger = { debug: (_o, m) => lines.push(`debug ${m}`), info: (_o, m) => lines.push(`info ${m}`), warn: (_o, m) => lines.push(`warn ${m}`) };
  return { lines, log };
};

const passages = [{ text: 'Teams camera\nResolution\nClose other apps that use the camera, then restart Teams.' }];

describe('language model wiring from the environment', () => {
  let server: OpenAIServer;
  beforeAll(async () => {
    server = await startOpenAIServer({ apiKey: 'sk-live', azureApiKey: 'az-live' });
  });
  afterAll(() => server.close());

  it('off: no assistant, and a stray key is explained in the log', () => {
    const { lines, log } = logger();
    expect(createLanguageAssistant(llmSchema.parse({ OPENAI_API_KEY: 'sk-live' }), { logger: log })).toBeUndefined();
    expect(lines).toEqual(['info language model off: OPENAI_API_KEY set but neither LLM_MODEL nor AZURE_OPENAI_DEPLOYMENT, so nothing is sent to a model']);
  });

  it('OpenAI-compatible: LLM_MODEL + OPENAI_BASE_URL reach the server with the configured limits', async () => {
    const { lines, log } = logger();
    const config = llmSchema.parse({ LLM_MODEL: 'llama3.1:8b', OPENAI_BASE_URL: server.openaiBaseUrl, OPENAI_API_KEY: 'sk-live', LLM_MAX_TOKENS: '250', LLM_TEMPERATURE: '0.3', LLM_FEATURES: 'answers' });
    const assistant = createLanguageAssistant(config, { logger: log })!;
    expect(assistant.features).toEqual({ answers: true, rewrite: false, summary: false });
    server.reply({ content: 'Close the other apps that use the camera, then restart Teams [1].' });
    const out = await assistant.answer({ question: 'camera not working in teams', lang: 'en', articles: [{ id: 'teams-camera', passages }] });
    expect(out).toEqual({ ok: true, text: 'Close the other apps that use the camera, then restart Teams [1].', articleIds: ['teams-camera'] });
    const sent = server.requests.at(-1)!;
    expect(sent.body).toMatchObject({ model: 'llama3.1:8b', max_tokens: 250, temperature: 0.3 });
    expect(lines[0]).toBe('info language model enabled');
  });

  it('Azure: the deployment and api-version from the environment', async () => {
    const config = llmSchema.parse({ AZURE_OPENAI_DEPLOYMENT: 'gpt-4o-mini-prod', AZURE_OPENAI_ENDPOINT: server.azureEndpoint, AZURE_OPENAI_API_KEY: 'az-live', OPENAI_API_VERSION: '2024-06-01' });
    const assistant = createLanguageAssistant(config)!;
    server.reply({ content: 'NOT_ENOUGH_INFO' });
    expect(await assistant.answer({ question: 'camera', lang: 'en', articles: [{ id: 'teams-camera', passages }] })).toMatchObject({ ok: false, reason: 'not_enough_info' });
    const sent = server.requests.at(-1)!;
    expect(sent.path).toBe('/openai/deployments/gpt-4o-mini-prod/chat/completions');
    expect(sent.query.get('api-version')).toBe('2024-06-01');
    expect(sent.headers['api-key']).toBe('az-live');
  });
});
