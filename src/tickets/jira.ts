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
import { attributedComment, packetText, ticketTitle } from './format.js';
import { HttpClient, basicAuth, basicAuthSecrets, expectShape } from './http.js';

/**
 * Jira Service Management (docs: JSM REST API "Request" group, Jira platform "Issue search"):
 * - POST /rest/servicedeskapi/request with serviceDeskId, requestTypeId, raiseOnBehalfOf and
 *   requestFieldValues {summary, description}; the description carries the full context and
 *   transcript (with the user's name and e-mail), ending with the escalation id.
 * - raiseOnBehalfOf is an accountId on Cloud (an e-mail is refused) and a username on Data Center:
 *   the user's e-mail is looked up first (Cloud GET /rest/api/3/user/search?query=, Data Center GET
 *   /rest/api/2/user/search?username=). Not found, not visible, or refused as a customer of this
 *   desk: the request is raised by the bot's account instead, never lost.
 * - A requester's comment: POST /rest/servicedeskapi/request/{issueIdOrKey}/comment {body, public: true}
 *   (plain text on Cloud and Data Center alike; public, so the customer portal shows it too). Jira
 *   records the bot's account as author, so the person's name leads the text.
 * - Status: GET /rest/servicedeskapi/request/{issueIdOrKey} (currentStatus + statusCategory).
 * - Auth: Cloud uses basic auth with account e-mail + API token; Data Center a personal access token.
 *
 * Idempotency: JSM has no idempotency key and no free external-id field on requests. Issue entity
 * properties would need an app to be searchable, and labels only work when the request type exposes
 * the Labels field, so neither works on a stock service desk. The description always exists, though,
 * and its text is indexed: from the second attempt on we run a JQL phrase search for the escalation
 * id in the description (`description ~ "\"<uuid>\""`) restricted to the desk's project, and confirm
 * the hit really contains the id. Jira Cloud's search is eventually consistent (Atlassian: "Search
 * and reconcile", seconds, sometimes more), so a retry after an ambiguous create failure (timeout,
 * 5xx) is never scheduled sooner than JIRA_SEARCH_SETTLE_MS, giving the index time to see the issue.
 */
export interface JiraOptions {
  config: ProviderConfig<'jira'>;
  timeoutMs: number;
  fetch?: typeof fetch;
}

const createdSchema = z
  .object({ issueId: z.coerce.string(), issueKey: z.string(), _links: z.object({ web: z.string().optional() }).passthrough().optional() })
  .passthrough();
const serviceDeskSchema = z.object({ projectKey: z.string() }).passthrough();
const statusSchema = z
  .object({ status: z.string(), statusCategory: z.string().optional(), statusDate: z.object({ iso8601: z.string().optional() }).passthrough().optional() })
  .passthrough();
const requestSchema = z
  .object({
    issueId: z.coerce.string(),
    issueKey: z.string(),
    currentStatus: statusSchema.optional(),
    requestFieldValues: z.array(z.object({ fieldId: z.string(), value: z.unknown() }).passthrough()).optional(),
    _links: z.object({ web: z.string().optional() }).passthrough().optional(),
  })
  .passthrough();
const searchSchema = z.object({
  issues: z.array(
    z
      .object({
        id: z.coerce.string(),
        key: z.string(),
        fields: z
          .object({
            summary: z.string().nullish(),
            description: z.string().nullish(),
            updated: z.string().nullish(),
            assignee: z.object({ displayName: z.string().optional() }).passthrough().nullish(),
            status: z
              .object({ name: z.string(), statusCategory: z.object({ key: z.string() }).passthrough().optional() })
              .passthrough()
              .nullish(),
          })
          .passthrough()
          .optional(),
      })
      .passthrough(),
  ),
});

/** Cloud users (accountId) and Data Center users (name); e-mails may be hidden by privacy settings. */
const usersSchema = z.array(
  z.object({ accountId: z.string().optional(), name: z.string().optional(), emailAddress: z.string().nullish(), active: z.boolean().optional() }).passthrough(),
);

/** A JSM 400 about the customer rather than the request: "The user … does not exist / is not a customer …". */
const CUSTOMER_REFUSED = /\b(user|customer|raiseOnBehalfOf)\b/i;

const MAX_CACHED_USERS = 1000;

const CATEGORY: Record<string, TicketState> = { new: 'new', indeterminate: 'in_progress', done: 'resolved' };

