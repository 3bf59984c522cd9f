import { z } from 'zod';

// Settings for the dialogue part; filled in by the work that builds it.
export const dialogueSchema = z.object({}).transform(() => ({}));

export type DialogueConfig = z.output<typeof dialogueSchema>;
