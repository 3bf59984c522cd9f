import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ServiceNowProvider } from '../../src/tickets/servicenow.js';
import { TicketError } from '../../src/engine/ports/tickets.js';
import type { ProviderConfig } from '../../src/config/sections/tickets.js';
import { createServiceNowServer, SN_CREDENTIALS, SN_OAUTH } from './servers/servicenow.js';
import { errorContract } from './contract.js';
import { makePacket } from './fixtures/packet.js';

const TIMEOUT = 800;

describe('ServiceNow provider (Table API contract)', () => {
  let sn: ReturnType<typeof createServiceNowServer>;
  let config: ProviderConfig<'servicenow'>;
  let provider: ServiceNowProvider;

  beforeAll(async () => {
    sn = createServiceNowServer();
    await sn.server.start();
  });
  afterAll(() => sn.server.stop());
  beforeEach(() => {
    sn.server.requests.length = 0;
    config = {
      kind: 'servicenow',
      instanceUrl: sn.server.url,
      auth: { type: 'basic', ...SN_CREDENTIALS },
      assignmentGroup: '287ebd7da9fe198100f92cc8d1d2154e',
      defaultCategory: 'inquiry',
    };
    provider = new ServiceNowProvider({ config, timeoutMs: TIMEOUT });
  });

  it('creates an incident with the documented request shape', async () => {
    const packet = makePacket();
    const ref = await provider.create(packet, { idempotencyKey: packet.id, attempt: 1 });

    expect(ref).toMatchObject({ provider: 'servicenow', number: expect.stringMatching(/^INC\d{7}$/) });
    expect(ref.url).toBe(`${sn.server.url}/incident.do?sys_id=${ref.id}`);
    // First attempt: no correlation lookup, one caller lookup, one insert.
    expect(sn.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/now/table/sys_user',
      'POST /api/now/table/incident',
    ]);
    const [lookup, post] = sn.server.requests;
    expect(lookup!.query.get('sysparm_query')).toBe('email=lea.martin@example.org^active=true');
    expect(lookup!.query.get('sysparm_limit')).toBe('1');
    expect(post!.headers.authorization).toBe(`Basic ${Buffer.from(`${SN_CREDENTIALS.username}:${SN_CREDENTIALS.password}`).toString('base64')}`);
    expect(post!.headers.accept).toBe('application/json');
    expect(post!.headers['content-type']).toBe('application/json');
    expect(post!.query.get('sysparm_fields')).toBe('sys_id,number');
    expect(post!.query.get('sysparm_exclude_reference_link')).toBe('true');

    const body = post!.json as Record<string, string>;
    expect(body).toMatchObject({
      short_description: packet.question,
      urgency: '1',
      impact: '2',
      category: 'network',
      caller_id: sn.users[0]!.sys_id,
      correlation_id: packet.id,
      correlation_display: 'helpdesk-bot',
      assignment_group: config.assignmentGroup,
    });
    expect(body.description).toContain('What was already tried');
    expect(body.description).toContain('Reinstall the VPN client [vpn-reinstall] (the user said it did not help)');
    expect(body.description).toContain('step check-network: yes');
    expect(body.description).toContain('No article matches a disconnect after an update.');
    expect(body.description).not.toContain('Did not help, my password'); // the transcript goes to the work note
    expect(body.work_notes).toContain('User: Did not help, my password is [REDACTED]');
    expect(body.work_notes).toContain(packet.id);
    expect(sn.incidents.at(-1)!.number).toBe(ref.number);
  });

  it('writes French headings for a French conversation and leaves caller empty for unknown users', async () => {
    const packet = makePacket({ lang: 'fr', user: { id: 'U9', email: 'nobody@example.org' }, category: undefined, priority: 'critical' });
    await provider.create(packet, { idempotencyKey: packet.id, attempt: 1 });
    const body = sn.server.requestsTo('POST', '/api/now/table/incident')[0]!.json as Record<string, string>;
    expect(body.description).toContain('Ce qui a déjà été essayé');
    expect(body.caller_id).toBeUndefined();
    expect(body).toMatchObject({ urgency: '1', impact: '1', category: 'inquiry' });
  });

  it('a retry finds the incident by correlation_id instead of creating a second one', async () => {
    const packet = makePacket();
    // The instance creates the incident but the answer never arrives.
    sn.server.failNext({ dropAfterHandling: true }, (r) => r.method === 'POST');
    const first = await provider.create(packet, { idempotencyKey: packet.id, attempt: 1 }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(TicketError);
    expect((first as TicketError).retryable).toBe(true);

    const before = sn.incidents.length;
    const again = await provider.create(packet, { idempotencyKey: packet.id, attempt: 2 });
    expect(sn.incidents.length).toBe(before);
    expect(again.number).toBe(sn.incidents.find((i) => i.correlation_id === packet.id)!.number);
    const lookup = sn.server.requestsTo('GET', '/api/now/table/incident').at(-1)!;
    expect(lookup.query.get('sysparm_query')).toBe(`correlation_id=${packet.id}`);
    expect(sn.incidents.filter((i) => i.correlation_id === packet.id)).toHaveLength(1);
  });

  it('authenticates with OAuth client credentials and reuses the token', async () => {
    const oauth = new ServiceNowProvider({ config: { ...config, auth: { type: 'oauth', ...SN_OAUTH } }, timeoutMs: TIMEOUT });
    const p1 = makePacket();
    await oauth.create(p1, { idempotencyKey: p1.id, attempt: 1 });
    await oauth.status((await oauth.create(makePacket(), { idempotencyKey: crypto.randomUUID(), attempt: 1 })).number);
    const tokenCalls = sn.server.requestsTo('POST', '/oauth_token.do');
    expect(tokenCalls).toHaveLength(1);
    expect(new URLSearchParams(tokenCalls[0]!.body).get('grant_type')).toBe('client_credentials');
    expect(sn.server.requestsTo('POST', '/api/now/table/incident').every((r) => r.headers.authorization?.startsWith('Bearer '))).toBe(true);
  });

  it('looks up status by number and by sys_id, and lists the requester incidents', async () => {
    const packet = makePacket();
    const ref = await provider.create(packet, { idempotencyKey: packet.id, attempt: 1 });
    const rec = sn.incidents.find((i) => i.sys_id === ref.id)!;
    rec.state = '2';
    rec.assigned_to = sn.users[0]!.sys_id;

    const byNumber = await provider.status(ref.number.toLowerCase());
    expect(byNumber).toMatchObject({ number: ref.number, id: ref.id, state: 'in_progress', rawStatus: 'In Progress', assignee: 'Léa Martin', title: packet.question });
    expect(byNumber!.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const numberQuery = sn.server.requestsTo('GET', '/api/now/table/incident').at(-1)!;
    expect(numberQuery.query.get('sysparm_query')).toBe(`number=${ref.number}`);
    expect(numberQuery.query.get('sysparm_display_value')).toBe('all');

    rec.state = '6';
    rec.close_notes = 'Reinstalled the VPN profile';
    expect(await provider.status(ref.id)).toMatchObject({ state: 'resolved', resolutionNotes: 'Reinstalled the VPN profile' });
    expect(await provider.status('INC9999999')).toBeUndefined();
    expect(await provider.status('0123456789abcdef0123456789abcdef')).toBeUndefined();
    expect(await provider.status('not a number')).toBeUndefined();

    const mine = await provider.listForRequester({ id: 'U123', email: 'lea.martin@example.org' });
    expect(mine.length).toBeGreaterThan(0);
    expect(mine[0]!.number).toBe(sn.incidents.filter((i) => i.caller_id === sn.users[0]!.sys_id).at(-1)!.number);
    expect(await provider.listForRequester({ id: 'U9' })).toEqual([]);
  });

  it('adds the requester comment as an additional comment (not a work note) and surfaces errors as TicketError', async () => {
    const packet = makePacket();
    const ref = await provider.create(packet, { idempotencyKey: packet.id, attempt: 1 });
    sn.server.requests.length = 0;

    await provider.addComment(ref, { text: 'Still down after the reboot, password is [REDACTED]', author: 'Léa Martin' });

    expect(sn.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /api/now/table/incident/${ref.id}`]);
    const patch = sn.server.requests[0]!;
    expect(patch.headers['content-type']).toBe('application/json');
    expect(patch.json).toEqual({ comments: 'Léa Martin: Still down after the reboot, password is [REDACTED]' });
    expect(sn.journal.filter((j) => j.element_id === ref.id)).toEqual([
      { element_id: ref.id, element: 'comments', value: 'Léa Martin: Still down after the reboot, password is [REDACTED]' },
    ]);

    sn.server.failNext({ status: 403, body: sn.snError('Operation Failed', 'ACL Exception Update Failed due to security constraints') });
    const err = await provider.addComment(ref, { text: 'again', author: 'Léa Martin' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TicketError);
    expect(err).toMatchObject({ httpStatus: 403, retryable: false });
    expect((err as TicketError).message).toContain('ACL Exception Update Failed');

    const missing = await provider.addComment({ ...ref, id: '0123456789abcdef0123456789abcdef' }, { text: 'x', author: 'L' }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ name: 'TicketError', httpStatus: 404 });
  });

  errorContract(() => ({
    provider,
    badProvider: new ServiceNowProvider({ config: { ...config, auth: { type: 'basic', username: SN_CREDENTIALS.username, password: 'wrong-password' } }, timeoutMs: TIMEOUT }),
    server: sn.server,
    isCreate: (r) => r.method === 'POST' && r.path === '/api/now/table/incident',
    unauthorizedText: 'User Not Authenticated — Required to provide Auth information',
    badRequestBody: sn.snError('Invalid value', 'urgency must be 1, 2 or 3'),
    badRequestText: 'Invalid value — urgency must be 1, 2 or 3',
    timeoutMs: TIMEOUT,
    secrets: ['wrong-password', SN_CREDENTIALS.password, Buffer.from(`${SN_CREDENTIALS.username}:wrong-password`).toString('base64')],
  }));
});