export function stateOf(category: string | undefined, name: string): TicketState {
  if (/cancel|declin|won.?t do/i.test(name)) return 'cancelled';
  if (/clos/i.test(name)) return 'closed';
  // JSM's default workflow starts in "Waiting for support" (with the agents); only waiting on the customer is on hold.
  if (/waiting for customer|pending|hold/i.test(name) && category?.toLowerCase() !== 'done') return 'on_hold';
  return CATEGORY[category?.toLowerCase() ?? ''] ?? 'unknown';
}

/** JSM errors: {"errorMessage": "…"}; Jira platform errors: {"errorMessages": [...], "errors": {field: msg}}. */
function describeError(data: unknown): string | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const d = data as { errorMessage?: unknown; errorMessages?: unknown; errors?: unknown };
  const parts: string[] = [];
  if (typeof d.errorMessage === 'string') parts.push(d.errorMessage);
  if (Array.isArray(d.errorMessages)) parts.push(...d.errorMessages.filter((m): m is string => typeof m === 'string'));
  if (d.errors && typeof d.errors === 'object') {
    for (const [field, msg] of Object.entries(d.errors)) if (typeof msg === 'string') parts.push(`${field}: ${msg}`);
  }
  return parts.join('; ') || undefined;
}

/** JQL string literal: backslash-escape quotes and backslashes. */
const jqlString = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

export class JiraProvider implements TicketProvider {
  readonly name = 'jira';
  private readonly http: HttpClient;
  private projectKey: string | undefined;
  /** E-mail → Jira user reference (accountId or username), null when there is none to use. */
  private readonly users = new Map<string, string | null>();

  constructor(private readonly options: JiraOptions) {
    const { auth } = options.config;
    this.http = new HttpClient({
      service: 'Jira',
      baseUrl: options.config.baseUrl,
      timeoutMs: options.timeoutMs,
      headers: () => ({
        Authorization: auth.type === 'basic' ? basicAuth(auth.email, auth.apiToken) : `Bearer ${auth.token}`,
      }),
      secrets: auth.type === 'basic' ? basicAuthSecrets(auth.email, auth.apiToken) : [auth.token],
      describeError,
      fetch: options.fetch,
    });
  }

  async create(packet: EscalationPacket, options: CreateTicketOptions): Promise<TicketRef> {
    if (options.attempt !== 1) {
      const existing = await this.findByIdempotencyKey(options.idempotencyKey);
      if (existing) return existing;
    }
    const { config } = this.options;
    const body: Record<string, unknown> = {
      serviceDeskId: config.serviceDeskId,
      requestTypeId: config.requestTypeId,
      requestFieldValues: { summary: ticketTitle(packet, 250), description: packetText(packet) },
    };
    const onBehalf = packet.user.email ? await this.userRef(packet.user.email) : undefined;
    if (onBehalf) body.raiseOnBehalfOf = onBehalf;
    try {
      let res;
      try {
        res = await this.http.request({ method: 'POST', path: '/rest/servicedeskapi/request', json: body });
      } catch (err) {
        // The user exists but is not a customer of this desk (closed desks): raise it as the bot rather than lose it.
        if (!onBehalf || !(err instanceof TicketError) || err.httpStatus !== 400 || !CUSTOMER_REFUSED.test(err.message)) throw err;
        this.users.set(packet.user.email!.toLowerCase(), null);
        delete body.raiseOnBehalfOf;
        res = await this.http.request({ method: 'POST', path: '/rest/servicedeskapi/request', json: body });
      }
      const created = expectShape(createdSchema, res.data, 'Jira create request');
      return this.ref(created.issueId, created.issueKey, created._links?.web);
    } catch (err) {
      if (!(err instanceof TicketError) || !err.retryable) throw err;
      throw new TicketError(err.message, {
        retryable: true,
        httpStatus: err.httpStatus,
        retryAfterMs: Math.max(err.retryAfterMs ?? 0, config.searchSettleMs),
        cause: err,
      });
    }
  }

  async status(numberOrId: string): Promise<TicketStatus | undefined> {
    const key = numberOrId.trim().toUpperCase();
    if (!/^([A-Z][A-Z0-9_]+-\d+|\d+)$/.test(key)) return undefined;
    let res;
    try {
      res = await this.http.request({ method: 'GET', path: `/rest/servicedeskapi/request/${encodeURIComponent(key)}` });
    } catch (err) {
      if (err instanceof TicketError && err.httpStatus === 404) return undefined;
      throw err;
    }
    const r = expectShape(requestSchema, res.data, 'Jira get request');
    const summary = r.requestFieldValues?.find((f) => f.fieldId === 'summary')?.value;
    const rawStatus = r.currentStatus?.status ?? 'unknown';
    return {
      ...this.ref(r.issueId, r.issueKey, r._links?.web),
      state: stateOf(r.currentStatus?.statusCategory, rawStatus),
      rawStatus,
      title: typeof summary === 'string' ? summary : undefined,
      updatedAt: r.currentStatus?.statusDate?.iso8601,
    };
  }

