import { z } from 'zod';
import type { EscalationPacket, Priority } from '../engine/escalation/packet.js';
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
import { attributedComment, packetText, ticketTitle } from './format.js';
import { HttpClient, basicAuth, basicAuthSecrets, expectShape } from './http.js';

/**
 * Zendesk Support (docs: Ticketing API "Tickets", "Ticket Comments", "Search", introduction
 * "Idempotency", "Security and authentication"):
 * - POST /api/v2/tickets with requester {name, email}, subject, a public first comment holding the
 *   user's own words, priority, type incident, tags and `external_id` = packet id; then
 *   PUT /api/v2/tickets/{id} adds the full context and transcript as a private comment (public: false),
 *   so the requester sees their question and agents see everything.
 * - A requester's comment is a public comment added by PUT /api/v2/tickets/{id} ({ticket:{comment}}),
 *   with author_id = the ticket's requester_id so it reads as the requester's reply (the API token's
 *   agent may set author_id); when the ticket has no requester, the name leads the text instead.
 * - Auth: API token, i.e. basic auth with "{email}/token:{api_token}".
 * - Idempotency, two layers: the documented `Idempotency-Key` header (Zendesk replays the first
 *   response for a repeated key, for about two hours), and for retries beyond that window or after a
 *   restart, GET /api/v2/tickets?external_id=… before creating. A retry that finds the ticket adds the
 *   private note if the first attempt died before writing it (recognised by the escalation id).
 */
export interface ZendeskOptions {
  config: ProviderConfig<'zendesk'>;
  timeoutMs: number;
  fetch?: typeof fetch;
}

const PRIORITY: Record<Priority, string> = { low: 'low', medium: 'normal', high: 'high', critical: 'urgent' };
export const STATES: Record<string, TicketState> = {
  new: 'new',
  open: 'in_progress',
  pending: 'on_hold',
  hold: 'on_hold',
  solved: 'resolved',
  closed: 'closed',
};

const ticketSchema = z
  .object({
    id: z.number().int(),
    subject: z.string().nullish(),
    status: z.string().nullish(),
    updated_at: z.string().nullish(),
    assignee_id: z.number().nullish(),
    external_id: z.string().nullish(),
    requester_id: z.number().int().nullish(),
  })
  .passthrough();
const oneSchema = z.object({ ticket: ticketSchema, users: z.array(z.object({ id: z.number(), name: z.string() }).passthrough()).optional() });
const manySchema = z.object({ tickets: z.array(ticketSchema) });
const searchSchema = z.object({ results: z.array(ticketSchema) });
const commentsSchema = z.object({ comments: z.array(z.object({ body: z.string().nullish(), public: z.boolean().optional() }).passthrough()) });

/** {"error":"RecordInvalid","description":"…","details":{field:[{description}]}} or {"error":{"title","message"}}. */
function describeError(data: unknown): string | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const d = data as { error?: unknown; description?: unknown; details?: unknown };
  const parts: string[] = [];
  if (typeof d.error === 'string') parts.push(d.error);
  else if (d.error && typeof d.error === 'object') {
    const e = d.error as { title?: unknown; message?: unknown };
    parts.push(...[e.title, e.message].filter((x): x is string => typeof x === 'string'));
  }
  if (typeof d.description === 'string') parts.push(d.description);
  if (d.details && typeof d.details === 'object') {
    for (const [field, issues] of Object.entries(d.details)) {
      if (!Array.isArray(issues)) continue;
      for (const i of issues) {
        const text = (i as { description?: unknown }).description;
        if (typeof text === 'string') parts.push(`${field}: ${text}`);
      }
    }
  }
  return parts.join(' — ') || undefined;
}

export class ZendeskProvider implements TicketProvider {
  readonly name = 'zendesk';
  private readonly http: HttpClient;

  constructor(private readonly options: ZendeskOptions) {
    const { config } = options;
    const user = `${config.email}/token`;
    this.http = new HttpClient({
      service: 'Zendesk',
      baseUrl: config.url,
      timeoutMs: options.timeoutMs,
      headers: () => ({ Authorization: basicAuth(user, config.apiToken) }),
      secrets: basicAuthSecrets(user, config.apiToken),
      describeError,
      fetch: options.fetch,
    });
  }

