import { z } from 'zod';
import type { ActionPayload } from '../contract.js';

/**
 * Button payloads the engine puts in `Choice.value`. They come back from the outside world, so
 * every click is parsed with this schema; `n` is the nonce of the prompt the button belongs to,
 * which is how an old or replayed button is recognised as stale.
 */
const nonce = z.string().min(1).max(40);
const ref = z.string().min(1).max(120);

export const actionPayloadSchema = z.discriminatedUnion('a', [
  z.object({ a: z.literal('feedback'), v: z.enum(['yes', 'no']), n: nonce }).strict(),
  z.object({ a: z.literal('pick'), art: ref, n: nonce }).strict(),
  z.object({ a: z.literal('none'), n: nonce }).strict(),
  z.object({ a: z.literal('flow.start'), f: ref, n: nonce }).strict(),
  z.object({ a: z.literal('flow.choice'), s: ref, o: ref, n: nonce }).strict(),
  z.object({ a: z.literal('flow.check'), s: ref, v: z.enum(['yes', 'no']), n: nonce }).strict(),
  // Back to a guided fix set aside for another question.
  z.object({ a: z.literal('flow.resume'), f: ref, n: nonce }).strict(),
  z.object({ a: z.literal('escalate'), v: z.enum(['yes', 'no']), n: nonce }).strict(),
  z.object({ a: z.literal('offer'), n: nonce }).strict(),
  // Live handoff (src/engine/handoff): end the talk with the technician; rate the help 1–5 afterwards.
  z.object({ a: z.literal('handoff.end'), h: ref }).strict(),
  z.object({ a: z.literal('handoff.rate'), h: ref, v: z.number().int().min(1).max(5), n: nonce }).strict(),
]);

export type EnginePayload = z.infer<typeof actionPayloadSchema>;

/** Typed constructor so every button the engine emits is one the schema accepts. */
export const payload = (p: EnginePayload): ActionPayload => p;
