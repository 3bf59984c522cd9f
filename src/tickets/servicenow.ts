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
import { attributedComment, packetText, ticketTitle, transcriptNote } from './format.js';
import { HttpClient, basicAuth, basicAuthSecrets, expectShape } from './http.js';

/**
 * ServiceNow ITSM through the Table API (docs: "Table API", REST API reference):
 * - POST /api/now/table/incident creates the incident: caller_id from sys_user looked up by e-mail,
 *   urgency/impact from the packet priority (the instance's priority lookup rules derive priority),
 *   category, short_description, description with the context, and `work_notes` with the redacted
 *   transcript. The work note travels in the same insert (journal fields accept a value on insert), so
 *   a crash can never leave an incident without its transcript.
 * - Idempotency: `correlation_id` holds the packet id; from the second attempt on, the incident is
 *   looked up by correlation_id before creating, so a retry returns the incident the first try made.
 * - A requester's comment is a PATCH of the incident's `comments` journal field ("Additional comments",
 *   visible to the caller), not `work_notes` (internal): the person wrote it for the people working it.
 * - Auth: basic (integration user) or OAuth client credentials against /oauth_token.do.
 */
export interface ServiceNowOptions {
  config: ProviderConfig<'servicenow'>;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/** Default ServiceNow priority matrix: (1,1)→1 Critical, (1,2)→2 High, (2,2)→3 Moderate, (2,3)→4 Low. */
const URGENCY_IMPACT: Record<Priority, { urgency: string; impact: string }> = {
  critical: { urgency: '1', impact: '1' },
  high: { urgency: '1', impact: '2' },
  medium: { urgency: '2', impact: '2' },
  low: { urgency: '2', impact: '3' },
};

/** Out-of-the-box incident states. */
export const STATES: Record<string, TicketState> = {
  '1': 'new',
  '2': 'in_progress',
  '3': 'on_hold',
  '6': 'resolved',
  '7': 'closed',
  '8': 'cancelled',
};

const FIELDS = 'sys_id,number,state,short_description,assigned_to,sys_updated_on,close_notes';

const createdSchema = z.object({ result: z.object({ sys_id: z.string(), number: z.string() }).passthrough() });
const idListSchema = z.object({ result: z.array(z.object({ sys_id: z.string(), number: z.string().optional() }).passthrough()) });
const dv = z
  .union([z.object({ display_value: z.unknown().optional(), value: z.unknown().optional() }).passthrough(), z.string()])
  .optional();
const incidentSchema = z
  .object({ sys_id: dv, number: dv, state: dv, short_description: dv, assigned_to: dv, sys_updated_on: dv, close_notes: dv })
  .passthrough();
const incidentListSchema = z.object({ result: z.array(incidentSchema) });
const incidentOneSchema = z.object({ result: incidentSchema });
const tokenSchema = z.object({ access_token: z.string(), expires_in: z.coerce.number().optional() }).passthrough();

type DV = z.infer<typeof dv>;
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
const valueOf = (f: DV) => (typeof f === 'string' ? str(f) : str(f?.value));
const displayOf = (f: DV) => (typeof f === 'string' ? str(f) : (str(f?.display_value) ?? str(f?.value)));

/** ServiceNow error bodies: {"error":{"message":"…","detail":"…"},"status":"failure"}. */
function describeError(data: unknown): string | undefined {
  const e = (data as { error?: { message?: unknown; detail?: unknown } } | undefined)?.error;
  if (!e || typeof e !== 'object') return undefined;
  return [e.message, e.detail].filter((s): s is string => typeof s === 'string' && s !== '').join(' — ') || undefined;
}

export class ServiceNowProvider implements TicketProvider {
  readonly name = 'servicenow';
  private readonly http: HttpClient;
  /** Same host without the default auth header: the token endpoint authenticates with the client secret. */
  private readonly tokenHttp: HttpClient;
  private token: { value: string; expiresAt: number } | undefined;

