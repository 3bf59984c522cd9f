import { z } from 'zod';

// Settings for the tickets part; filled in by the work that builds it.
export const ticketsSchema = z.object({}).transform(() => ({}));

export type TicketsConfig = z.output<typeof ticketsSchema>;
