import express, { type RequestHandler } from 'express';
import { z } from 'zod';

/**
 * Runs before Bolt on /api/slack/events. Bolt refuses timestamps older than five minutes but not
 * ones from the future, and answers 500 to a signed payload whose `actions` is not a list. Here:
 * a timestamp more than five minutes off either way is refused (401), and an interactivity payload
 * of the wrong shape gets 400. The body is read once and handed to Bolt as `rawBody`, which it
 * uses for the signature check.
 */

export const MAX_SKEW_SECONDS = 5 * 60;

const interactivitySchema = z
  .object({
    type: z.string(),
    actions: z.array(z.object({}).passthrough()).optional(),
  })
  .passthrough()
  .refine((p) => p.type !== 'block_actions' || Array.isArray(p.actions), { message: 'block_actions without a list of actions' });

export function slackRequestGuard(now: () => number = Date.now): RequestHandler[] {
  return [
    express.raw({ type: () => true, limit: '256kb' }),
    (req, res, next) => {
      const ts = Number(req.get('x-slack-request-timestamp'));
      if (!Number.isFinite(ts) || Math.abs(now() / 1000 - ts) > MAX_SKEW_SECONDS) {
        res.status(401).json({ error: 'invalid_timestamp', message: 'The request timestamp is missing or more than five minutes off.' });
        return;
      }
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      (req as unknown as { rawBody: Buffer }).rawBody = raw;
      if ((req.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
        const payload = new URLSearchParams(raw.toString('utf8')).get('payload');
        if (payload !== null) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(payload);
          } catch {
            parsed = undefined;
          }
          if (!interactivitySchema.safeParse(parsed).success) {
            res.status(400).json({ error: 'invalid_payload', message: 'The interactivity payload is not one Slack sends.' });
            return;
          }
        }
      }
      next();
    },
  ];
}
