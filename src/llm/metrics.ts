import { Counter, Histogram, type Registry } from 'prom-client';
import type { LlmCallRecord } from '../engine/llm/assistant.js';

/**
 * Prometheus counters for the language model, registered in the server's registry: how often it
 * was used and why the bot fell back (timeout, error, not_enough_info, unsupported…).
 */
export function llmMetrics(registry: Registry): (record: LlmCallRecord) => void {
  const registers = [registry];
  const calls = new Counter({
    name: 'helpdesk_llm_calls_total',
    help: 'Language model calls by purpose (answer, rewrite, summary) and outcome (ok or the fallback reason).',
    labelNames: ['purpose', 'outcome'],
    registers,
  });
  const duration = new Histogram({
    name: 'helpdesk_llm_call_duration_seconds',
    help: 'Time a language model call took, including validation, by purpose.',
    labelNames: ['purpose'],
    buckets: [0.25, 0.5, 1, 2, 4, 8, 16, 32],
    registers,
  });
  const tokens = new Counter({
    name: 'helpdesk_llm_tokens_total',
    help: 'Tokens reported by the provider, by kind (prompt, completion).',
    labelNames: ['kind'],
    registers,
  });
  return (record) => {
    calls.inc({ purpose: record.purpose, outcome: record.outcome });
    duration.observe({ purpose: record.purpose }, record.durationMs / 1000);
    if (record.promptTokens !== undefined) tokens.inc({ kind: 'prompt' }, record.promptTokens);
    if (record.completionTokens !== undefined) tokens.inc({ kind: 'completion' }, record.completionTokens);
  };
}
