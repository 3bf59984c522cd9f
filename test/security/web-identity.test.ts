import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../src/engine/i18n.js';
import { makePacket } from '../tickets/fixtures/packet.js';
import { startTestApp, type TestApp } from '../server/start.js';
import { sqliteDb } from '../helpers/sqlite-handle.js';

/**
 * Finding High 2: identity on the web chat was whatever the client said. `/api/chat` took `user.id`
 * from the body, ticket ownership matched on that id alone across channels, and the rate limit
 * was keyed on it. Now the server issues the identity (a signed HttpOnly session, an OIDC sign-in
 * or a trusted proxy's headers), ownership is (channel, verified id), and limits count per
 * identity, per client address and per ticket. Each case below failed on the old code.
 */

const id = (): string => randomUUID().replace(/-/g, '');
const SLACK_VICTIM = 'U024BE7LH';
const t = translator();

/** One browser: keeps the cookies the server sets, as a real one would. */
class Browser {
  cookie?: string;
  constructor(private readonly base: string) {}

  async post(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ status: number; json: any; text: string; setCookie: string[] }> {
    const res = await fetch(`${this.base}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.cookie ? { cookie: this.cookie } : {}), ...headers },
      body: JSON.stringify(body),
    });
    const setCookie = res.headers.getSetCookie();
    const session = setCookie.map((c) => c.split(';')[0]!).find((c) => c.startsWith('hd_web='));
    if (session) this.cookie = session;
    const json = (await res.json().catch(() => undefined)) as any;
    return { status: res.status, json, text: JSON.stringify(json?.replies ?? json), setCookie };
  }

  events(conversationId: string): Promise<Response> {
    return fetch(`${this.base}/api/chat/events?conversationId=${conversationId}`, { headers: this.cookie ? { cookie: this.cookie } : {} });
  }
}

/** Asks for a technician and confirms, answering the contact questions when the bot asks them. */
async function openTicket(b: Browser, conversationId: string, claimedId = id()): Promise<string> {
  const user = { id: claimedId };
  const offer = await b.post({ conversationId, user, text: 'I want to talk to a technician' });
  const yes = offer.json.replies.flatMap((m: any) => m.parts).find((p: any) => p.kind === 'choices').choices.find((c: any) => c.value.a === 'escalate' && c.value.v === 'yes');
  let reply = await b.post({ conversationId, user, action: { payload: yes.value } });
  if (reply.text.includes(t.t('en', 'dialogue.escalation.contact.ask_name'))) reply = await b.post({ conversationId, user, text: 'Camille Dubois' });
  if (reply.text.includes(t.t('en', 'dialogue.escalation.contact.ask_email'))) reply = await b.post({ conversationId, user, text: 'camille.dubois@example.org' });
  return reply.text;
}

async function waitForTicket(app: TestApp, where: string, value: string): Promise<{ number: string; requester_id: string; requester_name: string | null; requester_email: string | null }> {
  for (let i = 0; i < 200; i++) {
    const row = sqliteDb(app.app).prepare(`SELECT number, requester_id, requester_name, requester_email FROM local_tickets WHERE ${where} = ? ORDER BY created_at DESC`).get(value) as any;
    if (row) return row;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ticket with ${where} = ${value}`);
}

describe('security: web chat identity (High 2)', () => {
  let server: TestApp;
  let victimTicket: string;

  beforeAll(async () => {
    server = await startTestApp({ TICKET_RATE_LIMIT_BURST: '3' });
    // A Slack user's ticket; Slack user ids are visible to the whole workspace.
    await server.app.outbox.submit(makePacket({ user: { id: SLACK_VICTIM, name: 'Sam Victim', email: 'sam.victim@example.org' }, channel: 'slack', conversationId: 'D0VICTIM' }));
    victimTicket = (await waitForTicket(server, 'requester_id', SLACK_VICTIM)).number;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('a web client claiming a Slack user id reads none of that user\'s tickets', async () => {
    const attacker = new Browser(server.url);
    const conversationId = id();
    const mine = await attacker.post({ conversationId, user: { id: SLACK_VICTIM }, text: 'my tickets' });
    expect(mine.status).toBe(200);
    expect(mine.text).not.toContain(victimTicket);
    const status = await attacker.post({ conversationId, user: { id: SLACK_VICTIM }, text: `status ${victimTicket}` });
    // The polite "none of yours" answer, not the ticket's state.
    expect(status.text).toContain("I can only show the status of tickets opened for you");
    expect(status.text).not.toContain(t.t('en', 'dialogue.status.state.new').slice(0, 20));
    // The conversation is stored under the server's identity, not the claimed one.
    const stored = await server.app.store.findConversation({ channel: 'web', conversationId });
    expect(stored?.user.id).toMatch(/^anon:/);
    expect(stored?.user.id).not.toBe(SLACK_VICTIM);
  });

  it('issues a signed, HttpOnly, SameSite=Lax session cookie, and a forged one is replaced', async () => {
    const b = new Browser(server.url);
    const first = await b.post({ conversationId: id(), text: 'hello' });
    const cookie = first.setCookie.find((c) => c.startsWith('hd_web='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i); // PUBLIC_URL is not https here
    const again = await b.post({ conversationId: id(), text: 'hello' });
    expect(again.setCookie.some((c) => c.startsWith('hd_web='))).toBe(false);
    // Tampered payload: the signature no longer matches, so the server starts a fresh session.
    const [value] = b.cookie!.slice('hd_web='.length).split('.');
    const forged = Buffer.from(JSON.stringify({ p: 'session', x: Date.now() + 1e9, v: { id: SLACK_VICTIM, provider: 'anonymous' } })).toString('base64url');
    const tampered = await b.post({ conversationId: id(), text: 'hello' }, { cookie: `hd_web=${forged}.${value}` });
    expect(tampered.setCookie.some((c) => c.startsWith('hd_web='))).toBe(true);
  });

  it('asks an anonymous user for a name and contact address; they become the requester', async () => {
    const b = new Browser(server.url);
    const conversationId = id();
    const user = { id: id() };
    const offer = await b.post({ conversationId, user, text: 'I want to talk to a technician' });
    const yes = offer.json.replies.flatMap((m: any) => m.parts).find((p: any) => p.kind === 'choices').choices.find((c: any) => c.value.a === 'escalate' && c.value.v === 'yes');
    const askName = await b.post({ conversationId, user, action: { payload: yes.value } });
    expect(askName.text).toContain(t.t('en', 'dialogue.escalation.contact.ask_name'));
    const askEmail = await b.post({ conversationId, user, text: 'Camille Dubois' });
    expect(askEmail.text).toContain(t.t('en', 'dialogue.escalation.contact.ask_email'));
    const notAnEmail = await b.post({ conversationId, user, text: 'tomorrow' });
    expect(notAnEmail.text).toContain(t.t('en', 'dialogue.escalation.contact.invalid_email').slice(0, 30));
    const opening = await b.post({ conversationId, user, text: 'you can write to camille.dubois@example.org' });
    expect(opening.json.replies[0].parts[0]).toMatchObject({ kind: 'ticket', state: 'opening' });
    const row = await waitForTicket(server, 'requester_email', 'camille.dubois@example.org');
    expect(row.requester_name).toBe('Camille Dubois');
    expect(row.requester_id).toMatch(/^anon:/);
  });

  it('a typed contact address never unlocks the tickets of whoever owns it', async () => {
    const b = new Browser(server.url);
    const conversationId = id();
    await openTicket(b, conversationId);
    // The same browser typed the victim's address as its contact: still not the victim.
    const other = new Browser(server.url);
    const c2 = id();
    const offer = await other.post({ conversationId: c2, text: 'I want to talk to a technician' });
    const yes = offer.json.replies.flatMap((m: any) => m.parts).find((p: any) => p.kind === 'choices').choices.find((c: any) => c.value.a === 'escalate' && c.value.v === 'yes');
    await other.post({ conversationId: c2, action: { payload: yes.value } });
    await other.post({ conversationId: c2, text: 'Sam Victim' });
    await other.post({ conversationId: c2, text: 'sam.victim@example.org' });
    const mine = await other.post({ conversationId: c2, text: 'my tickets' });
    expect(mine.text).not.toContain(victimTicket);
  });

  it('a new tab of the same browser (same session, new conversation, new claimed id) sees its own tickets', async () => {
    const b = new Browser(server.url);
    const conversationId = id();
    await openTicket(b, conversationId);
    const session = b.cookie;
    // This conversation's ticket, once the outbox has delivered it (other tests open tickets with the same contact).
    let number = '';
    for (let i = 0; i < 200 && !number; i++) {
      number = (await server.app.outbox.deliveredItems()).find((item) => item.packet.conversationId === conversationId)?.ticket?.number ?? '';
      if (!number) await new Promise((r) => setTimeout(r, 50));
    }
    expect(number).not.toBe('');
    expect(b.cookie).toBe(session);
    const row = sqliteDb(server.app).prepare('SELECT requester_id FROM local_tickets WHERE number = ?').get(number) as { requester_id: string };
    expect(row.requester_id).toMatch(/^anon:/);
    // One question from the new tab (asking in a loop would run into the rate limits the next tests measure).
    const tab = await b.post({ conversationId: id(), user: { id: id() }, text: 'my tickets' });
    expect(tab.text).toContain(number);
  });

  it('only the identity that started a conversation may continue it or listen to its events', async () => {
    const owner = new Browser(server.url);
    const conversationId = id();
    expect((await owner.post({ conversationId, text: 'my vpn does not connect' })).status).toBe(200);
    const own = await owner.events(conversationId);
    expect(own.status).toBe(200);
    await own.body?.cancel();

    const intruder = new Browser(server.url);
    await intruder.post({ conversationId: id(), text: 'hello' });
    const stream = await intruder.events(conversationId);
    expect(stream.status).toBe(403);
    await stream.body?.cancel();
    const post = await intruder.post({ conversationId, text: 'what did you say before?' });
    expect(post.status).toBe(403);
  });

  it('rate-limits per session, whatever id the body claims', async () => {
    const b = new Browser(server.url);
    const conversationId = id();
    const limited: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await b.post({ conversationId, user: { id: id() }, text: `question number ${i} about my printer` });
      if (r.text.includes(t.t('en', 'limits.rate_limited', { seconds: 1 }).slice(0, 30))) limited.push(i);
    }
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]).toBe(10); // RATE_LIMIT_BURST defaults to 10
  });

  it('limits ticket creation on its own', async () => {
    const b = new Browser(server.url);
    const conversationId = id();
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) outcomes.push(await openTicket(b, conversationId));
    expect(outcomes.slice(0, 3).every((o) => o.includes('"state":"opening"'))).toBe(true);
    expect(outcomes[3]).not.toContain('"state":"opening"');
    expect(outcomes[3]).toContain(t.t('en', 'dialogue.escalation.rate_limited', { minutes: 10 }).slice(0, 40));
  });
});

