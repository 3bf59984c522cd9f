import type { EscalationPacket } from '../escalation/packet.js';
import type { Lang } from '../lang.js';
import { LlmError, type ChatCompletion, type ChatMessage, type ChatModel } from '../ports/llm.js';
import { checkedPrefix, interpretAnswer, prepareAnswer, type AnswerFallback, type AnswerInput } from './answer.js';
import { interpretRewrite, prepareRewrite, type RewriteInput } from './rewrite.js';
import { interpretSummary, prepareSummary, withSummary } from './summary.js';

/**
 * The optional language model, as the dialogue engine uses it: grounded answers, follow-up
 * rewriting and ticket summaries. Every call is redacted, bounded (token budget, deadline) and
 * logged; every failure, whatever its cause, comes back as a reason to fall back, never as an
 * exception, so a turn works exactly as without a model.
 */

export type LlmPurpose = 'answer' | 'rewrite' | 'summary';
export type CallFailure = 'timeout' | 'error';

export interface LlmCallRecord {
  purpose: LlmPurpose;
  /** 'ok', or why the engine fell back (timeout, error, not_enough_info, unsupported…). */
  outcome: string;
  durationMs: number;
  provider: string;
  model: string;
  promptTokens?: number;
  completionTokens?: number;
}

/** pino-compatible; `debug` receives the (redacted) messages sent. */
export interface LlmLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface LlmFeatures {
  answers: boolean;
  rewrite: boolean;
  summary: boolean;
}

export interface AssistantOptions {
  model: ChatModel;
  /** Deadline of one call, ms (LLM_TIMEOUT_MS). */
  timeoutMs: number;
  /** Generated tokens per call (LLM_MAX_TOKENS). */
  maxTokens: number;
  /** Prompt tokens per call: passages and transcript are trimmed to fit (LLM_INPUT_TOKENS). */
  inputTokens: number;
  temperature?: number;
  features?: Partial<LlmFeatures>;
  /** Knowledge-base categories offered to the ticket summary, read at each summary (they change with reloads). */
  categories?: () => readonly string[];
  /** Share of a sentence's words its cited passages must contain. */
  minSupport?: number;
  logger?: LlmLogger;
  /** Called after every call: the composition root counts outcomes in its metrics. */
  onCall?: (record: LlmCallRecord) => void;
  clock?: () => number;
}

export type AssistantAnswer =
  | { ok: true; text: string; articleIds: string[] }
  | { ok: false; reason: AnswerFallback | CallFailure; detail: string };

export type AssistantRewrite = { ok: true; query: string } | { ok: false; reason: string; detail: string };

export interface AssistantSummary {
  packet: EscalationPacket;
  /** 'ok' or why the packet went without a summary. */
  outcome: string;
}

type CallResult = { ok: true; completion: ChatCompletion } | { ok: false; reason: CallFailure; detail: string };

/**
 * A rewrite happens before retrieval and an answer after it, in the same turn: the rewrite gets
 * half the deadline and a short reply, so a turn waits at most 1.5 × LLM_TIMEOUT_MS for the model.
 */
const REWRITE_TIME_SHARE = 0.5;
const REWRITE_MAX_TOKENS = 80;

interface CallLimits {
  timeoutMs: number;
  maxTokens: number;
  json?: boolean;
}

export class LanguageAssistant {
  readonly features: LlmFeatures;
  private readonly clock: () => number;

  constructor(private readonly options: AssistantOptions) {
    this.features = { answers: true, rewrite: true, summary: true, ...options.features };
    this.clock = options.clock ?? Date.now;
  }

  get provider(): string {
    return this.options.model.provider;
  }

  get model(): string {
    return this.options.model.model;
  }

  private limits(purpose: LlmPurpose): CallLimits {
    const { timeoutMs, maxTokens } = this.options;
    if (purpose === 'rewrite') return { timeoutMs: Math.ceil(timeoutMs * REWRITE_TIME_SHARE), maxTokens: Math.min(maxTokens, REWRITE_MAX_TOKENS) };
    return { timeoutMs, maxTokens, json: purpose === 'summary' };
  }