  constructor(private readonly options: ServiceNowOptions) {
    const { config } = options;
    const secrets =
      config.auth.type === 'basic'
        ? basicAuthSecrets(config.auth.username, config.auth.password)
        : [config.auth.clientSecret];
    this.http = new HttpClient({
      service: 'ServiceNow',
      baseUrl: config.instanceUrl,
      timeoutMs: options.timeoutMs,
      headers: () => this.authHeaders(),
      secrets, // bearer tokens are added as they are fetched (see authHeaders)
      describeError,
      fetch: options.fetch,
    });
    this.tokenHttp = new HttpClient({
      service: 'ServiceNow OAuth',
      baseUrl: config.instanceUrl,
      timeoutMs: options.timeoutMs,
      secrets,
      describeError: (data) => {
        const d = data as { error?: unknown; error_description?: unknown } | undefined;
        return [d?.error, d?.error_description].filter((x): x is string => typeof x === 'string').join(': ') || undefined;
      },
      fetch: options.fetch,
    });
  }

  async create(packet: EscalationPacket, options: CreateTicketOptions): Promise<TicketRef> {
    if (options.attempt !== 1) {
      const existing = await this.findByCorrelationId(options.idempotencyKey);
      if (existing) return existing;
    }
    const caller = packet.user.email ? await this.findUserByEmail(packet.user.email) : undefined;
    const category = packet.category ?? this.options.config.defaultCategory;
    const body: Record<string, string> = {
      short_description: ticketTitle(packet, 160),
      description: packetText(packet, { transcript: false }),
      ...URGENCY_IMPACT[packet.priority],
      contact_type: 'self-service',
      correlation_id: options.idempotencyKey,
      correlation_display: 'helpdesk-bot',
    };
    if (caller) body.caller_id = caller;
    if (category) body.category = category;
    if (this.options.config.assignmentGroup) body.assignment_group = this.options.config.assignmentGroup;
    if (packet.transcript.length) body.work_notes = transcriptNote(packet, 'text');
    const res = await this.call({
      method: 'POST',
      path: '/api/now/table/incident',
      query: { sysparm_fields: 'sys_id,number', sysparm_exclude_reference_link: true },
      json: body,
    });
    const { result } = expectShape(createdSchema, res.data, 'ServiceNow create incident');
    return this.ref(result.sys_id, result.number);
  }

  async status(numberOrId: string): Promise<TicketStatus | undefined> {
    const id = numberOrId.trim();
    const query = { sysparm_display_value: 'all', sysparm_exclude_reference_link: true, sysparm_fields: FIELDS };
    if (/^[0-9a-f]{32}$/i.test(id)) {
      try {
        const res = await this.call({ method: 'GET', path: `/api/now/table/incident/${id}`, query });
        return this.toStatus(expectShape(incidentOneSchema, res.data, 'ServiceNow get incident').result);
      } catch (err) {
        if (err instanceof TicketError && err.httpStatus === 404) return undefined;
        throw err;
      }
    }
    if (!/^[A-Za-z]{2,8}\d{4,}$/.test(id)) return undefined;
    const res = await this.call({
      method: 'GET',
      path: '/api/now/table/incident',
      query: { ...query, sysparm_query: `number=${id.toUpperCase()}`, sysparm_limit: 1 },
    });
    const first = expectShape(incidentListSchema, res.data, 'ServiceNow find incident').result[0];
    return first && this.toStatus(first);
  }

  async listForRequester(requester: TicketRequester): Promise<TicketStatus[]> {
    if (!requester.email) return [];
    const caller = await this.findUserByEmail(requester.email);
    if (!caller) return [];
    const res = await this.call({
      method: 'GET',
      path: '/api/now/table/incident',
      query: {
        sysparm_query: `caller_id=${caller}^ORDERBYDESCsys_created_on`,
        sysparm_limit: 20,
        sysparm_display_value: 'all',
        sysparm_exclude_reference_link: true,
        sysparm_fields: FIELDS,
      },
    });
    return expectShape(incidentListSchema, res.data, 'ServiceNow list incidents').result.flatMap((r) => {
      const s = this.toStatus(r);
      return s ? [s] : [];
    });
  }