describe('security: web chat rate limit per client address (High 2)', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startTestApp({ RATE_LIMIT_ADDRESS_BURST: '5', RATE_LIMIT_ADDRESS_PER_MINUTE: '1' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('a client dropping its cookie and claiming a new id per message is still limited by its address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await new Browser(server.url).post({ conversationId: id(), user: { id: id() }, text: 'hello' })).status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
  });
});

describe('security: WEB_AUTH=proxy (High 2)', () => {
  it('believes the identity headers only from the configured proxy addresses', async () => {
    const trusted = await startTestApp({ WEB_AUTH: 'proxy', WEB_AUTH_PROXY_ADDRESSES: '127.0.0.1, ::1' });
    const untrusted = await startTestApp({ WEB_AUTH: 'proxy', WEB_AUTH_PROXY_ADDRESSES: '10.0.0.1' });
    try {
      const headers = { 'X-Forwarded-User': 'alice', 'X-Forwarded-Email': 'alice@example.org', 'X-Forwarded-Preferred-Username': 'Alice Martin' };
      const conversationId = id();
      const ok = await new Browser(trusted.url).post({ conversationId, user: { id: SLACK_VICTIM }, text: 'hello' }, headers);
      expect(ok.status).toBe(200);
      const stored = await trusted.app.store.findConversation({ channel: 'web', conversationId });
      expect(stored?.user).toMatchObject({ id: 'proxy:alice', email: 'alice@example.org', name: 'Alice Martin' });
      expect((await new Browser(trusted.url).post({ conversationId: id(), text: 'hello' })).status).toBe(401);
      expect((await new Browser(untrusted.url).post({ conversationId: id(), text: 'hello' }, headers)).status).toBe(401);
    } finally {
      await trusted.stop();
      await untrusted.stop();
    }
  });
});
