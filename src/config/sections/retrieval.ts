import { z } from 'zod';

// Settings for the retrieval part; filled in by the work that builds it.
export const retrievalSchema = z.object({}).transform(() => ({}));

export type RetrievalConfig = z.output<typeof retrievalSchema>;
