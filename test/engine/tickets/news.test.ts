import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerContact } from '../../helpers/web-contact.js';
import { openDatabase } from '../../../src/storage/sqlite/database.js';
import { SqliteTicketStore as TicketStore } from '../../../src/storage/sqlite/ticket-store.js';
import { signedHeaders } from '../../../src/tickets/signature.js';
import { SqliteTicketNewsStore } from '../../../src/storage/sqlite/ticket-news-store.js';
import { newsMessageId } from '../../../src/engine/tickets/news.js';
import { normaliseState } from '../../../src/tickets/states.js';
import { openEvents } from '../../helpers/sse.js';
import { postJson, startTestApp, type TestApp } from '../../server/start.js';
import { sqliteDb } from '../../helpers/sqlite-handle.js';

/**
 * Ticket news on the real server: status changes reach the user who asked, in their conversation
 * and language, from the local provider's change feed (cursor kept across restarts) and from the
 * signed POST /api/tickets/events; resolutions with notes become one draft article per ticket;
 * "status of …" answers only the requester.
 */

const EVENTS_SECRET = 'e'.repeat(16) + '0123456789abcdef0123';
const id = (): string => randomUUID().replace(/-/g, '');

interface WebUser {
  conversationId: string;
  user: { id: string; name: string };
}

const newUser = (name = 'Léa Martin'): WebUser => ({ conversationId: id(), user: { id: id(), name } });
const chat = (app: TestApp, w: WebUser, body: Record<string, unknown>) => postJson(`${app.url}/api/chat`, { ...w, ...body });
const said = (replies: unknown): string => JSON.stringify(replies);

