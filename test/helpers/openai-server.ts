import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local OpenAI-compatible chat completions server for tests, on 127.0.0.1 with a random port.
 * It speaks both dialects the `openai` package uses:
 *   - OpenAI / compatible servers: POST /v1/chat/completions with `Authorization: Bearer <key>`;
 *   - Azure OpenAI: POST /openai/deployments/{deployment}/chat/completions?api-version=… with an
 *     `api-key` header.
 * It records every request as received, answers with scripted completions (JSON or SSE when the
 * request asks to stream), scripted errors in the vendor's error shape, and slow replies.
 */

export interface ChatRequestBody {
  model?: string;
  messages: Array<{ role: string; content: string }>;
  max_tokens?: number;
  temperature?: number;
  stream?: boolean;
  response_format?: { type: string };
  [key: string]: unknown;
}

export interface RecordedChatRequest {
  dialect: 'openai' | 'azure';
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Raw body exactly as received. */
  raw: string;
  body: ChatRequestBody;
  deployment?: string;
}

export type ScriptedReply =
  | { content: string; finishReason?: string; delayMs?: number }
  | { status: number; message?: string; type?: string; code?: string; headers?: Record<string, string>; delayMs?: number };

export type Script = ScriptedReply | ((req: RecordedChatRequest) => ScriptedReply);

export interface OpenAIServerOptions {
  /** Bearer key the OpenAI dialect requires; any (or none) is accepted when absent. */
  apiKey?: string;
  /** api-key the Azure dialect requires. */
  azureApiKey?: string;
  /** Text deltas per SSE event when streaming. */
  streamChunkChars?: number;
  /** Pause between SSE events, as a model writing token by token (default: none, all at once). */
  streamChunkDelayMs?: number;
}

const AZURE_PATH = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/;

export class OpenAIServer {
  readonly requests: RecordedChatRequest[] = [];
  /** Requests whose client went away before the reply was sent (timeouts, aborts). */
  abandoned = 0;
  private readonly queue: Script[] = [];
  private fallback: Script | undefined;
  private server: Server | undefined;
  private origin = '';
  private seq = 0;

  constructor(private readonly options: OpenAIServerOptions = {}) {}

  /** Base URL for the OpenAI client (OPENAI_BASE_URL). */
  get openaiBaseUrl(): string {
    return `${this.origin}/v1`;
  }

  /** Endpoint for the Azure client (AZURE_OPENAI_ENDPOINT). */
  get azureEndpoint(): string {
    return this.origin;
  }

  /** Queues replies for the next requests, in order. */
  reply(...scripts: Script[]): this {
    this.queue.push(...scripts);
    return this;
  }

  /** Reply used once the queue is empty. */
  otherwise(script: Script): this {
    this.fallback = script;
    return this;
  }

  /** The text of each message of the last request, joined: what the model was shown. */
  lastPrompt(): string {
    const last = this.requests[this.requests.length - 1];
    return last ? last.body.messages.map((m) => m.content).join('\n') : '';
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        void this.handle(req.method ?? 'GET', url, req.headers, Buffer.concat(chunks).toString('utf8'), res);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(method: string, url: URL, headers: IncomingHttpHeaders, raw: string, res: ServerResponse): Promise<void> {
    const azure = AZURE_PATH.exec(url.pathname);
    if (method !== 'POST' || (url.pathname !== '/v1/chat/completions' && !azure)) {
      return error(res, { status: 404, message: `no route for ${method} ${url.pathname}`, type: 'invalid_request_error' });
    }
    let body: ChatRequestBody;
    try {
      body = JSON.parse(raw) as ChatRequestBody;
    } catch {
      return error(res, { status: 400, message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error' });
    }
    const recorded: RecordedChatRequest = {
      dialect: azure ? 'azure' : 'openai',
      path: url.pathname,
      query: url.searchParams,
      headers,
      raw,
      body,
      ...(azure ? { deployment: decodeURIComponent(azure[1]!) } : {}),
    };
    this.requests.push(recorded);

    if (azure) {
      if (!url.searchParams.get('api-version')) {
        return error(res, { status: 404, message: 'Resource not found', code: '404' });
      }
      if (this.options.azureApiKey !== undefined && headers['api-key'] !== this.options.azureApiKey) {
        return error(res, { status: 401, message: 'Access denied due to invalid subscription key or wrong API endpoint.', code: '401' });
      }
    } else {
      if (this.options.apiKey !== undefined && headers.authorization !== `Bearer ${this.options.apiKey}`) {
        return error(res, { status: 401, message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' });
      }
      if (!body.model) return error(res, { status: 400, message: 'you must provide a model parameter', type: 'invalid_request_error' });
    }
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      return error(res, { status: 400, message: "'messages' must be a non-empty array", type: 'invalid_request_error' });
    }

    const next = this.queue.shift() ?? this.fallback;
    const script = typeof next === 'function' ? next(recorded) : next;
    if (!script) return error(res, { status: 500, message: 'test server: no scripted reply', type: 'server_error' });

    if (script.delayMs) {
      const gone = await waitUnlessClosed(res, script.delayMs);
      if (gone) {
        this.abandoned++;
        return;
      }
    }
    if ('status' in script) return error(res, script);
    const id = `chatcmpl-test-${++this.seq}`;
    const model = body.model ?? recorded.deployment ?? 'unknown';
    if (body.stream) return this.stream(res, id, model, script);
    const promptTokens = Math.ceil(raw.length / 4);
    const completionTokens = Math.ceil(script.content.length / 4);
    json(res, 200, {
      id,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: script.content }, logprobs: null, finish_reason: script.finishReason ?? 'stop' }],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    });
  }

  private async stream(res: ServerResponse, id: string, model: string, script: { content: string; finishReason?: string }): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const created = Math.floor(Date.now() / 1000);
    const event = (delta: Record<string, string>, finish: string | null) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
    res.write(event({ role: 'assistant', content: '' }, null));
    const size = this.options.streamChunkChars ?? 8;
    const pause = this.options.streamChunkDelayMs ?? 0;
    for (let i = 0; i < script.content.length; i += size) {
      if (pause && (await waitUnlessClosed(res, pause))) return;
      res.write(event({ content: script.content.slice(i, i + size) }, null));
    }
    res.write(event({}, script.finishReason ?? 'stop'));
    res.end('data: [DONE]\n\n');
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function error(res: ServerResponse, e: { status: number; message?: string; type?: string; code?: string; headers?: Record<string, string> }): void {
  json(res, e.status, { error: { message: e.message ?? `error ${e.status}`, type: e.type ?? 'server_error', param: null, code: e.code ?? null } }, e.headers);
}

/** Waits `ms`; true when the client closed the connection meanwhile. */
function waitUnlessClosed(res: ServerResponse, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(false);
    }, ms);
    const onClose = () => {
      clearTimeout(timer);
      resolve(true);
    };
    res.on('close', onClose);
  });
}

export async function startOpenAIServer(options?: OpenAIServerOptions): Promise<OpenAIServer> {
  return new OpenAIServer(options).start();
}
