import { z } from 'zod';

/** What the web chat page may send: validated before anything reaches the engine. */

/** Ids the page makes up (crypto.randomUUID); restricted so they are safe in logs and URLs. */
export const webId = z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, 'expected 8 to 128 letters, digits, "-" or "_"');

const payloadValue = z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]);

export const chatRequestSchema = z
  .object({
    conversationId: webId,
    /** Makes a retried POST idempotent: the engine answers the same message once. */
    messageId: webId.optional(),
    /**
     * Only the locale is used. `id` and `name` are accepted for older pages and ignored: who is
     * talking is decided by the server (WEB_AUTH), never claimed by the page.
     */
    user: z
      .object({
        id: z.string().max(128).optional(),
        name: z.string().max(128).optional(),
        locale: z.string().max(35).regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$/, 'expected a language tag such as fr-FR').optional(),
      })
      .optional(),
    text: z
      .string()
      // Pasted logs are welcome: the engine reads the first 4,000 characters and keeps the rest for the ticket.
      .max(20_000, 'must be at most 20,000 characters')
      // Control characters (NUL, escape sequences) carry no meaning in a question; line breaks and tabs stay.
      .transform((s) => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, ''))
      .pipe(z.string().trim().min(1, 'must not be empty'))
      .optional(),
    action: z
      .object({
        payload: z.record(payloadValue).refine((p) => JSON.stringify(p).length <= 2000, 'payload too large'),
        sourceMessageId: webId.optional(),
      })
      .optional(),
  })
  .strict()
  .refine((r) => (r.text === undefined) !== (r.action === undefined), { message: 'send exactly one of text or action' });

export type ChatRequest = z.infer<typeof chatRequestSchema>;

export const eventsQuerySchema = z.object({ conversationId: webId });
