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
import { attributedComment, escapeHtml, packetHtml, ticketTitle, transcriptNote } from './format.js';
import { HttpClient, expectShape, type Query } from './http.js';

/**
 * GLPI (9.5 / 10.x) through its legacy REST API, apirest.php (docs: apirest.md in the GLPI sources):
 * - GET initSession with `Authorization: user_token …` (+ App-Token when the API client requires one)
 *   gives a session token; every call of one operation uses it; GET killSession ends it.
 * - POST Ticket {input: {name, content, urgency, impact, priority, type: 1 (incident), externalid,
 *   _users_id_requester}} creates the ticket with the context as HTML (GLPI's rich-text format).
 * - POST ITILFollowup {input: {itemtype: "Ticket", items_id, content, is_private: 1}} adds the
 *   transcript as a private followup (the generic "Add item" endpoint, valid on 9.5 and 10).
 * - A requester's comment is a public followup through the same endpoint (is_private: 0), HTML-escaped
 *   with the person's name leading it (GLPI records the API user as the followup's author).
 * - Idempotency: the ticket's `externalid` holds the packet id. From the second attempt on we look
 *   it up (GET Ticket?searchText[externalid]=…) before creating, and add the transcript followup if
 *   the first attempt died between the two writes (recognised by the escalation id it contains).
 */
export interface GlpiOptions {
  config: ProviderConfig<'glpi'>;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/** GLPI scales are 1 (very low) to 5 (very high); priority 6 is "major". */
const LEVELS: Record<Priority, { urgency: number; impact: number; priority: number }> = {
  critical: { urgency: 5, impact: 5, priority: 6 },
  high: { urgency: 4, impact: 4, priority: 4 },
  medium: { urgency: 3, impact: 3, priority: 3 },
  low: { urgency: 2, impact: 2, priority: 2 },
};

/** Ticket::INCOMING … Ticket::CLOSED. */
export const STATES: Record<number, { state: TicketState; label: string }> = {
  1: { state: 'new', label: 'New' },
  2: { state: 'in_progress', label: 'Processing (assigned)' },
  3: { state: 'in_progress', label: 'Processing (planned)' },
  4: { state: 'on_hold', label: 'Pending' },
  5: { state: 'resolved', label: 'Solved' },
  6: { state: 'closed', label: 'Closed' },
};

const TYPE_INCIDENT = 1;
/** Search options of the Ticket and User itemtypes. */
const SO = { ticketName: 1, ticketId: 2, ticketStatus: 12, ticketUpdated: 19, ticketRequester: 4, userId: 2, userEmail: 5 };

const sessionSchema = z.object({ session_token: z.string().min(1) });
const addedSchema = z.object({ id: z.coerce.number().int().positive() }).passthrough();
const ticketSchema = z
  .object({
    id: z.coerce.number(),
    name: z.string().nullish(),
    status: z.coerce.number().nullish(),
    date_mod: z.string().nullish(),
    externalid: z.string().nullish(),
  })
  .passthrough();
const followupsSchema = z.array(z.object({ content: z.string().nullish() }).passthrough());
const searchSchema = z
  .object({ totalcount: z.coerce.number().optional(), data: z.union([z.array(z.record(z.unknown())), z.record(z.record(z.unknown()))]).optional() })
  .passthrough();

/** GLPI errors are a two-element array: ["ERROR_CODE", "message"]. */
function describeError(data: unknown): string | undefined {
  if (Array.isArray(data) && data.every((x) => typeof x === 'string')) return data.join(': ');
  return undefined;
}

function rows(data: z.infer<typeof searchSchema>['data']): Record<string, unknown>[] {
  if (!data) return [];
  return Array.isArray(data) ? data : Object.values(data);
}

const toNumber = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);

/** GLPI timestamps are server-local "yyyy-MM-dd HH:mm:ss"; we pass them on without inventing a zone. */
const glpiDate = (v: string | null | undefined) => v ?? undefined;

export class GlpiProvider implements TicketProvider {
  readonly name = 'glpi';
  private readonly http: HttpClient;
  private readonly webBase: string;

