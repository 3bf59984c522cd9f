import { z } from 'zod';

// Settings for the console part; filled in by the work that builds it.
export const consoleSchema = z.object({}).transform(() => ({}));

export type ConsoleConfig = z.output<typeof consoleSchema>;