  private async call(purpose: LlmPurpose, messages: ChatMessage[], onDelta?: (delta: string) => void): Promise<CallResult> {
    const { model, logger } = this.options;
    const { timeoutMs, maxTokens, json = false } = this.limits(purpose);
    logger?.debug({ llm: { purpose, provider: model.provider, model: model.model, messages } }, 'llm request (redacted)');
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The deadline holds even if an adapter ignores the signal.
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new LlmError('timeout', `no reply within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      const completion = await Promise.race([
        model.complete({
          messages,
          maxTokens,
          temperature: this.options.temperature ?? 0.1,
          timeoutMs,
          signal: controller.signal,
          json,
          ...(onDelta ? { onDelta } : {}),
        }),
        deadline,
      ]);
      logger?.debug({ llm: { purpose, reply: completion.text, finishReason: completion.finishReason } }, 'llm reply');
      return { ok: true, completion };
    } catch (err) {
      const timedOut = controller.signal.aborted || (err instanceof LlmError && err.kind === 'timeout');
      const detail = err instanceof Error ? err.message : String(err);
      logger?.warn({ llm: { purpose, provider: model.provider, model: model.model, error: detail, kind: err instanceof LlmError ? err.kind : undefined } }, 'llm call failed, falling back');
      return { ok: false, reason: timedOut ? 'timeout' : 'error', detail };
    } finally {
      clearTimeout(timer);
    }
  }

  private record(purpose: LlmPurpose, outcome: string, started: number, completion?: ChatCompletion, detail?: string): void {
    const { model, logger, onCall } = this.options;
    const record: LlmCallRecord = {
      purpose,
      outcome,
      durationMs: this.clock() - started,
      provider: model.provider,
      model: model.model,
      ...(completion?.usage ? { promptTokens: completion.usage.promptTokens, completionTokens: completion.usage.completionTokens } : {}),
    };
    logger?.info({ llm: { ...record, ...(detail && outcome !== 'ok' ? { detail } : {}) } }, outcome === 'ok' ? 'llm used' : 'llm not used, fallback');
    try {
      onCall?.(record);
    } catch {
      // Metrics must never break a turn.
    }
  }

  /** A conversational answer grounded in the given articles' passages, or why the extractive one is kept. */
  async answer(input: AnswerInput & { detectLang?: (text: string, fallback: Lang) => Lang; onChecked?: (text: string) => void }): Promise<AssistantAnswer> {
    const started = this.clock();
    const prepared = prepareAnswer(input, { inputTokens: this.options.inputTokens });
    const grounding = this.options.minSupport !== undefined ? { minSupport: this.options.minSupport } : {};
    const checked = input.onChecked ? checkedDeltas(prepared, grounding, input.onChecked) : undefined;
    const result = await this.call('answer', prepared.messages, checked?.onDelta);
    if (!result.ok) {
      this.record('answer', result.reason, started, undefined, result.detail);
      return result;
    }
    const outcome = interpretAnswer(result.completion.text, prepared, {
      finishReason: result.completion.finishReason,
      ...(this.options.minSupport !== undefined ? { minSupport: this.options.minSupport } : {}),
      ...(input.detectLang ? { detectLang: input.detectLang } : {}),
    });
    this.record('answer', outcome.ok ? 'ok' : outcome.reason, started, result.completion, outcome.ok ? undefined : outcome.detail);
    // The last sentence has nothing after it to mark its end: it is given once the whole answer passed.
    if (outcome.ok) checked?.finish(outcome.text);
    return outcome;
  }

  /** A standalone query for a follow-up, or why the engine's own combination is kept. */
  async rewrite(input: RewriteInput): Promise<AssistantRewrite> {
    const started = this.clock();
    const prepared = prepareRewrite(input);
    const result = await this.call('rewrite', prepared.messages);
    if (!result.ok) {
      this.record('rewrite', result.reason, started, undefined, result.detail);
      return result;
    }
    const outcome = interpretRewrite(result.completion.text, prepared);
    this.record('rewrite', outcome.ok ? 'ok' : outcome.reason, started, result.completion, outcome.ok ? undefined : outcome.detail);
    return outcome;
  }

  /** The packet with a summary, suggested category and priority; unchanged when the model fails. */
  async summarize(packet: EscalationPacket): Promise<AssistantSummary> {
    const started = this.clock();
    const prepared = prepareSummary(packet, {
      inputTokens: this.options.inputTokens,
      ...(this.options.categories ? { categories: this.options.categories() } : {}),
    });
    const result = await this.call('summary', prepared.messages);
    if (!result.ok) {
      this.record('summary', result.reason, started, undefined, result.detail);
      return { packet, outcome: result.reason };
    }
    const outcome = interpretSummary(result.completion.text, packet, prepared);
    this.record('summary', outcome.ok ? 'ok' : outcome.reason, started, result.completion, outcome.ok ? undefined : outcome.detail);
    return outcome.ok ? { packet: withSummary(packet, outcome), outcome: 'ok' } : { packet, outcome: outcome.reason };
  }
}

/**
 * Turns the model's raw deltas into checked text: at each new sentence end the reply so far is
 * checked, and only what passed (and extends what was already given) is passed on; `finish`
 * gives the rest of the accepted final answer.
 */
function checkedDeltas(
  prepared: ReturnType<typeof prepareAnswer>,
  grounding: { minSupport?: number },
  onChecked: (text: string) => void,
): { onDelta: (delta: string) => void; finish: (final: string) => void } {
  let raw = '';
  let given = '';
  let checkedUpTo = 0;
  const give = (upTo: string): void => {
    if (upTo.length <= given.length || !upTo.startsWith(given)) return;
    const piece = upTo.slice(given.length);
    given = upTo;
    try {
      onChecked(piece);
    } catch {
      // A channel failing to show progress must not cost the answer.
    }
  };
  return {
    onDelta(delta) {
      raw += delta;
      // Only a delta that completes a sentence can change what is checkable.
      if (!/[.!?:\n]/.test(raw.slice(checkedUpTo))) return;
      checkedUpTo = raw.length;
      const prefix = checkedPrefix(raw, prepared, grounding);
      if (prefix) give(prefix);
    },
    finish: give,
  };
}