  constructor(private readonly options: GlpiOptions) {
    const { config } = options;
    this.http = new HttpClient({
      service: 'GLPI',
      baseUrl: config.apiUrl,
      timeoutMs: options.timeoutMs,
      headers: (): Record<string, string> => (config.appToken ? { 'App-Token': config.appToken } : {}),
      secrets: [config.userToken, config.appToken],
      describeError,
      fetch: options.fetch,
    });
    this.webBase = config.apiUrl.replace(/\/apirest\.php$/, '');
  }

  async create(packet: EscalationPacket, options: CreateTicketOptions): Promise<TicketRef> {
    return this.withSession(async (session) => {
      if (options.attempt !== 1) {
        const existing = await this.findByExternalId(session, options.idempotencyKey);
        if (existing !== undefined) {
          await this.ensureTranscript(session, existing, packet);
          return this.ref(existing);
        }
      }
      const requester = packet.user.email ? await this.findUserId(session, packet.user.email) : undefined;
      const { config } = this.options;
      const input: Record<string, unknown> = {
        name: ticketTitle(packet, 250),
        content: packetHtml(packet, { transcript: false }),
        ...LEVELS[packet.priority],
        type: TYPE_INCIDENT,
        externalid: options.idempotencyKey,
      };
      if (config.entityId !== undefined) input.entities_id = config.entityId;
      if (config.categoryId !== undefined) input.itilcategories_id = config.categoryId;
      if (requester !== undefined) input._users_id_requester = requester;
      // Someone without a GLPI account still gets the notifications at their address.
      else if (packet.user.email) input._users_id_requester_notif = { use_notification: [1], alternative_email: [packet.user.email] };
      const res = await this.http.request({ method: 'POST', path: '/Ticket', headers: { 'Session-Token': session }, json: { input } });
      const { id } = expectShape(addedSchema, res.data, 'GLPI add Ticket');
      await this.addTranscript(session, id, packet);
      return this.ref(id);
    });
  }

  async status(numberOrId: string): Promise<TicketStatus | undefined> {
    const m = /^\s*(?:glpi\s*)?#?\s*(\d+)\s*$/i.exec(numberOrId);
    if (!m) return undefined;
    const id = Number(m[1]);
    return this.withSession(async (session) => {
      let res;
      try {
        res = await this.http.request({ method: 'GET', path: `/Ticket/${id}`, headers: { 'Session-Token': session } });
      } catch (err) {
        if (err instanceof TicketError && err.httpStatus === 404) return undefined;
        throw err;
      }
      const t = expectShape(ticketSchema, res.data, 'GLPI get Ticket');
      return this.toStatus(t.id, t.status ?? undefined, t.name ?? undefined, glpiDate(t.date_mod));
    });
  }

  async listForRequester(requester: TicketRequester): Promise<TicketStatus[]> {
    const email = requester.email;
    if (!email) return [];
    return this.withSession(async (session) => {
      const userId = await this.findUserId(session, email);
      if (userId === undefined) return [];
      const result = await this.search(session, 'Ticket', {
        'criteria[0][field]': SO.ticketRequester,
        'criteria[0][searchtype]': 'equals',
        'criteria[0][value]': userId,
        'forcedisplay[0]': SO.ticketId,
        'forcedisplay[1]': SO.ticketName,
        'forcedisplay[2]': SO.ticketStatus,
        'forcedisplay[3]': SO.ticketUpdated,
        sort: SO.ticketUpdated,
        order: 'DESC',
        range: '0-19',
      });
      return result.flatMap((r) => {
        const id = toNumber(r[String(SO.ticketId)]);
        if (id === undefined) return [];
        const name = r[String(SO.ticketName)];
        const updated = r[String(SO.ticketUpdated)];
        return [this.toStatus(id, toNumber(r[String(SO.ticketStatus)]), typeof name === 'string' ? name : undefined, typeof updated === 'string' ? updated : undefined)];
      });
    });
  }

