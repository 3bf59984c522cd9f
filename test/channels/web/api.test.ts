import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../../src/engine/i18n.js';
import { openEvents } from '../../helpers/sse.js';
import { postJson, startTestApp, type TestApp } from '../../server/start.js';

/** The web chat's JSON API and event stream on the real server. */

const id = (): string => randomUUID().replace(/-/g, '');

describe('web chat API', () => {
  let server: TestApp;
  const t = translator();

  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const chat = (body: Record<string, unknown>) => postJson(`${server.url}/api/chat`, body);

  it('answers a question with parsed text, numbered steps, a citation and buttons', async () => {
    const res = await chat({ conversationId: id(), user: { id: id() }, text: 'my vpn does not connect' });
    expect(res.status).toBe(200);
    const [answer] = res.json.replies;
    expect(answer.lang).toBe('en');
    const kinds = answer.parts.map((p: { kind: string }) => p.kind);
    expect(kinds).toEqual(expect.arrayContaining(['steps', 'citation', 'choices']));
    const steps = answer.parts.find((p: { kind: string }) => p.kind === 'steps');
    expect(steps.steps.length).toBeGreaterThan(2);
    expect(steps.steps[0][0]).toMatchObject({ type: 'text' });
    const citation = answer.parts.find((p: { kind: string }) => p.kind === 'citation');
    expect(citation).toMatchObject({ before: 'Source: ', after: '' });
    expect(citation.title).toMatch(/VPN/);
    const choices = answer.parts.find((p: { kind: string }) => p.kind === 'choices');
    expect(choices.choices.map((c: { label: string }) => c.label)).toEqual(expect.arrayContaining(['Yes', 'No']));
  });

  it('answers in French when asked in French, with French headings', async () => {
    const res = await chat({ conversationId: id(), user: { id: id() }, text: "je n'arrive pas à me connecter au VPN" });
    const [answer] = res.json.replies;
    expect(answer.lang).toBe('fr');
    expect(answer.parts.find((p: { kind: string }) => p.kind === 'citation')?.before).toBe(t.t('fr', 'channels.citation.source').split('{title}')[0]);
  });

  it('handles a button press and is idempotent on the message id', async () => {
    const conversationId = id();
    const user = { id: id() };
    const first = await chat({ conversationId, user, text: 'the printer does not print' });
    const yes = first.json.replies.flatMap((m: any) => m.parts).find((p: any) => p.kind === 'choices').choices.find((c: any) => c.value.v === 'yes');
    const messageId = id();
    const press = { conversationId, user, messageId, action: { payload: yes.value, sourceMessageId: first.json.replies[0].id } };
    const a = await chat(press);
    const b = await chat(press);
    expect(a.status).toBe(200);
    expect(b.json.replies.map((m: any) => m.parts)).toEqual(a.json.replies.map((m: any) => m.parts));
    const conversation = await server.app.store.findConversation({ channel: 'web', conversationId });
    const turns = await server.app.store.transcript(conversation!.id);
    expect(turns.filter((x) => x.direction === 'in')).toHaveLength(2);
  });

  it('rejects invalid requests with 400 and a reason', async () => {
    const conversationId = id();
    const user = { id: id() };
    const cases: Array<[unknown, RegExp]> = [
      [{ conversationId, user }, /exactly one of text or action/],
      [{ conversationId, user, text: 'hi', action: { payload: {} } }, /exactly one of text or action/],
      [{ conversationId: 'x', user, text: 'hi' }, /conversationId/],
      [{ conversationId, user: { locale: 'not a tag' }, text: 'hi' }, /user\.locale/],
      [{ conversationId, user, text: '   ' }, /text: must not be empty/],
      [{ conversationId, user, text: '\u0000\u0001' }, /text: must not be empty/],
      [{ conversationId, user, text: 'x'.repeat(20_001) }, /20,000/],
      [{ conversationId, user, text: 'hi', extra: true }, /Unrecognized key/],
      [{ conversationId, user, action: { payload: 'not an object' } }, /payload/],
      [[], /body|Expected object/],
    ];
    for (const [body, reason] of cases) {
      const res = await chat(body as Record<string, unknown>);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.json.message).toMatch(reason);
    }
    expect((await postJson(`${server.url}/api/chat`, '{"conversationId":')).json).toEqual({ error: 'invalid_json', message: expect.any(String) });
    const big = await postJson(`${server.url}/api/chat`, { conversationId, user, text: 'a'.repeat(200_000) });
    expect(big.status).toBe(413);
    const wrongType = await fetch(`${server.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(wrongType.status).toBe(400);
  });

  it('answers an unreadable button with words, not an error', async () => {
    const res = await chat({ conversationId: id(), user: { id: id() }, action: { payload: { a: 'made-up', x: 1 } } });
    expect(res.status).toBe(200);
    expect(res.json.replies.length).toBeGreaterThan(0);
  });

  it('streams proactive messages (the ticket number) to the open page, and queues them while none is open', async () => {
    const conversationId = id();
    const user = { id: id() };
    const stream = await openEvents(`${server.url}/api/chat/events?conversationId=${conversationId}`);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    const confirm = await chat({ conversationId, user, text: 'I want to talk to a technician' });
    const yes = confirm.json.replies.flatMap((m: any) => m.parts).find((p: any) => p.kind === 'choices').choices.find((c: any) => c.value.a === 'escalate' && c.value.v === 'yes');
    // An anonymous session: the bot asks for a name and a contact address before the ticket.
    const askName = await chat({ conversationId, user, action: { payload: yes.value } });
    expect(JSON.stringify(askName.json.replies)).toContain(t.t('en', 'dialogue.escalation.contact.ask_name'));
    const askEmail = await chat({ conversationId, user, text: 'Jane Doe' });
    expect(JSON.stringify(askEmail.json.replies)).toContain(t.t('en', 'dialogue.escalation.contact.ask_email'));
    const opening = await chat({ conversationId, user, text: 'jane.doe@example.com' });
    expect(opening.json.replies[0].parts[0]).toMatchObject({ kind: 'ticket', state: 'opening' });
    await stream.waitFor((events) => events.some((e) => e.data.parts?.[0]?.kind === 'ticket'));
    const notice = stream.events.find((e) => e.data.parts?.[0]?.kind === 'ticket')!;
    expect(notice.event).toBe('message');
    expect(notice.data).toMatchObject({ proactive: true, parts: [{ kind: 'ticket', state: 'opened', number: expect.stringMatching(/^HD-\d{6}$/) }] });
    stream.close();

    // Page closed meanwhile: the message is kept and replayed when a page connects; a reconnecting
    // page (Last-Event-ID) only gets what came after the last event it saw.
    const sent = await server.app.proactive.send({ channel: 'web', conversationId }, { lang: 'en', parts: [{ kind: 'text', text: 'A technician will call you at 3 pm.' }] });
    const later = await openEvents(`${server.url}/api/chat/events?conversationId=${conversationId}`);
    await later.waitFor((events) => events.some((e) => JSON.stringify(e.data).includes('3 pm')));
    expect(later.events.map((e) => e.data.id)).toEqual([notice.data.id, sent.messageId]);
    // Event ids are the stored ids: they grow, and a page sends the last one back when it reconnects.
    expect(Number(later.events[1]!.id)).toBeGreaterThan(Number(notice.id));
    later.close();
    const resumed = await openEvents(`${server.url}/api/chat/events?conversationId=${conversationId}`, { 'Last-Event-ID': notice.id! });
    await resumed.waitFor((events) => events.length > 0);
    expect(resumed.events.map((e) => e.data.id)).toEqual([sent.messageId]);
    resumed.close();
  });

  it('pushes the time-out follow-up of an idle guided fix to the page', async () => {
    const conversationId = id();
    const user = { id: id() };
    const stream = await openEvents(`${server.url}/api/chat/events?conversationId=${conversationId}`);
    const answer = await chat({ conversationId, user, text: 'I cannot connect to the wifi' });
    const start = answer.json.replies.flatMap((m: any) => m.parts).find((p: any) => p.kind === 'choices').choices.find((c: any) => c.value.a === 'flow.start');
    await chat({ conversationId, user, action: { payload: start.value } });
    const minutes = server.app.config.dialogue.flowTimeoutMinutes;
    expect(await server.app.sweep(new Date(Date.now() + (minutes + 1) * 60_000))).toBeGreaterThanOrEqual(1);
    await stream.waitFor((events) => events.length > 0);
    const followUp = stream.events[0]!.data;
    expect(followUp.proactive).toBe(true);
    expect(followUp.parts.find((p: any) => p.kind === 'choices').choices.some((c: any) => c.value.a === 'flow.start')).toBe(true);
    stream.close();
  });

  it('refuses an event stream without a valid conversation id', async () => {
    expect((await fetch(`${server.url}/api/chat/events`)).status).toBe(400);
    expect((await fetch(`${server.url}/api/chat/events?conversationId=../../etc`)).status).toBe(400);
  });

  it('serves the page with a strict content security policy, in the browser language', async () => {
    const res = await fetch(`${server.url}/chat`, { headers: { 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.5' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain(t.t('fr', 'webchat.title'));
    expect(html).not.toMatch(/https?:\/\/(?!localhost)[a-z0-9.-]+\/[^"]*\.(js|css)/i);
    expect((await fetch(`${server.url}/chat/assets/chat.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${server.url}/chat/assets/nope.js`)).status).toBe(404);
    expect((await fetch(`${server.url}/chat/assets/..%2f..%2fpackage.json`)).status).toBeGreaterThanOrEqual(400);
  });
});
