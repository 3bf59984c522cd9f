/**
 * A chat-completion model, as the engine sees it. The adapter (src/llm/openai.ts: OpenAI, Azure
 * OpenAI, any OpenAI-compatible server) implements it; the engine never imports a vendor SDK.
 * Everything in `messages` has already been redacted by the engine (src/engine/llm/privacy.ts).
 */

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  /** Upper bound on generated tokens. */
  maxTokens: number;
  temperature?: number;
  /** Per-request time limit in ms; the adapter aborts the HTTP call when it is reached. */
  timeoutMs?: number;
  /** Aborts the call (the engine's own deadline for the turn). */
  signal?: AbortSignal;
  /** Ask for a single JSON object (OpenAI `response_format: json_object`) where the provider supports it. */
  json?: boolean;
  /**
   * When set, the adapter streams and calls this with each text delta as it arrives; the returned
   * completion still carries the full text.
   */
  onDelta?: (delta: string) => void;
}

export interface ChatCompletion {
  text: string;
  /** 'stop' when the model finished, 'length' when max tokens cut it, provider-specific otherwise. */
  finishReason?: string;
  usage?: { promptTokens: number; completionTokens: number };
  /** Model that answered, as reported by the provider. */
  model?: string;
}

export interface ChatModel {
  /** 'openai' | 'azure' | 'openai-compatible', for logs and metrics. */
  readonly provider: string;
  /** Model name or Azure deployment. */
  readonly model: string;
  complete(request: ChatRequest): Promise<ChatCompletion>;
}

export type LlmErrorKind =
  | 'timeout'
  | 'aborted'
  | 'rate_limited'
  | 'auth'
  | 'bad_request'
  | 'server'
  | 'network'
  | 'invalid_response';

/** Thrown by adapters: the engine falls back to extractive answers on any of them. */
export class LlmError extends Error {
  readonly kind: LlmErrorKind;
  readonly httpStatus?: number;

  constructor(kind: LlmErrorKind, message: string, options: { httpStatus?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'LlmError';
    this.kind = kind;
    this.httpStatus = options.httpStatus;
  }
}