  async addComment(ticket: TicketRef, comment: TicketComment): Promise<void> {
    if (!/^\d+$/.test(ticket.id)) throw new TicketError(`GLPI add comment: "${ticket.number}" is not a ticket id`, { retryable: false });
    const content = escapeHtml(attributedComment(comment)).replace(/\r?\n/g, '<br>');
    await this.withSession(async (session) => {
      await this.http.request({
        method: 'POST',
        path: '/ITILFollowup',
        headers: { 'Session-Token': session },
        json: { input: { itemtype: 'Ticket', items_id: Number(ticket.id), content, is_private: 0 } },
      });
    });
  }

  private async withSession<T>(fn: (session: string) => Promise<T>): Promise<T> {
    const res = await this.http.request({
      method: 'GET',
      path: '/initSession',
      headers: { Authorization: `user_token ${this.options.config.userToken}` },
    });
    const session = expectShape(sessionSchema, res.data, 'GLPI initSession').session_token;
    this.http.addSecret(session);
    try {
      return await fn(session);
    } finally {
      // Best effort: an orphaned session expires on its own, and the operation's outcome matters more.
      await this.http.request({ method: 'GET', path: '/killSession', headers: { 'Session-Token': session } }).catch(() => undefined);
    }
  }

  private async findByExternalId(session: string, key: string): Promise<number | undefined> {
    const res = await this.http.request({
      method: 'GET',
      path: '/Ticket/',
      headers: { 'Session-Token': session },
      query: { 'searchText[externalid]': key, range: '0-9', is_deleted: false },
    });
    // searchText is a LIKE filter: keep only an exact match.
    const tickets = expectShape(z.array(ticketSchema), res.data ?? [], 'GLPI find Ticket by externalid');
    return tickets.find((t) => t.externalid === key)?.id;
  }

  private async findUserId(session: string, email: string): Promise<number | undefined> {
    const result = await this.search(session, 'User', {
      'criteria[0][field]': SO.userEmail,
      'criteria[0][searchtype]': 'contains',
      // ^…$ anchors turn GLPI's wildcard "contains" into an exact match.
      'criteria[0][value]': `^${email}$`,
      'forcedisplay[0]': SO.userId,
      'forcedisplay[1]': SO.userEmail,
      range: '0-4',
    });
    // "contains" is a LIKE: _ and % in an address are wildcards, so confirm the exact address.
    const exact = result.find((r) => String(r[String(SO.userEmail)] ?? '').toLowerCase() === email.toLowerCase());
    return exact ? toNumber(exact[String(SO.userId)]) : undefined;
  }

  private async search(session: string, itemtype: string, query: Query): Promise<Record<string, unknown>[]> {
    const res = await this.http.request({ method: 'GET', path: `/search/${itemtype}/`, headers: { 'Session-Token': session }, query });
    return rows(expectShape(searchSchema, res.data ?? {}, `GLPI search ${itemtype}`).data);
  }

  private async addTranscript(session: string, ticketId: number, packet: EscalationPacket): Promise<void> {
    if (!packet.transcript.length) return;
    await this.http.request({
      method: 'POST',
      path: '/ITILFollowup',
      headers: { 'Session-Token': session },
      json: { input: { itemtype: 'Ticket', items_id: ticketId, content: transcriptNote(packet, 'html'), is_private: 1 } },
    });
  }

  private async ensureTranscript(session: string, ticketId: number, packet: EscalationPacket): Promise<void> {
    if (!packet.transcript.length) return;
    const res = await this.http.request({
      method: 'GET',
      path: `/Ticket/${ticketId}/ITILFollowup`,
      headers: { 'Session-Token': session },
      query: { range: '0-99' },
    });
    const followups = expectShape(followupsSchema, res.data ?? [], 'GLPI list followups');
    if (!followups.some((f) => f.content?.includes(packet.id))) await this.addTranscript(session, ticketId, packet);
  }

  private ref(id: number): TicketRef {
    return { provider: this.name, id: String(id), number: `GLPI #${id}`, url: `${this.webBase}/front/ticket.form.php?id=${id}` };
  }

  private toStatus(id: number, status: number | undefined, title: string | undefined, updatedAt: string | undefined): TicketStatus {
    const s = status === undefined ? undefined : STATES[status];
    return { ...this.ref(id), state: s?.state ?? 'unknown', rawStatus: s?.label ?? String(status ?? 'unknown'), title, updatedAt };
  }
}
