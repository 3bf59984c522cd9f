import { z } from 'zod';
import { boolFlag, httpUrl, intInRange, numberInRange, optionalString } from '../env.js';

/**
 * The optional language model. Off unless a model is named: LLM_MODEL for OpenAI or any
 * OpenAI-compatible server (Ollama, vLLM, LM Studio), AZURE_OPENAI_DEPLOYMENT for Azure OpenAI.
 * An API key alone (a stray OPENAI_API_KEY in a developer's shell) never turns it on, so no
 * employee text is sent anywhere by accident. Documented in .env.example ("Language model").
 */

export const LLM_FEATURES = ['answers', 'rewrite', 'summary'] as const;
export type LlmFeature = (typeof LLM_FEATURES)[number];

/** Azure OpenAI GA data-plane API version used when OPENAI_API_VERSION is not set. */
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

const featureList = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return [...LLM_FEATURES];
    const items = v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    const unknown = items.filter((i) => !(LLM_FEATURES as readonly string[]).includes(i));
    if (unknown.length) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `unknown feature(s) ${unknown.join(', ')}: expected a comma-separated list of ${LLM_FEATURES.join(', ')}` });
      return z.NEVER;
    }
    return items as LlmFeature[];
  });

const raw = z.object({
  /** Unset: on when a model is named. false: off even then. true: a model must be named. */
  LLM_ENABLED: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      const flag = boolFlag(false).safeParse(v);
      if (flag.success) return flag.data;
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: flag.error.issues[0]?.message ?? 'expected true or false' });
      return z.NEVER;
    }),
  LLM_MODEL: optionalString,
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: httpUrl,
  AZURE_OPENAI_DEPLOYMENT: optionalString,
  AZURE_OPENAI_ENDPOINT: httpUrl,
  AZURE_OPENAI_API_KEY: optionalString,
  OPENAI_API_VERSION: optionalString,
  LLM_TIMEOUT_MS: intInRange(8_000, 500, 120_000),
  LLM_MAX_TOKENS: intInRange(600, 32, 8_192),
  LLM_INPUT_TOKENS: intInRange(3_000, 500, 100_000),
  LLM_TEMPERATURE: numberInRange(0.1, 0, 2),
  LLM_FEATURES: featureList,
});

type Raw = z.output<typeof raw>;

export type LlmProviderConfig =
  | {
      kind: 'openai';
      model: string;
      /** Undefined for api.openai.com; set for Ollama, vLLM, LM Studio and other compatible servers. */
      baseUrl?: string;
      /** Local compatible servers often need none. */
      apiKey?: string;
    }
  | { kind: 'azure'; deployment: string; endpoint: string; apiKey: string; apiVersion: string };

export type LlmConfig =
  | { enabled: false; /** Why it is off, when some LLM variables are set (shown at start). */ note?: string }
  | {
      enabled: true;
      provider: LlmProviderConfig;
      timeoutMs: number;
      maxTokens: number;
      inputTokens: number;
      temperature: number;
      features: Record<LlmFeature, boolean>;
    };

function check(e: Raw, ctx: z.RefinementCtx): void {
  const issue = (path: keyof Raw, message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message });
  if (e.LLM_ENABLED === false) return;
  const openai = e.LLM_MODEL !== undefined;
  const azure = e.AZURE_OPENAI_DEPLOYMENT !== undefined;
  if (openai && azure) {
    issue('LLM_MODEL', 'set either LLM_MODEL (OpenAI or a compatible server) or AZURE_OPENAI_DEPLOYMENT (Azure OpenAI), not both');
    return;
  }
  if (!openai && !azure) {
    if (e.LLM_ENABLED === true) issue('LLM_ENABLED', 'LLM_ENABLED=true needs LLM_MODEL (OpenAI or a compatible server) or AZURE_OPENAI_DEPLOYMENT (Azure OpenAI)');
    return;
  }
  if (openai && e.OPENAI_API_KEY === undefined && e.OPENAI_BASE_URL === undefined) {
    issue('OPENAI_API_KEY', 'required with LLM_MODEL for api.openai.com (or set OPENAI_BASE_URL to a compatible server that needs no key)');
  }
  if (azure) {
    if (e.AZURE_OPENAI_ENDPOINT === undefined) issue('AZURE_OPENAI_ENDPOINT', 'required with AZURE_OPENAI_DEPLOYMENT, e.g. https://my-resource.openai.azure.com');
    if (e.AZURE_OPENAI_API_KEY === undefined) issue('AZURE_OPENAI_API_KEY', 'required with AZURE_OPENAI_DEPLOYMENT');
  }
}

function offNote(e: Raw): string | undefined {
  if (e.LLM_ENABLED === false) return e.LLM_MODEL || e.AZURE_OPENAI_DEPLOYMENT ? 'language model configured but LLM_ENABLED=false' : undefined;
  const stray = (['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'AZURE_OPENAI_API_KEY', 'AZURE_OPENAI_ENDPOINT'] as const).filter((k) => e[k] !== undefined);
  return stray.length
    ? `language model off: ${stray.join(', ')} set but neither LLM_MODEL nor AZURE_OPENAI_DEPLOYMENT, so nothing is sent to a model`
    : undefined;
}

export const llmSchema = raw.superRefine(check).transform((e): LlmConfig => {
  const enabled = e.LLM_ENABLED !== false && (e.LLM_MODEL !== undefined || e.AZURE_OPENAI_DEPLOYMENT !== undefined);
  if (!enabled) {
    const note = offNote(e);
    return { enabled: false, ...(note ? { note } : {}) };
  }
  // check() has verified the chosen provider's variables.
  const provider: LlmProviderConfig =
    e.AZURE_OPENAI_DEPLOYMENT !== undefined
      ? {
          kind: 'azure',
          deployment: e.AZURE_OPENAI_DEPLOYMENT,
          endpoint: e.AZURE_OPENAI_ENDPOINT as string,
          apiKey: e.AZURE_OPENAI_API_KEY as string,
          apiVersion: e.OPENAI_API_VERSION ?? DEFAULT_AZURE_API_VERSION,
        }
      : {
          kind: 'openai',
          model: e.LLM_MODEL as string,
          ...(e.OPENAI_BASE_URL ? { baseUrl: e.OPENAI_BASE_URL } : {}),
          ...(e.OPENAI_API_KEY ? { apiKey: e.OPENAI_API_KEY } : {}),
        };
  return {
    enabled: true,
    provider,
    timeoutMs: e.LLM_TIMEOUT_MS,
    maxTokens: e.LLM_MAX_TOKENS,
    inputTokens: e.LLM_INPUT_TOKENS,
    temperature: e.LLM_TEMPERATURE,
    features: Object.fromEntries(LLM_FEATURES.map((f) => [f, e.LLM_FEATURES.includes(f)])) as Record<LlmFeature, boolean>,
  };
});