  async create(packet: EscalationPacket, options: CreateTicketOptions): Promise<TicketRef> {
    const key = options.idempotencyKey;
    if (options.attempt !== 1) {
      const existing = await this.findByExternalId(key);
      if (existing) {
        await this.ensureNote(existing.id, packet);
        return this.ref(existing.id);
      }
    }
    const { config } = this.options;
    const ticket: Record<string, unknown> = {
      subject: ticketTitle(packet, 150),
      comment: { body: [packet.question, packet.userDetails].filter(Boolean).join('\n\n'), public: true },
      priority: PRIORITY[packet.priority],
      type: 'incident',
      tags: config.tags,
      external_id: key,
    };
    if (packet.user.email) ticket.requester = { name: packet.user.name ?? packet.user.email, email: packet.user.email };
    if (config.groupId !== undefined) ticket.group_id = config.groupId;
    const res = await this.http.request({
      method: 'POST',
      path: '/api/v2/tickets',
      headers: { 'Idempotency-Key': key },
      json: { ticket },
    });
    const created = expectShape(oneSchema, res.data, 'Zendesk create ticket').ticket;
    // A replayed response means an earlier attempt created the ticket; it may already have its note.
    if (res.headers.get('x-idempotency-lookup') === 'hit') await this.ensureNote(created.id, packet);
    else await this.addNote(created.id, packet);
    return this.ref(created.id);
  }

  async status(numberOrId: string): Promise<TicketStatus | undefined> {
    const m = /^\s*(?:zendesk\s*)?#?\s*(\d+)\s*$/i.exec(numberOrId);
    if (!m) return undefined;
    let res;
    try {
      res = await this.http.request({ method: 'GET', path: `/api/v2/tickets/${m[1]}`, query: { include: 'users' } });
    } catch (err) {
      if (err instanceof TicketError && err.httpStatus === 404) return undefined;
      throw err;
    }
    const { ticket, users } = expectShape(oneSchema, res.data, 'Zendesk show ticket');
    const assignee = users?.find((u) => u.id === ticket.assignee_id)?.name;
    return { ...this.toStatus(ticket), assignee };
  }

  async listForRequester(requester: TicketRequester): Promise<TicketStatus[]> {
    if (!requester.email) return [];
    const res = await this.http.request({
      method: 'GET',
      path: '/api/v2/search',
      query: { query: `type:ticket requester:${requester.email}`, sort_by: 'updated_at', sort_order: 'desc', per_page: 20 },
    });
    return expectShape(searchSchema, res.data, 'Zendesk search').results.map((t) => this.toStatus(t));
  }

  async addComment(ticket: TicketRef, comment: TicketComment): Promise<void> {
    if (!/^\d+$/.test(ticket.id)) throw new TicketError(`Zendesk add comment: "${ticket.number}" is not a ticket id`, { retryable: false });
    const res = await this.http.request({ method: 'GET', path: `/api/v2/tickets/${ticket.id}` });
    const requesterId = expectShape(oneSchema, res.data, 'Zendesk show ticket').ticket.requester_id ?? undefined;
    const body =
      requesterId === undefined
        ? { body: attributedComment(comment), public: true }
        : { body: comment.text, public: true, author_id: requesterId };
    await this.http.request({ method: 'PUT', path: `/api/v2/tickets/${ticket.id}`, json: { ticket: { comment: body } } });
  }

  private async findByExternalId(key: string): Promise<{ id: number } | undefined> {
    const res = await this.http.request({ method: 'GET', path: '/api/v2/tickets', query: { external_id: key } });
    // External ids are not unique in Zendesk; the oldest one is the ticket the first attempt made.
    return expectShape(manySchema, res.data, 'Zendesk tickets by external_id')
      .tickets.filter((t) => t.external_id === key)
      .sort((a, b) => a.id - b.id)[0];
  }

  private async addNote(id: number, packet: EscalationPacket): Promise<void> {
    await this.http.request({
      method: 'PUT',
      path: `/api/v2/tickets/${id}`,
      json: { ticket: { comment: { body: packetText(packet), public: false } } },
    });
  }

  private async ensureNote(id: number, packet: EscalationPacket): Promise<void> {
    const res = await this.http.request({ method: 'GET', path: `/api/v2/tickets/${id}/comments` });
    const { comments } = expectShape(commentsSchema, res.data, 'Zendesk list comments');
    if (!comments.some((c) => c.public === false && c.body?.includes(packet.id))) await this.addNote(id, packet);
  }

  private ref(id: number): TicketRef {
    return { provider: this.name, id: String(id), number: `#${id}`, url: `${this.options.config.url}/agent/tickets/${id}` };
  }

  private toStatus(t: z.infer<typeof ticketSchema>): TicketStatus {
    const raw = t.status ?? 'unknown';
    return { ...this.ref(t.id), state: STATES[raw] ?? 'unknown', rawStatus: raw, title: t.subject ?? undefined, updatedAt: t.updated_at ?? undefined };
  }
}
