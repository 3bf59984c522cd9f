import { z } from 'zod';
import type { EscalationPacket } from '../engine/escalation/packet.js';
import type {
  CreateTicketOptions,
  TicketComment,
  TicketProvider,
  TicketRef,
  TicketRequester,
  TicketState,
  TicketStatus,
} from '../engine/ports/tickets.js';
import { TicketError } from '../engine/ports/tickets.js';
import type { ProviderConfig } from '../config/sections/tickets.js';
import { packetText } from './format.js';
import { HttpClient, expectShape, type Query } from './http.js';
import { signedHeaders } from './signature.js';

/**
 * Generic webhook, for any system we have no adapter for (documented in the README, "Ticket systems"):
 * - POST TICKET_WEBHOOK_URL with {"type":"escalation.created","packet":{…},"text":"…"}, signed
 *   (X-Helpdesk-Timestamp + X-Helpdesk-Signature, see signature.ts) and carrying
 *   `Idempotency-Key: <packet id>`: the receiver must treat a repeated key as the same escalation.
 * - The receiver may answer {"id","number","url"}; without a number the escalation id stands in.
 * - A requester's comment: POST TICKET_WEBHOOK_URL, signed the same way, with
 *   {"type":"ticket.comment","ticket":{"id","number","url"},"comment":{"text","author"}}; the receiver
 *   tells events apart by `type`. No Idempotency-Key: nothing retries a comment on its own.
 * - Optional signed GETs: TICKET_WEBHOOK_STATUS_URL with {id}, TICKET_WEBHOOK_LIST_URL with {email}
 *   and/or {userId}, answering the ticket shape below (404 = unknown ticket).
 */
export interface WebhookOptions {
  config: ProviderConfig<'webhook'>;
  timeoutMs: number;
  fetch?: typeof fetch;
  now?: () => number;
}

const STATES = ['new', 'in_progress', 'on_hold', 'resolved', 'closed', 'cancelled', 'unknown'] as const;

const createdSchema = z
  .object({ id: z.coerce.string().optional(), number: z.coerce.string().optional(), url: z.string().url().optional() })
  .passthrough();
const ticketSchema = z
  .object({
    id: z.coerce.string(),
    number: z.coerce.string().optional(),
    url: z.string().url().optional(),
    state: z.enum(STATES).optional(),
    status: z.string().optional(),
    title: z.string().optional(),
    assignee: z.string().optional(),
    updatedAt: z.string().optional(),
    resolutionNotes: z.string().optional(),
    /** Optional: lets the bot answer "status of …" only to the requester. */
    requester: z.object({ id: z.coerce.string().optional(), email: z.string().optional() }).optional(),
  })
  .passthrough();
const listSchema = z.union([z.array(ticketSchema), z.object({ tickets: z.array(ticketSchema) }).transform((o) => o.tickets)]);

export class WebhookProvider implements TicketProvider {
  readonly name = 'webhook';
  private readonly clients = new Map<string, HttpClient>();

  constructor(private readonly options: WebhookOptions) {}

  async create(packet: EscalationPacket, options: CreateTicketOptions): Promise<TicketRef> {
    const body = JSON.stringify({ type: 'escalation.created', packet, text: packetText(packet) });
    const res = await this.send(this.options.config.url, 'POST', body, { 'Idempotency-Key': options.idempotencyKey });
    const r = res.data === undefined ? {} : expectShape(createdSchema, res.data, 'webhook response');
    const id = r.id ?? options.idempotencyKey;
    return { provider: this.name, id, number: r.number ?? id, url: r.url };
  }

  async addComment(ticket: TicketRef, comment: TicketComment): Promise<void> {
    const body = JSON.stringify({
      type: 'ticket.comment',
      ticket: { id: ticket.id, number: ticket.number, ...(ticket.url ? { url: ticket.url } : {}) },
      comment: { text: comment.text, author: comment.author },
    });
    await this.send(this.options.config.url, 'POST', body);
  }

  async status(numberOrId: string): Promise<TicketStatus | undefined> {
    const template = this.options.config.statusUrl;
    if (!template || !numberOrId.trim()) return undefined;
    let res;
    try {
      res = await this.send(template.replaceAll('{id}', encodeURIComponent(numberOrId.trim())), 'GET', '');
    } catch (err) {
      if (err instanceof TicketError && err.httpStatus === 404) return undefined;
      throw err;
    }
    return this.toStatus(expectShape(ticketSchema, res.data, 'webhook status'));
  }

  async listForRequester(requester: TicketRequester): Promise<TicketStatus[]> {
    const template = this.options.config.listUrl;
    if (!template) return [];
    if (template.includes('{email}') && !requester.email) return [];
    const url = template
      .replaceAll('{email}', encodeURIComponent(requester.email ?? ''))
      .replaceAll('{userId}', encodeURIComponent(requester.id));
    const res = await this.send(url, 'GET', '');
    return expectShape(listSchema, res.data, 'webhook list').map((t) => this.toStatus(t));
  }

  private toStatus(t: z.infer<typeof ticketSchema>): TicketStatus {
    const rawStatus = t.status ?? t.state ?? 'unknown';
    const state: TicketState = t.state ?? ((STATES as readonly string[]).includes(rawStatus) ? (rawStatus as TicketState) : 'unknown');
    return {
      provider: this.name,
      id: t.id,
      number: t.number ?? t.id,
      url: t.url,
      state,
      rawStatus,
      title: t.title,
      assignee: t.assignee,
      updatedAt: t.updatedAt,
      resolutionNotes: t.resolutionNotes,
      ...(t.requester ? { requester: t.requester } : {}),
    };
  }

  private send(target: string, method: 'GET' | 'POST', body: string, headers: Record<string, string> = {}) {
    const url = new URL(target);
    const query: Query = Object.fromEntries(url.searchParams);
    return this.client(url.origin).request({
      method,
      path: url.pathname,
      query,
      body: method === 'GET' ? undefined : body,
      headers: {
        ...(method === 'POST' ? { 'Content-Type': 'application/json' } : {}),
        ...signedHeaders(this.options.config.secret, body, this.options.now?.()),
        ...headers,
      },
    });
  }

  private client(origin: string): HttpClient {
    let c = this.clients.get(origin);
    if (!c) {
      c = new HttpClient({
        service: 'Webhook',
        baseUrl: origin,
        timeoutMs: this.options.timeoutMs,
        headers: () => ({ 'User-Agent': 'helpdesk-bot' }),
        secrets: [this.options.config.secret],
        fetch: this.options.fetch,
      });
      this.clients.set(origin, c);
    }
    return c;
  }
}
