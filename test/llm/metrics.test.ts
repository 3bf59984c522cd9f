import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { llmMetrics } from '../../src/llm/metrics.js';

describe('LLM metrics', () => {
  it('counts calls by purpose and outcome, durations and tokens', async () => {
    const registry = new Registry();
    const record = llmMetrics(registry);
    const base = { provider: 'openai', model: 'gpt-test', durationMs: 1200 };
    record({ ...base, purpose: 'answer', outcome: 'ok', promptTokens: 900, completionTokens: 120 });
    record({ ...base, purpose: 'answer', outcome: 'timeout' });
    record({ ...base, purpose: 'answer', outcome: 'timeout' });
    record({ ...base, purpose: 'summary', outcome: 'invalid_json', promptTokens: 400, completionTokens: 30 });
    const text = await registry.metrics();
    expect(text).toContain('helpdesk_llm_calls_total{purpose="answer",outcome="ok"} 1');
    expect(text).toContain('helpdesk_llm_calls_total{purpose="answer",outcome="timeout"} 2');
    expect(text).toContain('helpdesk_llm_calls_total{purpose="summary",outcome="invalid_json"} 1');
    expect(text).toContain('helpdesk_llm_call_duration_seconds_count{purpose="answer"} 3');
    expect(text).toContain('helpdesk_llm_tokens_total{kind="prompt"} 1300');
    expect(text).toContain('helpdesk_llm_tokens_total{kind="completion"} 150');
  });
});
