import OpenAI, { AzureOpenAI } from 'openai';
import type { ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions';
import type { LlmProviderConfig } from '../config/sections/llm.js';
import { LlmError, type ChatCompletion, type ChatModel, type ChatRequest } from '../engine/ports/llm.js';

/**
 * ChatModel adapter on the `openai` package (4.x, the version @microsoft/teams-ai peers on):
 * `OpenAI` for api.openai.com and any OpenAI-compatible base URL (Ollama, vLLM, LM Studio),
 * `AzureOpenAI` for Azure OpenAI deployments. Every option is passed explicitly, so the SDK's own
 * environment fallbacks (OPENAI_API_KEY, OPENAI_BASE_URL…) never pick a different endpoint than
 * the validated configuration. No retries: a chat turn falls back to the extractive answer
 * rather than wait.
 */

/** The SDK insists on a key; compatible local servers ignore it. */
const NO_KEY = 'not-needed';

export function createOpenAIClient(config: LlmProviderConfig, timeoutMs: number): OpenAI {
  const common = { timeout: timeoutMs, maxRetries: 0, organization: null, project: null };
  if (config.kind === 'azure') {
    return new AzureOpenAI({
      ...common,
      apiKey: config.apiKey,
      apiVersion: config.apiVersion,
      deployment: config.deployment,
      // baseURL rather than endpoint: the SDK would otherwise read OPENAI_BASE_URL from the environment.
      baseURL: `${config.endpoint.replace(/\/+$/, '')}/openai`,
    });
  }
  return new OpenAI({
    ...common,
    apiKey: config.apiKey ?? NO_KEY,
    baseURL: config.baseUrl ?? 'https://api.openai.com/v1',
  });
}

export function toLlmError(err: unknown): LlmError {
  if (err instanceof LlmError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof OpenAI.APIConnectionTimeoutError) return new LlmError('timeout', message, { cause: err });
  if (err instanceof OpenAI.APIUserAbortError) return new LlmError('aborted', message, { cause: err });
  if (err instanceof OpenAI.APIConnectionError) return new LlmError('network', message, { cause: err });
  if (err instanceof OpenAI.APIError) {
    const status = err.status;
    const kind =
      status === 401 || status === 403
        ? 'auth'
        : status === 429
          ? 'rate_limited'
          : status !== undefined && status >= 500
            ? 'server'
            : 'bad_request';
    return new LlmError(kind, message, { httpStatus: status, cause: err });
  }
  return new LlmError('invalid_response', message, { cause: err });
}

export class OpenAIChatModel implements ChatModel {
  constructor(
    private readonly client: OpenAI,
    readonly provider: 'openai' | 'openai-compatible' | 'azure',
    readonly model: string,
  ) {}

  static fromConfig(config: LlmProviderConfig, timeoutMs: number): OpenAIChatModel {
    const client = createOpenAIClient(config, timeoutMs);
    if (config.kind === 'azure') return new OpenAIChatModel(client, 'azure', config.deployment);
    return new OpenAIChatModel(client, config.baseUrl ? 'openai-compatible' : 'openai', config.model);
  }

  async complete(request: ChatRequest): Promise<ChatCompletion> {
    const params: ChatCompletionCreateParamsBase = {
      model: this.model,
      messages: request.messages,
      // max_tokens rather than max_completion_tokens: it is what compatible servers understand.
      max_tokens: request.maxTokens,
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.json ? { response_format: { type: 'json_object' as const } } : {}),
    };
    const options = {
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.timeoutMs !== undefined ? { timeout: request.timeoutMs } : {}),
    };
    try {
      return request.onDelta ? await this.stream(params, options, request.onDelta) : await this.once(params, options);
    } catch (err) {
      throw toLlmError(err);
    }
  }

  private async once(params: ChatCompletionCreateParamsBase, options: OpenAI.RequestOptions): Promise<ChatCompletion> {
    const res = await this.client.chat.completions.create({ ...params, stream: false }, options);
    const choice = res.choices[0];
    if (!choice) throw new LlmError('invalid_response', 'the completion has no choices');
    return {
      text: choice.message.content ?? '',
      ...(choice.finish_reason ? { finishReason: choice.finish_reason } : {}),
      ...(res.usage ? { usage: { promptTokens: res.usage.prompt_tokens, completionTokens: res.usage.completion_tokens } } : {}),
      ...(res.model ? { model: res.model } : {}),
    };
  }

  private async stream(params: ChatCompletionCreateParamsBase, options: OpenAI.RequestOptions, onDelta: (delta: string) => void): Promise<ChatCompletion> {
    const stream = await this.client.chat.completions.create({ ...params, stream: true }, options);
    let text = '';
    let finishReason: string | undefined;
    let model: string | undefined;
    for await (const chunk of stream) {
      model ??= chunk.model || undefined;
      const choice = chunk.choices[0];
      const delta = choice?.delta?.content;
      if (delta) {
        text += delta;
        onDelta(delta);
      }
      if (choice?.finish_reason) finishReason = choice.finish_reason;
    }
    return { text, ...(finishReason ? { finishReason } : {}), ...(model ? { model } : {}) };
  }
}
