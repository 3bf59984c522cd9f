import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JiraProvider } from '../../src/tickets/jira.js';
import { TicketError } from '../../src/engine/ports/tickets.js';
import type { ProviderConfig } from '../../src/config/sections/tickets.js';
import { createJiraServer, JIRA_BOT_ACCOUNT, JIRA_CREDENTIALS, JIRA_PAT, JIRA_USERS } from './servers/jira.js';
import { errorContract } from './contract.js';
import { makePacket } from './fixtures/packet.js';

const TIMEOUT = 800;

describe('Jira Service Management provider (servicedeskapi contract)', () => {
  let jira: ReturnType<typeof createJiraServer>;
  let config: ProviderConfig<'jira'>;
  let provider: JiraProvider;

  beforeAll(async () => {
    jira = createJiraServer();
    await jira.server.start();
  });
  afterAll(() => jira.server.stop());
  beforeEach(() => {
    jira.server.requests.length = 0;
    config = {
      kind: 'jira',
      baseUrl: jira.server.url,
      auth: { type: 'basic', ...JIRA_CREDENTIALS },
      serviceDeskId: '4',
      requestTypeId: '25',
      searchSettleMs: 0,
    };
    provider = new JiraProvider({ config, timeoutMs: TIMEOUT });
  });

  it('raises a customer request on behalf of the user (their Cloud accountId) with the documented body', async () => {
    const packet = makePacket();
    const ref = await provider.create(packet, { idempotencyKey: packet.id, attempt: 1 });
    expect(ref).toMatchObject({ provider: 'jira', number: expect.stringMatching(/^ITSD-\d+$/), url: expect.stringContaining('/servicedesk/customer/portal/4/ITSD-') });
    expect(jira.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /rest/api/3/user/search', 'POST /rest/servicedeskapi/request']);
    // Léa's e-mail is hidden by her profile settings: the only user the search returns is her.
    expect(jira.server.requests[0]!.query.get('query')).toBe('lea.martin@example.org');
    const post = jira.server.requests[1]!;
    expect(post.headers.authorization).toBe(`Basic ${Buffer.from(`${JIRA_CREDENTIALS.email}:${JIRA_CREDENTIALS.apiToken}`).toString('base64')}`);
    expect(post.headers['content-type']).toBe('application/json');
    const body = post.json as { requestFieldValues: { summary: string; description: string } } & Record<string, unknown>;
    expect(body).toMatchObject({ serviceDeskId: '4', requestTypeId: '25', raiseOnBehalfOf: JIRA_USERS[0]!.accountId });
    expect(Object.keys(body.requestFieldValues).sort()).toEqual(['description', 'summary']);
    expect(body.requestFieldValues.summary).toBe(packet.question);
    expect(body.requestFieldValues.description).toContain('Conversation (redacted)');
    expect(body.requestFieldValues.description).toContain(packet.id);
  });

  it('a retry finds the request by a JQL search on the escalation id and waits for the index first', async () => {
    const settling = new JiraProvider({ config: { ...config, searchSettleMs: 45_000 }, timeoutMs: TIMEOUT });
    const packet = makePacket();
    jira.server.failNext({ dropAfterHandling: true }, (r) => r.method === 'POST');
    const first = (await settling.create(packet, { idempotencyKey: packet.id, attempt: 1 }).catch((e: unknown) => e)) as TicketError;
    expect(first).toBeInstanceOf(TicketError);
    expect(first.retryable).toBe(true);
    // Cloud search is eventually consistent: the retry is not scheduled before the index can see the issue.
    expect(first.retryAfterMs).toBeGreaterThanOrEqual(45_000);
    expect(jira.issues.filter((i) => i.description.includes(packet.id))).toHaveLength(1);

    const ref = await settling.create(packet, { idempotencyKey: packet.id, attempt: 2 });
    expect(jira.issues.filter((i) => i.description.includes(packet.id))).toHaveLength(1);
    expect(ref.number).toBe(jira.issues.find((i) => i.description.includes(packet.id))!.key);
    const search = jira.server.requestsTo('GET', '/rest/api/2/search/jql').at(-1)!;
    expect(search.query.get('jql')).toBe(`project = "ITSD" AND description ~ "\\"${packet.id}\\"" ORDER BY created ASC`);
    expect(search.query.get('fields')).toBe('description');
  });

  it('ignores a search hit whose description does not really contain the id', async () => {
    const packet = makePacket();
    const other = makePacket();
    await provider.create(other, { idempotencyKey: other.id, attempt: 1 });
    // Simulate full-text fuzziness: the index returns an issue for the wrong id.
    jira.server.failNext(
      { status: 200, body: { issues: [{ id: '1', key: 'ITSD-1', fields: { description: `ref ${other.id}` } }], isLast: true } },
      (r) => r.path === '/rest/api/2/search/jql',
    );
    const ref = await provider.create(packet, { idempotencyKey: packet.id, attempt: 2 });
    expect(ref.number).not.toBe('ITSD-1');
    expect(jira.issues.filter((i) => i.description.includes(packet.id))).toHaveLength(1);
  });

  it('uses a bearer PAT, the Data Center search endpoint and the username on Data Center', async () => {
    const dc = new JiraProvider({ config: { ...config, auth: { type: 'pat', token: JIRA_PAT } }, timeoutMs: TIMEOUT });
    const packet = makePacket();
    const ref = await dc.create(packet, { idempotencyKey: packet.id, attempt: 2 });
    expect(jira.server.requests.every((r) => r.headers.authorization === `Bearer ${JIRA_PAT}`)).toBe(true);
    expect(jira.server.requestsTo('GET', '/rest/api/2/search')).toHaveLength(1);
    expect(jira.server.requestsTo('GET', '/rest/api/2/user/search')[0]!.query.get('username')).toBe('lea.martin@example.org');
    expect(jira.server.requestsTo('POST', '/rest/servicedeskapi/request')[0]!.json).toMatchObject({ raiseOnBehalfOf: 'lmartin' });
    expect(jira.issues.find((i) => i.key === ref.number)?.reporter).toBe('lmartin');
  });

  it('raises the request as the bot when the user is unknown to Jira or not a customer of the desk, never losing it', async () => {
    const stranger = makePacket({ user: { id: 'U9', name: 'New Starter', email: 'new.starter@example.org' } });
    const a = await provider.create(stranger, { idempotencyKey: stranger.id, attempt: 1 });
    const posts = jira.server.requestsTo('POST', '/rest/servicedeskapi/request');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.json).not.toHaveProperty('raiseOnBehalfOf');
    const issue = jira.issues.find((i) => i.key === a.number)!;
    expect(issue.reporter).toBe(JIRA_BOT_ACCOUNT);
    expect(issue.description).toContain('new.starter@example.org');

    // Sam exists but is not a customer of this desk: refused once, then raised by the bot; remembered.
    const agent = makePacket({ user: { id: 'U8', name: 'Sam Agent', email: 'sam@example.org' } });
    const b = await provider.create(agent, { idempotencyKey: agent.id, attempt: 1 });
    expect(jira.issues.find((i) => i.key === b.number)?.reporter).toBe(JIRA_BOT_ACCOUNT);
    const again = makePacket({ user: { id: 'U8', name: 'Sam Agent', email: 'sam@example.org' } });
    jira.server.requests.length = 0;
    await provider.create(again, { idempotencyKey: again.id, attempt: 1 });
    expect(jira.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /rest/servicedeskapi/request']);
    expect(jira.server.requests[0]!.json).not.toHaveProperty('raiseOnBehalfOf');
  });

  it('maps request status and lists the requester requests', async () => {
    const packet = makePacket({ user: { id: 'U7', email: 'ana@example.org' } });
    const ref = await provider.create(packet, { idempotencyKey: packet.id, attempt: 1 });
    const issue = jira.issues.find((i) => i.key === ref.number)!;
    expect(await provider.status(ref.number.toLowerCase())).toMatchObject({ id: ref.id, state: 'new', rawStatus: 'Waiting for support', title: packet.question });
    expect(jira.server.requests.at(-1)!.path).toBe(`/rest/servicedeskapi/request/${ref.number}`);
    Object.assign(issue, { status: 'In Progress', statusCategory: 'INDETERMINATE' });
    expect((await provider.status(ref.id))!.state).toBe('in_progress');
    Object.assign(issue, { status: 'Waiting for customer', statusCategory: 'INDETERMINATE' });
    expect((await provider.status(ref.number))!.state).toBe('on_hold');
    Object.assign(issue, { status: 'Resolved', statusCategory: 'DONE' });
    expect((await provider.status(ref.number))!.state).toBe('resolved');
    Object.assign(issue, { status: 'Canceled', statusCategory: 'DONE' });
    expect((await provider.status(ref.number))!.state).toBe('cancelled');
    expect(await provider.status('ITSD-999')).toBeUndefined();
    expect(await provider.status('not a key')).toBeUndefined();

    const list = await provider.listForRequester({ id: 'U7', email: 'ana@example.org' });
    expect(list).toEqual([expect.objectContaining({ number: ref.number, state: 'cancelled', rawStatus: 'Canceled' })]);
    expect(jira.server.requestsTo('GET', '/rest/api/2/search/jql').at(-1)!.query.get('jql')).toBe(
      `project = "ITSD" AND reporter = "${JIRA_USERS[1]!.accountId}" ORDER BY created DESC`,
    );
  });

  it('adds the requester comment as a public request comment; JSM errors surface as TicketError', async () => {
    const packet = makePacket();
    const ref = await provider.create(packet, { idempotencyKey: packet.id, attempt: 1 });
    jira.server.requests.length = 0;

    await provider.addComment(ref, { text: 'Still down, password is [REDACTED]', author: 'Léa Martin' });

    expect(jira.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`POST /rest/servicedeskapi/request/${ref.id}/comment`]);
    const post = jira.server.requests[0]!;
    expect(post.headers['content-type']).toBe('application/json');
    expect(post.json).toEqual({ body: 'Léa Martin: Still down, password is [REDACTED]', public: true });
    expect(jira.comments.filter((c) => c.issueId === ref.id)).toEqual([
      { issueId: ref.id, body: 'Léa Martin: Still down, password is [REDACTED]', public: true, author: JIRA_BOT_ACCOUNT },
    ]);

    jira.server.failNext({ status: 403, body: { errorMessage: 'You do not have permission to add comments to this request.', i18nErrorMessage: { i18nKey: 'sd.comment.error', parameters: [] } } });
    const err = await provider.addComment(ref, { text: 'again', author: 'Léa Martin' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TicketError);
    expect(err).toMatchObject({ httpStatus: 403, retryable: false });
    expect((err as TicketError).message).toContain('You do not have permission to add comments');
    const missing = await provider.addComment({ ...ref, id: '99999' }, { text: 'x', author: 'L' }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ name: 'TicketError', httpStatus: 404 });
  });

  errorContract(() => ({
    provider,
    badProvider: new JiraProvider({ config: { ...config, auth: { type: 'basic', email: JIRA_CREDENTIALS.email, apiToken: 'bad-token-value' } }, timeoutMs: TIMEOUT }),
    server: jira.server,
    isCreate: (r) => r.method === 'POST' && r.path === '/rest/servicedeskapi/request',
    unauthorizedText: 'Client must be authenticated to access this resource.',
    badRequestBody: { errorMessage: 'Summary: You must specify a summary of the issue.', i18nErrorMessage: { i18nKey: 'sd.error', parameters: [] } },
    badRequestText: 'Summary: You must specify a summary of the issue.',
    timeoutMs: TIMEOUT,
    secrets: ['bad-token-value', JIRA_CREDENTIALS.apiToken, Buffer.from(`${JIRA_CREDENTIALS.email}:bad-token-value`).toString('base64')],
  }));
});
