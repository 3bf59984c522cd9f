import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ZendeskProvider } from '../../src/tickets/zendesk.js';
import { TicketError } from '../../src/engine/ports/tickets.js';
import type { ProviderConfig } from '../../src/config/sections/tickets.js';
import { createZendeskServer, zdInvalid, ZD_CREDENTIALS } from './servers/zendesk.js';
import { errorContract } from './contract.js';
import { makePacket } from './fixtures/packet.js';

const TIMEOUT = 800;

describe('Zendesk provider (Ticketing API contract)', () => {
  let zd: ReturnType<typeof createZendeskServer>;
  let config: ProviderConfig<'zendesk'>;
  let provider: ZendeskProvider;

  beforeAll(async () => {
    zd = createZendeskServer();
    await zd.server.start();
  });
  afterAll(() => zd.server.stop());
  beforeEach(() => {
    zd.server.requests.length = 0;
    config = { kind: 'zendesk', url: zd.server.url, ...ZD_CREDENTIALS, groupId: 360001, tags: ['helpdesk-bot', 'l0'] };
    provider = new ZendeskProvider({ config, timeoutMs: TIMEOUT });
  });

  it('creates a ticket with requester, public question, private context note and idempotency key', async () => {
    const packet = makePacket();
    const ref = await provider.create(packet, { idempotencyKey: packet.id, attempt: 1 });
    expect(ref).toMatchObject({ provider: 'zendesk', number: `#${ref.id}`, url: `${zd.server.url}/agent/tickets/${ref.id}` });

    expect(zd.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/v2/tickets', `PUT /api/v2/tickets/${ref.id}`]);
    const [post, put] = zd.server.requests;
    expect(post!.headers.authorization).toBe(`Basic ${Buffer.from(`${ZD_CREDENTIALS.email}/token:${ZD_CREDENTIALS.apiToken}`).toString('base64')}`);
    expect(post!.headers['idempotency-key']).toBe(packet.id);
    expect(post!.headers['content-type']).toBe('application/json');
    expect(post!.json).toEqual({
      ticket: {
        subject: packet.question,
        comment: { body: `${packet.question}\n\n${packet.userDetails}`, public: true },
        priority: 'high',
        type: 'incident',
        tags: ['helpdesk-bot', 'l0'],
        external_id: packet.id,
        requester: { name: 'Léa Martin', email: 'lea.martin@example.org' },
        group_id: 360001,
      },
    });
    const note = (put!.json as { ticket: { comment: { body: string; public: boolean } } }).ticket.comment;
    expect(note.public).toBe(false);
    expect(note.body).toContain('Conversation (redacted)');
    expect(note.body).toContain('Decision: escalate, confidence 31%');
    expect(note.body).toContain(packet.id);

    const stored = zd.tickets.find((t) => String(t.id) === ref.id)!;
    expect(stored.comments.map((c) => c.public)).toEqual([true, false]);
  });

  it('a retry after a lost answer finds the ticket by external_id and adds only the missing note', async () => {
    const packet = makePacket();
    // The ticket is created, then the connection drops before the private note is written.
    zd.server.failNext({ dropAfterHandling: true }, (r) => r.method === 'POST');
    await expect(provider.create(packet, { idempotencyKey: packet.id, attempt: 1 })).rejects.toMatchObject({ retryable: true });
    const created = zd.tickets.filter((t) => t.external_id === packet.id);
    expect(created).toHaveLength(1);
    expect(created[0]!.comments).toHaveLength(1);

    const ref = await provider.create(packet, { idempotencyKey: packet.id, attempt: 2 });
    expect(ref.id).toBe(String(created[0]!.id));
    expect(zd.tickets.filter((t) => t.external_id === packet.id)).toHaveLength(1);
    expect(created[0]!.comments.map((c) => c.public)).toEqual([true, false]);
    const lookup = zd.server.requestsTo('GET', '/api/v2/tickets').at(-1)!;
    expect(lookup.query.get('external_id')).toBe(packet.id);

    // A third attempt (say the process died before recording success) changes nothing.
    await provider.create(packet, { idempotencyKey: packet.id, attempt: 3 });
    expect(created[0]!.comments).toHaveLength(2);
  });

  it('a replayed Idempotency-Key response does not duplicate the note', async () => {
    const packet = makePacket({ user: { id: 'U5', email: 'max@example.org', name: 'Max' } });
    await provider.create(packet, { idempotencyKey: packet.id, attempt: 1 });
    // Same key sent again without the external_id lookup (first-attempt path): Zendesk replays.
    await provider.create(packet, { idempotencyKey: packet.id, attempt: 1 });
    const t = zd.tickets.filter((x) => x.external_id === packet.id);
    expect(t).toHaveLength(1);
    expect(t[0]!.comments).toHaveLength(2);
  });

  it('looks up status with the assignee and lists the requester tickets newest first', async () => {
    const packet = makePacket({ user: { id: 'U7', email: 'ana@example.org', name: 'Ana' } });
    const ref = await provider.create(packet, { idempotencyKey: packet.id, attempt: 1 });
    const t = zd.tickets.find((x) => String(x.id) === ref.id)!;
    t.status = 'open';
    t.assignee_id = 9001;
    expect(await provider.status(ref.number)).toMatchObject({ number: ref.number, state: 'in_progress', rawStatus: 'open', assignee: 'Sam Agent', title: packet.question });
    expect(zd.server.requestsTo('GET', `/api/v2/tickets/${ref.id}`).at(-1)!.query.get('include')).toBe('users');
    t.status = 'solved';
    expect(await provider.status(`Zendesk #${ref.id}`)).toMatchObject({ state: 'resolved' });
    expect(await provider.status('999999')).toBeUndefined();
    expect(await provider.status('INC0001')).toBeUndefined();

    const second = makePacket({ user: packet.user });
    await provider.create(second, { idempotencyKey: second.id, attempt: 1 });
    const list = await provider.listForRequester({ id: 'U7', email: 'ana@example.org' });
    expect(list.map((x) => x.title)).toHaveLength(2);
    const search = zd.server.requestsTo('GET', '/api/v2/search').at(-1)!;
    expect(search.query.get('query')).toBe('type:ticket requester:ana@example.org');
    expect(search.query.get('sort_order')).toBe('desc');
  });

  it('adds the requester comment as a public comment authored by the requester; errors are TicketError', async () => {
    const packet = makePacket();
    const ref = await provider.create(packet, { idempotencyKey: packet.id, attempt: 1 });
    const requesterId = zd.tickets.find((t) => String(t.id) === ref.id)!.requester_id!;
    expect(requesterId).toEqual(expect.any(Number));
    zd.server.requests.length = 0;

    await provider.addComment(ref, { text: 'Still down, my password is [REDACTED]', author: 'Léa Martin' });

    expect(zd.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /api/v2/tickets/${ref.id}`, `PUT /api/v2/tickets/${ref.id}`]);
    expect(zd.server.requests[1]!.json).toEqual({ ticket: { comment: { body: 'Still down, my password is [REDACTED]', public: true, author_id: requesterId } } });
    expect(zd.tickets.find((t) => String(t.id) === ref.id)!.comments.at(-1)).toEqual({ body: 'Still down, my password is [REDACTED]', public: true, author_id: requesterId });

    // A ticket without a requester: no author_id, the name leads the text.
    const anon = makePacket({ user: { id: 'U9' } });
    const anonRef = await provider.create(anon, { idempotencyKey: anon.id, attempt: 1 });
    zd.server.requests.length = 0;
    await provider.addComment(anonRef, { text: 'hello', author: 'U9' });
    expect(zd.server.requests.at(-1)!.json).toEqual({ ticket: { comment: { body: 'U9: hello', public: true } } });

    zd.server.failNext({ status: 422, body: zdInvalid('comment', 'Comment: is too long') }, (r) => r.method === 'PUT');
    const err = await provider.addComment(ref, { text: 'again', author: 'Léa Martin' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TicketError);
    expect(err).toMatchObject({ httpStatus: 422, retryable: false });
    expect((err as TicketError).message).toContain('comment: Comment: is too long');
    const missing = await provider.addComment({ ...ref, id: '999999' }, { text: 'x', author: 'L' }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ name: 'TicketError', httpStatus: 404 });
  });

  errorContract(() => ({
    provider,
    badProvider: new ZendeskProvider({ config: { ...config, apiToken: 'not-the-token' }, timeoutMs: TIMEOUT }),
    server: zd.server,
    isCreate: (r) => r.method === 'POST' && r.path === '/api/v2/tickets',
    unauthorizedText: "Couldn't authenticate you",
    badRequestBody: zdInvalid('requester', 'Requester: Email is not properly formatted'),
    badRequestText: 'RecordInvalid — Record validation errors — requester: Requester: Email is not properly formatted',
    timeoutMs: TIMEOUT,
    secrets: ['not-the-token', ZD_CREDENTIALS.apiToken, Buffer.from(`${ZD_CREDENTIALS.email}/token:not-the-token`).toString('base64')],
  }));
});
