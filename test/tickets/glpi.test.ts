import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GlpiProvider } from '../../src/tickets/glpi.js';
import { TicketError } from '../../src/engine/ports/tickets.js';
import type { ProviderConfig } from '../../src/config/sections/tickets.js';
import { createGlpiServer, GLPI_TOKENS } from './servers/glpi.js';
import { errorContract } from './contract.js';
import { makePacket } from './fixtures/packet.js';

const TIMEOUT = 800;

describe('GLPI provider (apirest.php contract)', () => {
  let glpi: ReturnType<typeof createGlpiServer>;
  let config: ProviderConfig<'glpi'>;
  let provider: GlpiProvider;

  beforeAll(async () => {
    glpi = createGlpiServer();
    await glpi.server.start();
  });
  afterAll(() => glpi.server.stop());
  beforeEach(() => {
    glpi.server.requests.length = 0;
    config = { kind: 'glpi', apiUrl: `${glpi.server.url}/apirest.php`, ...GLPI_TOKENS, entityId: 3, categoryId: 12 };
    provider = new GlpiProvider({ config, timeoutMs: TIMEOUT });
  });

  it('opens a session, creates the ticket and the private transcript followup, then kills the session', async () => {
    const packet = makePacket({ lang: 'fr' });
    const ref = await provider.create(packet, { idempotencyKey: packet.id, attempt: 1 });
    expect(ref).toMatchObject({ provider: 'glpi', number: `GLPI #${ref.id}`, url: `${glpi.server.url}/front/ticket.form.php?id=${ref.id}` });

    expect(glpi.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /apirest.php/initSession',
      'GET /apirest.php/search/User/',
      'POST /apirest.php/Ticket',
      'POST /apirest.php/ITILFollowup',
      'GET /apirest.php/killSession',
    ]);
    const [init, search, post, followup, kill] = glpi.server.requests;
    expect(init!.headers.authorization).toBe(`user_token ${GLPI_TOKENS.userToken}`);
    expect(glpi.server.requests.every((r) => r.headers['app-token'] === GLPI_TOKENS.appToken)).toBe(true);
    const session = post!.headers['session-token'];
    expect(session).toBeTruthy();
    expect([search, followup, kill].every((r) => r!.headers['session-token'] === session)).toBe(true);
    expect(glpi.killed).toContain(session);
    expect(search!.query.get('criteria[0][value]')).toBe('^lea.martin@example.org$');

    const input = (post!.json as { input: Record<string, unknown> }).input;
    expect(input).toMatchObject({
      name: packet.question,
      urgency: 4,
      impact: 4,
      priority: 4,
      type: 1,
      externalid: packet.id,
      entities_id: 3,
      itilcategories_id: 12,
      _users_id_requester: 7,
    });
    expect(input.content).toContain('<h3>Ce qui a déjà été essayé</h3>');
    expect(input.content).toContain('<li>Articles proposés: Reinstall the VPN client [vpn-reinstall] (l&#39;utilisateur indique que cela n&#39;a pas aidé)</li>');
    expect(input.content).not.toContain('my password');
    const f = (followup!.json as { input: Record<string, unknown> }).input;
    expect(f).toMatchObject({ itemtype: 'Ticket', items_id: Number(ref.id), is_private: 1 });
    expect(f.content).toContain('Utilisateur: Did not help, my password is [REDACTED]');
  });

  it('notifies a requester without a GLPI account by e-mail', async () => {
    const packet = makePacket({ user: { id: 'U2', email: 'guest@example.org' } });
    await provider.create(packet, { idempotencyKey: packet.id, attempt: 1 });
    const input = (glpi.server.requestsTo('POST', '/apirest.php/Ticket')[0]!.json as { input: Record<string, unknown> }).input;
    expect(input._users_id_requester).toBeUndefined();
    expect(input._users_id_requester_notif).toEqual({ use_notification: [1], alternative_email: ['guest@example.org'] });
  });

  it('a retry finds the ticket by externalid and adds the followup the first attempt missed', async () => {
    const packet = makePacket();
    glpi.server.failNext({ status: 500, body: ['ERROR_SQL', 'SQL error'] }, (r) => r.path === '/apirest.php/ITILFollowup');
    await expect(provider.create(packet, { idempotencyKey: packet.id, attempt: 1 })).rejects.toMatchObject({ retryable: true });
    const made = glpi.tickets.filter((t) => t.externalid === packet.id);
    expect(made).toHaveLength(1);
    expect(glpi.followups.filter((f) => f.items_id === made[0]!.id)).toHaveLength(0);
    // The session was still closed after the failure.
    expect(glpi.server.requests.at(-1)!.path).toBe('/apirest.php/killSession');

    const ref = await provider.create(packet, { idempotencyKey: packet.id, attempt: 2 });
    expect(ref.id).toBe(String(made[0]!.id));
    expect(glpi.tickets.filter((t) => t.externalid === packet.id)).toHaveLength(1);
    expect(glpi.followups.filter((f) => f.items_id === made[0]!.id)).toHaveLength(1);
    expect(glpi.server.requestsTo('GET', '/apirest.php/Ticket/').at(-1)!.query.get('searchText[externalid]')).toBe(packet.id);

    await provider.create(packet, { idempotencyKey: packet.id, attempt: 3 });
    expect(glpi.followups.filter((f) => f.items_id === made[0]!.id)).toHaveLength(1);
  });

  it('reads status and the requester list', async () => {
    const packet = makePacket();
    const ref = await provider.create(packet, { idempotencyKey: packet.id, attempt: 1 });
    glpi.tickets.find((t) => String(t.id) === ref.id)!.status = 4;
    expect(await provider.status(ref.number)).toMatchObject({ id: ref.id, state: 'on_hold', rawStatus: 'Pending', title: packet.question });
    expect(await provider.status(`#${ref.id}`)).toMatchObject({ state: 'on_hold' });
    expect(await provider.status('99999')).toBeUndefined();
    expect(await provider.status('HD-000001')).toBeUndefined();
    const list = await provider.listForRequester({ id: 'U123', email: 'lea.martin@example.org' });
    expect(list.map((s) => s.id)).toContain(ref.id);
    expect(list.find((s) => s.id === ref.id)).toMatchObject({ state: 'on_hold', title: packet.question });
    expect(await provider.listForRequester({ id: 'x', email: 'unknown@example.org' })).toEqual([]);
  });

  it('adds the requester comment as a public ITILFollowup in one session; GLPI errors surface as TicketError', async () => {
    const packet = makePacket();
    const ref = await provider.create(packet, { idempotencyKey: packet.id, attempt: 1 });
    glpi.server.requests.length = 0;

    await provider.addComment(ref, { text: 'Still <down>\nmy password is [REDACTED]', author: 'Léa Martin' });

    expect(glpi.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /apirest.php/initSession',
      'POST /apirest.php/ITILFollowup',
      'GET /apirest.php/killSession',
    ]);
    const post = glpi.server.requests[1]!;
    expect(post.headers['session-token']).toBeTruthy();
    expect(post.headers['content-type']).toBe('application/json');
    const content = 'Léa Martin: Still &#60;down&#62;<br>my password is [REDACTED]';
    expect(post.json).toEqual({ input: { itemtype: 'Ticket', items_id: Number(ref.id), content, is_private: 0 } });
    expect(glpi.followups.at(-1)).toMatchObject({ items_id: Number(ref.id), content, is_private: 0 });

    const err = await provider.addComment({ ...ref, id: '999999' }, { text: 'x', author: 'L' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TicketError);
    expect(err).toMatchObject({ httpStatus: 400, retryable: false });
    expect((err as TicketError).message).toContain('ERROR_GLPI_ADD: You cannot add this followup');
    expect(glpi.server.requests.at(-1)!.path).toBe('/apirest.php/killSession');
  });

  errorContract(() => ({
    provider,
    badProvider: new GlpiProvider({ config: { ...config, userToken: 'wrong-user-token' }, timeoutMs: TIMEOUT }),
    server: glpi.server,
    isCreate: (r) => r.method === 'POST' && r.path === '/apirest.php/Ticket',
    unauthorizedText: 'ERROR_GLPI_LOGIN_USER_TOKEN: parameter user_token seems invalid',
    badRequestBody: ['ERROR_GLPI_ADD', 'You do not have permission to perform this action.'],
    badRequestText: 'ERROR_GLPI_ADD: You do not have permission to perform this action.',
    timeoutMs: TIMEOUT,
    secrets: ['wrong-user-token', GLPI_TOKENS.userToken, GLPI_TOKENS.appToken],
  }));
});
