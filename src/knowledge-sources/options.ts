import { z } from 'zod';

/** zod pieces shared by the source descriptors' option schemas. */

export const baseUrl = z
  .string({ required_error: 'the base URL is required' })
  .trim()
  .url('expected an http(s) URL')
  .refine((v) => /^https?:\/\//i.test(v), 'expected an http(s) URL')
  .refine((v) => !new URL(v).username && !new URL(v).password, 'credentials go in their own settings, never in the URL')
  .transform((v) => v.replace(/\/+$/, ''));

export const secret = (what: string) => z.string({ required_error: `${what} is required` }).min(1, `${what} is required`);

/** A list from a comma-separated setting or an array. */
export const list = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (typeof v === 'string' ? v.split(',') : v ?? []).map((s) => s.trim()).filter(Boolean));

export const timeoutMs = z.number().int().min(1000).max(300_000).default(30_000);
