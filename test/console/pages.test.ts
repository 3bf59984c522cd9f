import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePacket } from '../tickets/fixtures/packet.js';
import { postJson } from '../server/start.js';
import { bearer, form, postForm, signIn, startConsoleApp, type ConsoleTestApp, type Session } from './helpers.js';

/** Conversations, tickets and outbox, flows and the CSV export over real HTTP and real SQLite. */
describe('console pages', () => {
  let server: ConsoleTestApp;
  let session: Session;
  const get = async (path: string) => {
    const res = await fetch(`${server.url}${path}`, { headers: { cookie: session.cookie } });
    return { status: res.status, text: await res.text(), headers: res.headers };
  };
  // Named users: the web chat behind a signing-in reverse proxy (WEB_AUTH=proxy), as an intranet deploys it.
  const chat = (conversationId: string, userId: string, text: string) =>
    postJson(`${server.url}/api/chat`, { conversationId, text }, { 'x-forwarded-user': userId, 'x-forwarded-preferred-username': userId === 'user-alice' ? 'Alice Martin' : 'Bob' });

  beforeAll(async () => {
    server = await startConsoleApp({ WEB_AUTH: 'proxy', WEB_AUTH_PROXY_ADDRESSES: '127.0.0.1' });
    session = await signIn(server.url);
    for (const r of [
      await chat('conv-alice-0001', 'user-alice', 'my vpn does not connect'),
      await chat('conv-bob-00000001', 'user-bob', '=HYPERLINK("http://evil.example","click") printer jam'),
    ]) expect(r.status).toBe(200);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('searches conversations by user, text and outcome, and shows each turn with the gate decision', async () => {
    const byUser = await get('/admin/conversations?user=alice');
    expect(byUser.text).toContain('Alice Martin');
    expect(byUser.text).not.toContain('HYPERLINK');
    const byText = await get('/admin/conversations?text=HYPERLINK');
    expect(byText.text).toContain('&#61;HYPERLINK');
    expect(byText.text).not.toContain('Alice Martin');
    // LIKE wildcards typed by a technician are plain characters.
    expect((await get('/admin/conversations?text=%25')).text).not.toContain('Alice Martin');
    expect((await get('/admin/conversations?status=escalated')).text).not.toContain('Alice Martin');

    const id = /href="\/admin\/conversations\/([\w-]+)"/.exec(byUser.text)?.[1];
    const transcript = await get(`/admin/conversations/${id}`);
    expect(transcript.status).toBe(200);
    expect(transcript.text).toContain('my vpn does not connect');
    expect(transcript.text).toMatch(/class="gate decision-(answer|clarify|escalate)"/);
    expect(transcript.text).toMatch(/<span class="confidence">\d\.\d\d<\/span>/);
    expect(transcript.text).toMatch(/<span class="explanation">(answered|clarify|escalated): [^<]{5,}<\/span>/);
    // The same decision explained in French on the French console (stored as a locale key and parameters).
    const french = await get(`/admin/conversations/${id}?lang=fr`);
    expect(french.text).toMatch(/<span class="explanation">(répondu|choix proposé|transmis à un technicien) : [^<]{5,}<\/span>/);
    expect((await get('/admin/conversations/no-such-conversation')).status).toBe(404);
  });

  it('exports the analytics as CSV with formula injection neutralised', async () => {
    const res = await fetch(`${server.url}/admin/api/analytics.csv?days=7`, { headers: bearer });
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="helpdesk-analytics-7d.csv"');
    const csv = (await res.text()).replace(/^\uFEFF/, '');
    const [header, ...rows] = csv.trimEnd().split('\r\n');
    expect(header).toBe('topic_id,started_at,last_activity_at,conversation_id,user_id,channel,lang,outcome,question,articles_shown,feedback,gate_confidence,escalation_reason');
    expect(rows).toHaveLength(2);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""click"") printer jam"`);
    expect(rows.every((r) => r.includes(',pending,'))).toBe(true);
  });

  it('lists dead letters and retries one; resolves a local ticket', async () => {
    await server.app.outbox.stop();
    const store = server.app.outbox.store;
    const packet = makePacket({ conversationId: 'conv-dead', question: 'printer on floor 3 is on fire' });
    await store.insert(packet);
    const claimed = await store.claim('test-worker', 60_000);
    expect(claimed?.id).toBe(packet.id);
    await store.markDead(packet.id, 'test-worker', 'HTTP 400: category is required');

    const page = await get('/admin/tickets');
    expect(page.text).toContain('printer on floor 3 is on fire');
    expect(page.text).toContain('HTTP 400: category is required');
    const retry = await postForm(server.url, session, `/admin/outbox/${packet.id}/retry`, form(session, {}));
    expect(retry.status).toBe(303);
    expect(await store.get(packet.id)).toMatchObject({ status: 'pending', attempts: 0 });
    expect((await postForm(server.url, session, '/admin/outbox/not-an-item/retry', form(session, {}))).status).toBe(404);

    // The outbox delivers it to the local ticket store once running again.
    server.app.outbox.start();
    await expect.poll(async () => (await store.get(packet.id))?.status, { timeout: 10_000 }).toBe('delivered');
    const number = (await store.get(packet.id))!.ticket!.number;
    expect((await get('/admin/tickets')).text).toContain(number);
    const resolve = await postForm(server.url, session, `/admin/tickets/${number}/resolve`, form(session, { notes: 'Replaced the fuser unit.' }));
    expect(resolve.status).toBe(303);
    // The queue shows open tickets by default; the ticket page keeps the resolution in its activity.
    expect((await get('/admin/tickets')).text).not.toContain(`id="ticket-${number}"`);
    expect((await get('/admin/tickets?state=resolved')).text).toContain(`id="ticket-${number}"`);
    expect((await get(`/admin/tickets/${number}`)).text).toContain('Replaced the fuser unit.');
  });

  it('lists the flows with their validation status, and a broken one as not served', async () => {
    writeFileSync(join(server.kbDir, 'flows', 'broken-flow.yaml'), 'id: broken-flow\ntitle: { en: Broken, fr: Cassé }\ncategory: x\nstart: nowhere\nsteps:\n  - id: a\n    type: resolve\n    text: { en: ok, fr: ok }\n');
    const page = await get('/admin/flows');
    expect(page.text).toContain('flows/password-reset.yaml');
    expect(page.text).toContain('Reset or change your password');
    expect((page.text.match(/class="badge ok"/g) ?? []).length).toBeGreaterThanOrEqual(7);
    expect(page.text).toMatch(/flows\/broken-flow\.yaml:\d+: error: start step &#34;nowhere&#34; does not exist/);
  });

  it('answers the JSON API with the dashboard report and the gap groups', async () => {
    const report = (await (await fetch(`${server.url}/admin/api/report?days=7`, { headers: bearer })).json()) as { topics: number; rates: { pending: number } };
    expect(report.topics).toBe(2);
    expect(report.rates.pending).toBe(2);
    const gaps = (await (await fetch(`${server.url}/admin/api/gaps`, { headers: bearer })).json()) as unknown[];
    expect(Array.isArray(gaps)).toBe(true);
  });
});