/** Asks for a technician and confirms; resolves once the ticket is delivered, with its number. */
async function escalate(app: TestApp, w: WebUser, text: string): Promise<string> {
  const offer = await chat(app, w, { text });
  const yes = offer.json.replies.flatMap((m: any) => m.parts).find((p: any) => p.kind === 'choices').choices.find((c: any) => c.value.v === 'yes');
  await answerContact(await chat(app, w, { action: { payload: yes.value } }), (text) => chat(app, w, { text }), { name: w.user.name, email: 'lea.martin@example.org' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const item = (await app.app.outbox.deliveredItems()).find((i) => i.packet.conversationId === w.conversationId);
    if (item?.ticket) return item.ticket.number;
    if (Date.now() > deadline) throw new Error('ticket not delivered');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function botTexts(app: TestApp, w: WebUser): Promise<string[]> {
  const conversation = await app.app.store.findConversation({ channel: 'web', conversationId: w.conversationId });
  return (await app.app.store.transcript(conversation!.id)).filter((t) => t.direction === 'out').map((t) => t.text);
}

describe('ticket news from the local provider', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ticket-news-'));
  let server: TestApp;
  const w = newUser();
  let number: string;

  beforeAll(async () => {
    server = await startTestApp({ DATA_DIR: dataDir });
    number = await escalate(server, w, 'I need to talk to a technician about my badge reader');
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('tells the requester each status change in their conversation, and proposes one draft per resolved ticket', async () => {
    const events = await openEvents(`${server.url}/api/chat/events?conversationId=${w.conversationId}`);
    try {
      const tickets = new TicketStore(sqliteDb(server.app));
      await tickets.assign(number, 'Sam Tech', { actor: 'Sam Tech' });
      await server.app.sweep();
      await events.waitFor((e) => e.some((m) => said(m.data).includes('it is now in progress')));
      await tickets.resolve(number, 'Reinstalled the badge reader driver and re-enrolled the badge.', { actor: 'Sam Tech' });
      await server.app.sweep();
      await events.waitFor((e) => e.some((m) => said(m.data).includes('it is now resolved')));
      const resolved = events.events.find((m) => said(m.data).includes('it is now resolved'))!;
      expect(said(resolved.data)).toContain('Reinstalled the badge reader driver');

      const drafts = await server.app.drafts.list();
      expect(drafts).toHaveLength(1);
      expect(drafts[0]).toMatchObject({ lang: 'en', source: { provider: 'local', ticketNumber: number } });
      expect(JSON.stringify(drafts[0])).toContain('badge reader');
      expect(drafts[0]?.body).toContain('Reinstalled the badge reader driver');

      // Reopened and resolved again: the user hears it, the draft stays the one technicians may be editing.
      await tickets.setState(number, 'in_progress');
      await tickets.resolve(number, 'Something else entirely.');
      await server.app.sweep();
      await events.waitFor((e) => e.filter((m) => said(m.data).includes('it is now resolved')).length === 2);
      const after = await server.app.drafts.list();
      expect(after).toHaveLength(1);
      expect(after[0]?.body).not.toContain('Something else entirely');
    } finally {
      events.close();
    }
  });

  it('a restart neither loses a change made while the bot was down nor repeats one already told', async () => {
    const told = async (app: TestApp) => (await botTexts(app, w)).filter((t) => t.includes(`ticket **${number}**`));
    const before = await told(server);
    await server.app.close();
    const db = openDatabase(join(dataDir, 'helpdesk.db'));
    new TicketStore(db).setState(number, 'closed', { actor: 'night shift' });
    db.close();
    server = await startTestApp({ DATA_DIR: dataDir });
    const deadline = Date.now() + 10_000;
    while ((await told(server)).length === before.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const afterRestart = await told(server);
    expect(afterRestart).toHaveLength(before.length + 1);
    expect(afterRestart.at(-1)).toContain('it is now closed');
    await server.app.close();
    server = await startTestApp({ DATA_DIR: dataDir });
    await server.app.sweep();
    expect(await told(server)).toEqual(afterRestart);
  });

  it('a news claimed by a replica that died before telling it is taken over once stale, under that claim\'s message id', async () => {
    const db = sqliteDb(server.app);
    const news = new SqliteTicketNewsStore(db);
    const since = new Date(Date.now() - 5 * 60_000).toISOString();
    // The replica that died: the change claimed five minutes ago, never told.
    expect(await news.claimState('local', number, 'on_hold', since)).toMatchObject({ claimed: true, since });
    const events = await openEvents(`${server.url}/api/chat/events?conversationId=${w.conversationId}`);
    try {
      await new TicketStore(db).setState(number, 'on_hold', { actor: 'Sam Tech' });
      await server.app.sweep();
      await events.waitFor((e) => e.some((m) => said(m.data).includes('it is now on hold')));
      const told = events.events.filter((m) => said(m.data).includes('it is now on hold'));
      expect(told).toHaveLength(1);
      // The id the dead replica would have stored it under: the web chat's log keeps one message per id.
      expect(told[0]!.data.id).toBe(newsMessageId('local', number, since, 0));
    } finally {
      events.close();
    }
    expect(await news.claimState('local', number, 'on_hold', new Date().toISOString())).toEqual({ claimed: false, previous: 'on_hold' });
  });

  it('"status of …" answers only the ticket\'s requester', async () => {
    const mine = await chat(server, w, { text: `status of ${number}` });
    expect(said(mine.json.replies)).toContain(number);
    expect(said(mine.json.replies)).toContain('badge reader');
    const colleague = newUser('Bob Martin');
    const other = await chat(server, colleague, { text: `status of ${number}` });
    expect(said(other.json.replies)).toContain('I can only show the status of tickets opened for you');
    expect(said(other.json.replies)).not.toContain('badge reader');
    const list = await chat(server, colleague, { text: 'my tickets' });
    expect(said(list.json.replies)).not.toContain(number);
  });
});

describe('ticket news from the signed webhook endpoint', () => {
  let receiver: Server;
  let receiverUrl: string;
  let server: TestApp;
  const w = newUser();
  let number: string;

  beforeAll(async () => {
    // The ticket system behind TICKET_PROVIDER=webhook: creates INC0012345 and answers status lookups without a requester.
    receiver = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST') return void res.end(JSON.stringify({ id: 'a1b2c3', number: 'INC0012345' }));
      return void res.end(JSON.stringify({ id: 'a1b2c3', number: 'INC0012345', state: 'in_progress', status: 'In Progress', title: 'Badge reader' }));
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    server = await startTestApp({
      TICKET_PROVIDER: 'webhook',
      TICKET_WEBHOOK_URL: `${receiverUrl}/tickets`,
      TICKET_WEBHOOK_SECRET: 'w'.repeat(40),
      TICKET_WEBHOOK_STATUS_URL: `${receiverUrl}/tickets/{id}`,
      TICKET_EVENTS_SECRET: EVENTS_SECRET,
    });
    number = await escalate(server, w, 'I need to talk to a technician about my badge reader');
  });
  afterAll(async () => {
    await server?.stop();
    await new Promise<void>((r) => receiver?.close(() => r()));
  });

  const send = (body: unknown, headers?: Record<string, string>) => {
    const raw = JSON.stringify(body);
    return postJson(`${server.url}/api/tickets/events`, raw, headers ?? signedHeaders(EVENTS_SECRET, raw));
  };
  const resolved = { provider: 'webhook', number: 'INC0012345', status: 'Resolved', resolutionNotes: 'Replaced the badge reader.' };

  it('refuses a bad signature and a stale one (401) and changes nothing', async () => {
    expect(number).toBe('INC0012345');
    const before = await botTexts(server, w);
    const raw = JSON.stringify(resolved);
    const forged = await send(resolved, signedHeaders('x'.repeat(40), raw));
    expect(forged.status).toBe(401);
    const stale = await send(resolved, signedHeaders(EVENTS_SECRET, raw, Date.now() - 10 * 60_000));
    expect(stale.status).toBe(401);
    expect(stale.json.message).toMatch(/replay window/);
    const unsigned = await postJson(`${server.url}/api/tickets/events`, raw);
    expect(unsigned.status).toBe(401);
    expect(await botTexts(server, w)).toEqual(before);
    expect(await server.app.drafts.list()).toEqual([]);
  });

  it('validates the body', async () => {
    expect((await send({ provider: 'webhook', status: 'Resolved' })).status).toBe(400);
    expect((await send({ ...resolved, extra: 1 })).status).toBe(400);
    const unknown = await send({ ...resolved, number: 'INC0099999' });
    expect(unknown.status).toBe(202);
    expect(unknown.json).toMatchObject({ notified: false, reason: 'unknown_ticket' });
  });

  it('tells the requester once, in their language, and proposes a draft once', async () => {
    const ok = await send(resolved);
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ ok: true, state: 'resolved', notified: true, draft: 'created' });
    const texts = await botTexts(server, w);
    expect(texts.at(-1)).toContain('INC0012345');
    expect(texts.at(-1)).toContain('Replaced the badge reader.');
    const again = await send(resolved);
    expect(again.json).toMatchObject({ notified: false, duplicate: true, draft: 'existing' });
    expect(await botTexts(server, w)).toEqual(texts);
    const drafts = await server.app.drafts.list();
    expect(drafts).toHaveLength(1);
    expect(drafts[0]?.source).toMatchObject({ provider: 'webhook', ticketNumber: 'INC0012345' });
  });

  it('a resolution naming the article it was solved with becomes one labelled example (a retry replaces it)', async () => {
    expect((await send({ ...resolved, article: 'not an id!' })).status).toBe(400);
    expect(await server.app.labels.list()).toEqual([]);
    const ok = await send({ ...resolved, status: 'Closed', article: 'badge-not-working' });
    expect(ok.status).toBe(200);
    await send({ ...resolved, status: 'Closed', article: 'badge-not-working' });
    expect(await server.app.labels.list()).toEqual([
      expect.objectContaining({ question: 'I need to talk to a technician about my badge reader', verdict: 'article', articleId: 'badge-not-working', source: 'ticket_resolved', by: 'webhook', ref: 'ticket:webhook:INC0012345' }),
    ]);
  });

  it('answers in the conversation language', async () => {
    const fr = newUser('Chloé Petit');
    await escalate(server, fr, 'je voudrais parler à un technicien pour mon badge');
    // The receiver gives every ticket the same number: the newest escalation is the one told.
    const ok = await send({ provider: 'webhook', id: 'a1b2c3', status: 'On Hold' });
    expect(ok.json).toMatchObject({ state: 'on_hold', notified: true });
    expect((await botTexts(server, fr)).at(-1)).toContain('Du nouveau sur votre ticket');
  });

  it('"status of …" for a provider that does not name the requester: only tickets opened from the user\'s conversations', async () => {
    const mine = await chat(server, w, { text: 'status of INC0012345' });
    expect(said(mine.json.replies)).toContain('Badge reader');
    const other = await chat(server, newUser('Bob Martin'), { text: 'status of INC0012345' });
    expect(said(other.json.replies)).toContain('I can only show the status of tickets opened for you');
    expect(said(other.json.replies)).not.toContain('Badge reader');
  });
});

describe('provider statuses', () => {
  it('are normalised with each provider\'s own mapping, then common labels', () => {
    expect(normaliseState('servicenow', '6')).toBe('resolved');
    expect(normaliseState('servicenow', 'In Progress')).toBe('in_progress');
    expect(normaliseState('glpi', '5')).toBe('resolved');
    expect(normaliseState('glpi', '4')).toBe('on_hold');
    expect(normaliseState('zendesk', 'open')).toBe('in_progress');
    expect(normaliseState('zendesk', 'solved')).toBe('resolved');
    expect(normaliseState('jira', 'Waiting for customer')).toBe('on_hold');
    expect(normaliseState('jira', 'Closed')).toBe('closed');
    expect(normaliseState('webhook', 'cancelled')).toBe('cancelled');
    expect(normaliseState('webhook', 'Canceled')).toBe('cancelled');
    expect(normaliseState('webhook', 'something odd')).toBe('unknown');
  });
});
