import { z } from 'zod';

// Settings for the channels part; filled in by the work that builds it.
export const channelsSchema = z.object({}).transform(() => ({}));

export type ChannelsConfig = z.output<typeof channelsSchema>;
