import type { LlmConfig } from '../config/sections/llm.js';
import { LanguageAssistant, type LlmCallRecord, type LlmLogger } from '../engine/llm/assistant.js';
import { OpenAIChatModel } from './openai.js';

/**
 * Composition of the optional language model: undefined when it is off, so the engine answers
 * extractively exactly as it does without one.
 */

export interface AssistantWiring {
  logger?: LlmLogger;
  onCall?: (record: LlmCallRecord) => void;
  /** Knowledge-base categories, offered to ticket summaries (read at each summary). */
  categories?: () => readonly string[];
}

export function createLanguageAssistant(config: LlmConfig, wiring: AssistantWiring = {}): LanguageAssistant | undefined {
  if (!config.enabled) {
    if (config.note) wiring.logger?.info({ llm: { enabled: false } }, config.note);
    return undefined;
  }
  const model = OpenAIChatModel.fromConfig(config.provider, config.timeoutMs);
  wiring.logger?.info(
    { llm: { enabled: true, provider: model.provider, model: model.model, features: config.features, timeoutMs: config.timeoutMs } },
    'language model enabled',
  );
  return new LanguageAssistant({
    model,
    timeoutMs: config.timeoutMs,
    maxTokens: config.maxTokens,
    inputTokens: config.inputTokens,
    temperature: config.temperature,
    features: config.features,
    ...(wiring.categories ? { categories: wiring.categories } : {}),
    ...(wiring.logger ? { logger: wiring.logger } : {}),
    ...(wiring.onCall ? { onCall: wiring.onCall } : {}),
  });
}
