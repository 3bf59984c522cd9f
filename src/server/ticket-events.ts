import express, { Router } from 'express';
import { z } from 'zod';
import type { EscalationPacket } from '../engine/escalation/packet.js';
import type { TicketRef } from '../engine/ports/tickets.js';
import type { TicketNews } from '../engine/tickets/news.js';
import type { Logger } from '../log.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verify } from '../tickets/signature.js';
import { normaliseState, TICKET_STATES } from '../tickets/states.js';

/**
 * POST /api/tickets/events: a ticket system (ServiceNow business rule, Jira automation, GLPI
 * webhook, Zendesk trigger, your own receiver) tells the bot that a ticket changed status. The
 * request is signed like the outgoing webhook (src/tickets/signature.ts: HMAC-SHA256 over
 * "<timestamp>.<raw body>" with TICKET_EVENTS_SECRET) and refused (401, nothing changed) when the
 * signature is wrong or the timestamp is outside the replay window. The ticket must be one the bot
 * opened (found in the outbox): its requester hears the news in their conversation, and a
 * resolution with notes becomes a draft article.
 */
export const TICKET_EVENTS_PATH = '/api/tickets/events';

export const ticketEventSchema = z
  .object({
    /** Which ticket system: servicenow, jira, glpi, zendesk, webhook (or local). */
    provider: z.string().trim().toLowerCase().pipe(z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'expected a provider name such as servicenow')),
    /** The ticket's number as people read it (INC0012345, ITSD-42) and/or its id in the ticket system. */
    number: z.coerce.string().trim().min(1).max(64).optional(),
    id: z.coerce.string().trim().min(1).max(128).optional(),
    /** The ticket system's own status: a label ("Resolved") or a code (ServiceNow 6, GLPI 5). */
    status: z.coerce.string().trim().min(1).max(64),
    /** The normalised state, when the sender already knows it; otherwise derived from `status`. */
    state: z.enum(TICKET_STATES).optional(),
    title: z.string().max(300).optional(),
    // Shown as a button (Teams Action.OpenUrl, Slack, the web chat): http(s) only, never javascript: or data:.
    url: z
      .string()
      .url()
      .max(2048)
      .refine((u) => /^https?:$/.test(new URL(u).protocol), 'expected an http(s) URL')
      .optional(),
    resolutionNotes: z.string().max(20_000).optional(),
    /** The bot's knowledge article the technician resolved it with (its id): the ticket's question becomes a labelled example. */
    article: z.string().trim().max(200).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected an article id').optional(),
  })
  .strict()
  .refine((e) => e.number !== undefined || e.id !== undefined, { message: 'number or id is required', path: ['number'] });

export type TicketEvent = z.infer<typeof ticketEventSchema>;

export interface TicketEventsOptions {
  secret: string;
  toleranceSeconds: number;
  news: TicketNews;
  /** The escalation (and the ticket as the bot knows it) behind a ticket of a provider, if the bot opened it. */
  escalationOf(event: TicketEvent): Promise<{ packet: EscalationPacket; ticket: TicketRef } | undefined>;
  logger: Logger;
  now?: () => number;
}

export function ticketEventsRouter(options: TicketEventsOptions): Router {
  const { logger } = options;
  const router = Router();
  router.post(TICKET_EVENTS_PATH, express.raw({ type: () => true, limit: '64kb' }), async (req, res) => {
    // The signature covers the raw bytes: verified before anything is parsed.
    const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const check = verify(
      options.secret,
      { timestamp: req.get(TIMESTAMP_HEADER), signature: req.get(SIGNATURE_HEADER) },
      raw,
      { toleranceSeconds: options.toleranceSeconds, ...(options.now ? { now: options.now() } : {}) },
    );
    if (!check.ok) {
      logger.warn({ reason: check.reason, ip: req.ip }, 'ticket event refused');
      res.status(401).json({
        error: 'unauthorized',
        message: check.reason === 'stale' ? 'The timestamp is outside the replay window.' : `Missing or invalid ${SIGNATURE_HEADER}.`,
      });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      res.status(400).json({ error: 'invalid_json', message: 'The request body is not valid JSON.' });
      return;
    }
    const parsed = ticketEventSchema.safeParse(json);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid_event', message: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
      return;
    }
    const event = parsed.data;
    const found = await options.escalationOf(event);
    if (!found) {
      // Not a ticket the bot opened: nobody to tell. 202 so the sender does not retry.
      res.status(202).json({ ok: true, notified: false, reason: 'unknown_ticket' });
      return;
    }
    const state = event.state ?? normaliseState(event.provider, event.status);
    try {
      const outcome = await options.news.statusChanged({
        ticket: { ...found.ticket, ...(event.url ? { url: event.url } : {}) },
        state,
        rawStatus: event.status,
        ...(event.title ? { title: event.title } : {}),
        ...(event.resolutionNotes ? { resolutionNotes: event.resolutionNotes } : {}),
        ...(event.article ? { articleId: event.article } : {}),
        packet: found.packet,
      });
      res.json({ ok: true, state, ...outcome });
    } catch (err) {
      logger.warn({ err: err instanceof Error ? err.message : String(err), ticket: found.ticket.number }, 'ticket event: the user could not be told');
      res.status(503).set('Retry-After', '60').json({ error: 'not_delivered', message: 'The user could not be told right now; send the event again later.' });
    }
  });
  return router;
}