  async addComment(ticket: TicketRef, comment: TicketComment): Promise<void> {
    const key = (ticket.id || ticket.number).trim();
    if (!/^([A-Za-z][A-Za-z0-9_]+-\d+|\d+)$/.test(key)) {
      throw new TicketError(`Jira add comment: "${ticket.number}" is not an issue id or key`, { retryable: false });
    }
    await this.http.request({
      method: 'POST',
      path: `/rest/servicedeskapi/request/${encodeURIComponent(key)}/comment`,
      json: { body: attributedComment(comment), public: true },
    });
  }

  async listForRequester(requester: TicketRequester): Promise<TicketStatus[]> {
    if (!requester.email) return [];
    const project = await this.project();
    // JQL user fields take an accountId on Cloud and a username on Data Center.
    const reporter = (await this.userRef(requester.email)) ?? requester.email;
    const issues = await this.search(
      `project = ${jqlString(project)} AND reporter = ${jqlString(reporter)} ORDER BY created DESC`,
      'summary,status,updated,assignee',
      20,
    );
    return issues.map((i) => {
      const rawStatus = i.fields?.status?.name ?? 'unknown';
      return {
        ...this.ref(i.id, i.key),
        state: stateOf(i.fields?.status?.statusCategory?.key, rawStatus),
        rawStatus,
        title: i.fields?.summary ?? undefined,
        assignee: i.fields?.assignee?.displayName,
        updatedAt: i.fields?.updated ?? undefined,
      };
    });
  }

  private async findByIdempotencyKey(key: string): Promise<TicketRef | undefined> {
    const project = await this.project();
    const issues = await this.search(
      `project = ${jqlString(project)} AND description ~ ${jqlString(`"${key}"`)} ORDER BY created ASC`,
      'description',
      5,
    );
    // Full-text search is fuzzy by design; only an issue whose description really holds the id counts.
    const hit = issues.find((i) => i.fields?.description?.includes(key));
    return hit && this.ref(hit.id, hit.key);
  }

  private async search(jql: string, fields: string, maxResults: number) {
    // Cloud retired /rest/api/2/search in favour of /search/jql; Data Center still serves /search.
    const path = this.options.config.auth.type === 'basic' ? '/rest/api/2/search/jql' : '/rest/api/2/search';
    const res = await this.http.request({ method: 'GET', path, query: { jql, fields, maxResults } });
    return expectShape(searchSchema, res.data, 'Jira search').issues;
  }

  /**
   * The Jira user behind an e-mail: the one whose visible e-mail matches, else the only result.
   * Transient failures throw (the outbox retries); a refusal (403, 404…) means "none".
   */
  private async userRef(email: string): Promise<string | undefined> {
    const key = email.trim().toLowerCase();
    const known = this.users.get(key);
    if (known !== undefined) return known ?? undefined;
    const cloud = this.options.config.auth.type === 'basic';
    let found: string | null = null;
    try {
      const res = await this.http.request(
        cloud
          ? { method: 'GET', path: '/rest/api/3/user/search', query: { query: key, maxResults: 10 } }
          : { method: 'GET', path: '/rest/api/2/user/search', query: { username: key, maxResults: 10 } },
      );
      const users = expectShape(usersSchema, res.data, 'Jira user search').filter((u) => u.active !== false && (cloud ? u.accountId : u.name));
      const user = users.find((u) => u.emailAddress?.toLowerCase() === key) ?? (users.length === 1 ? users[0] : undefined);
      found = (cloud ? user?.accountId : user?.name) ?? null;
    } catch (err) {
      if (!(err instanceof TicketError) || err.retryable) throw err;
    }
    if (this.users.size >= MAX_CACHED_USERS) this.users.clear();
    this.users.set(key, found);
    return found ?? undefined;
  }

  private async project(): Promise<string> {
    if (!this.projectKey) {
      const res = await this.http.request({
        method: 'GET',
        path: `/rest/servicedeskapi/servicedesk/${encodeURIComponent(this.options.config.serviceDeskId)}`,
      });
      this.projectKey = expectShape(serviceDeskSchema, res.data, 'Jira service desk').projectKey;
    }
    return this.projectKey;
  }

  private ref(issueId: string, issueKey: string, web?: string): TicketRef {
    return { provider: this.name, id: issueId, number: issueKey, url: web ?? `${this.options.config.baseUrl}/browse/${issueKey}` };
  }
}