  async addComment(ticket: TicketRef, comment: TicketComment): Promise<void> {
    if (!/^[0-9a-f]{32}$/i.test(ticket.id)) {
      throw new TicketError(`ServiceNow add comment: "${ticket.number}" has no sys_id`, { retryable: false });
    }
    await this.call({
      method: 'PATCH',
      path: `/api/now/table/incident/${ticket.id}`,
      query: { sysparm_fields: 'sys_id', sysparm_exclude_reference_link: true },
      json: { comments: attributedComment(comment) },
    });
  }

  private async findByCorrelationId(key: string): Promise<TicketRef | undefined> {
    const res = await this.call({
      method: 'GET',
      path: '/api/now/table/incident',
      query: { sysparm_query: `correlation_id=${key}`, sysparm_fields: 'sys_id,number', sysparm_limit: 1 },
    });
    const first = expectShape(idListSchema, res.data, 'ServiceNow find by correlation_id').result[0];
    return first?.number ? this.ref(first.sys_id, first.number) : undefined;
  }

  private async findUserByEmail(email: string): Promise<string | undefined> {
    // ^ and = are encoded-query syntax; an address carrying them could widen the query.
    if (/[\^=]/.test(email)) return undefined;
    const res = await this.call({
      method: 'GET',
      path: '/api/now/table/sys_user',
      query: { sysparm_query: `email=${email}^active=true`, sysparm_fields: 'sys_id', sysparm_limit: 1 },
    });
    return expectShape(idListSchema, res.data, 'ServiceNow find caller').result[0]?.sys_id;
  }

  private ref(sysId: string, number: string): TicketRef {
    return {
      provider: this.name,
      id: sysId,
      number,
      url: `${this.options.config.instanceUrl}/incident.do?sys_id=${encodeURIComponent(sysId)}`,
    };
  }

  private toStatus(r: z.infer<typeof incidentSchema>): TicketStatus | undefined {
    const sysId = valueOf(r.sys_id);
    const number = valueOf(r.number);
    if (!sysId || !number) return undefined;
    const stateValue = valueOf(r.state) ?? '';
    const updated = valueOf(r.sys_updated_on);
    return {
      ...this.ref(sysId, number),
      state: STATES[stateValue] ?? 'unknown',
      rawStatus: displayOf(r.state) ?? stateValue,
      title: displayOf(r.short_description),
      assignee: displayOf(r.assigned_to),
      // The Table API's actual values are UTC "yyyy-MM-dd HH:mm:ss".
      updatedAt: updated ? `${updated.replace(' ', 'T')}Z` : undefined,
      resolutionNotes: displayOf(r.close_notes),
    };
  }

  /** A 401 with OAuth drops the cached token so the next attempt fetches a fresh one. */
  private async call(req: Parameters<HttpClient['request']>[0]) {
    try {
      return await this.http.request(req);
    } catch (err) {
      if (err instanceof TicketError && err.httpStatus === 401) this.token = undefined;
      throw err;
    }
  }

  private async authHeaders(): Promise<Record<string, string>> {
    const { auth } = this.options.config;
    if (auth.type === 'basic') return { Authorization: basicAuth(auth.username, auth.password) };
    if (!this.token || this.token.expiresAt <= Date.now()) {
      const res = await this.tokenHttp.request({
        method: 'POST',
        path: '/oauth_token.do',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: auth.clientId, client_secret: auth.clientSecret }).toString(),
      });
      const t = expectShape(tokenSchema, res.data, 'ServiceNow OAuth token');
      this.http.addSecret(t.access_token);
      // Refresh a minute early so a token never expires mid-delivery.
      this.token = { value: t.access_token, expiresAt: Date.now() + Math.max(0, (t.expires_in ?? 1800) - 60) * 1000 };
    }
    return { Authorization: `Bearer ${this.token.value}` };
  }
}
