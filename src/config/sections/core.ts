import { z } from 'zod';
import { intInRange, optionalString, httpUrl } from '../env.js';

export const coreSchema = z
  .object({
    PORT: intInRange(3978, 0, 65535),
    DATA_DIR: optionalString,
    KB_DIR: optionalString,
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Public https base URL of this server (tunnel or ingress), used in app manifests and links. */
    PUBLIC_URL: httpUrl,
  })
  .transform((e) => ({
    port: e.PORT,
    dataDir: e.DATA_DIR ?? './data',
    kbDir: e.KB_DIR ?? './knowledge',
    logLevel: e.LOG_LEVEL,
    publicUrl: e.PUBLIC_URL,
  }));

export type CoreConfig = z.output<typeof coreSchema>;
