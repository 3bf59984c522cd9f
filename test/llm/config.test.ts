import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { llmSchema } from '../../src/config/sections/llm.js';
import { parseSection } from '../../src/config/env.js';

const problems = (env: Record<string, string>) => parseSection(llmSchema, env).problems;

describe('LLM configuration', () => {
  it('is off with nothing set', () => {
    expect(llmSchema.parse({})).toEqual({ enabled: false });
  });

  it('a stray OPENAI_API_KEY or Azure key never turns it on, and says why it stays off', () => {
    const off = llmSchema.parse({ OPENAI_API_KEY: 'sk-from-my-shell' });
    expect(off.enabled).toBe(false);
    expect(off.enabled === false && off.note).toMatch(/OPENAI_API_KEY set but neither LLM_MODEL nor AZURE_OPENAI_DEPLOYMENT/);
    expect(llmSchema.parse({ AZURE_OPENAI_API_KEY: 'k', AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com' }).enabled).toBe(false);
  });

  it('OpenAI: LLM_MODEL and OPENAI_API_KEY, with defaults for the limits', () => {
    const c = llmSchema.parse({ LLM_MODEL: 'gpt-4o-mini', OPENAI_API_KEY: 'sk-1' });
    expect(c).toEqual({
      enabled: true,
      provider: { kind: 'openai', model: 'gpt-4o-mini', apiKey: 'sk-1' },
      timeoutMs: 8000,
      maxTokens: 600,
      inputTokens: 3000,
      temperature: 0.1,
      features: { answers: true, rewrite: true, summary: true },
    });
  });

  it('an OpenAI-compatible server (Ollama) needs a base URL but no key', () => {
    const c = llmSchema.parse({ LLM_MODEL: 'llama3.1:8b', OPENAI_BASE_URL: 'http://localhost:11434/v1/' });
    expect(c.enabled && c.provider).toEqual({ kind: 'openai', model: 'llama3.1:8b', baseUrl: 'http://localhost:11434/v1' });
  });

  it('api.openai.com without a key is a clear error', () => {
    expect(problems({ LLM_MODEL: 'gpt-4o-mini' })).toEqual([
      'OPENAI_API_KEY: required with LLM_MODEL for api.openai.com (or set OPENAI_BASE_URL to a compatible server that needs no key)',
    ]);
  });

  it('Azure: deployment, endpoint and key; the API version defaults to a GA version', () => {
    const c = llmSchema.parse({
      AZURE_OPENAI_DEPLOYMENT: 'helpdesk-gpt4o',
      AZURE_OPENAI_ENDPOINT: 'https://contoso.openai.azure.com/',
      AZURE_OPENAI_API_KEY: 'az-1',
    });
    expect(c.enabled && c.provider).toEqual({
      kind: 'azure',
      deployment: 'helpdesk-gpt4o',
      endpoint: 'https://contoso.openai.azure.com',
      apiKey: 'az-1',
      apiVersion: '2024-10-21',
    });
    const v = llmSchema.parse({ AZURE_OPENAI_DEPLOYMENT: 'd', AZURE_OPENAI_ENDPOINT: 'https://c.openai.azure.com', AZURE_OPENAI_API_KEY: 'k', OPENAI_API_VERSION: '2025-01-01-preview' });
    expect(v.enabled && v.provider.kind === 'azure' && v.provider.apiVersion).toBe('2025-01-01-preview');
  });

  it('Azure without endpoint and key names both variables', () => {
    expect(problems({ AZURE_OPENAI_DEPLOYMENT: 'd' })).toEqual([
      'AZURE_OPENAI_ENDPOINT: required with AZURE_OPENAI_DEPLOYMENT, e.g. https://my-resource.openai.azure.com',
      'AZURE_OPENAI_API_KEY: required with AZURE_OPENAI_DEPLOYMENT',
    ]);
  });

  it('both providers at once is ambiguous', () => {
    expect(problems({ LLM_MODEL: 'm', OPENAI_API_KEY: 'k', AZURE_OPENAI_DEPLOYMENT: 'd', AZURE_OPENAI_ENDPOINT: 'https://e', AZURE_OPENAI_API_KEY: 'k' })[0]).toMatch(
      /^LLM_MODEL: set either LLM_MODEL .* or AZURE_OPENAI_DEPLOYMENT .*, not both$/,
    );
  });

  it('LLM_ENABLED=false switches a configured model off; LLM_ENABLED=true without a model is an error', () => {
    const off = llmSchema.parse({ LLM_ENABLED: 'false', LLM_MODEL: 'gpt-4o-mini', OPENAI_API_KEY: 'k' });
    expect(off).toEqual({ enabled: false, note: 'language model configured but LLM_ENABLED=false' });
    expect(problems({ LLM_ENABLED: 'true' })[0]).toMatch(/^LLM_ENABLED: LLM_ENABLED=true needs LLM_MODEL/);
    expect(problems({ LLM_ENABLED: 'maybe' })).toEqual(['LLM_ENABLED: expected true or false, got "maybe"']);
  });

  it('limits, temperature and features are validated', () => {
    const base = { LLM_MODEL: 'm', OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1' };
    const c = llmSchema.parse({ ...base, LLM_TIMEOUT_MS: '2500', LLM_MAX_TOKENS: '300', LLM_INPUT_TOKENS: '1500', LLM_TEMPERATURE: '0', LLM_FEATURES: 'summary, rewrite' });
    expect(c.enabled && [c.timeoutMs, c.maxTokens, c.inputTokens, c.temperature]).toEqual([2500, 300, 1500, 0]);
    expect(c.enabled && c.features).toEqual({ answers: false, rewrite: true, summary: true });
    expect(problems({ ...base, LLM_TIMEOUT_MS: 'soon' })).toEqual(['LLM_TIMEOUT_MS: expected an integer between 500 and 120000, got "soon"']);
    expect(problems({ ...base, LLM_FEATURES: 'answers,jokes' })[0]).toMatch(/^LLM_FEATURES: unknown feature\(s\) jokes/);
    expect(problems({ ...base, OPENAI_BASE_URL: 'localhost:11434' })).toEqual(['OPENAI_BASE_URL: expected an http(s) URL, got "localhost:11434"']);
  });

  it('is part of the application configuration, reported with the other sections', () => {
    expect(loadConfig({}).llm).toEqual({ enabled: false });
    expect(() => loadConfig({ LLM_MODEL: 'gpt-4o-mini' })).toThrow(ConfigError);
  });

  it('.env.example copied as it is leaves the model off, and documents every LLM variable', () => {
    const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const env = parseEnv(text) as Record<string, string>;
    expect(llmSchema.parse(env)).toEqual({ enabled: false });
    const names = ['LLM_ENABLED', 'LLM_MODEL', 'OPENAI_API_KEY', 'OPENAI_BASE_URL', 'AZURE_OPENAI_DEPLOYMENT', 'AZURE_OPENAI_ENDPOINT', 'AZURE_OPENAI_API_KEY', 'OPENAI_API_VERSION', 'LLM_TIMEOUT_MS', 'LLM_MAX_TOKENS', 'LLM_INPUT_TOKENS', 'LLM_TEMPERATURE', 'LLM_FEATURES'];
    for (const name of names) expect(text).toMatch(new RegExp(`^${name}=`, 'm'));
  });
});
