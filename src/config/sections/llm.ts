import { z } from 'zod';

// Settings for the llm part; filled in by the work that builds it.
export const llmSchema = z.object({}).transform(() => ({}));

export type LlmConfig = z.output<typeof llmSchema>;
