import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../src/engine/i18n.js';
import { postJson } from '../server/start.js';
import { makePacket } from '../tickets/fixtures/packet.js';
import { form, postForm, signIn, startConsoleApp, type ConsoleTestApp, type Session } from './helpers.js';

/**
 * Learning from the desk over real HTTP and real SQLite: each human judgement the console takes
 * (a mark on a transcript turn, a ticket resolved with an article, an article written from a gap)
 * becomes a labelled example; the mark needs a session and the anti-CSRF token like every action.
 */
describe('console: judgements become labelled examples', () => {
  let server: ConsoleTestApp;
  let session: Session;
  const get = async (path: string) => {
    const res = await fetch(`${server.url}${path}`, { headers: { cookie: session.cookie } });
    return { status: res.status, text: await res.text() };
  };
  const chat = (conversationId: string, text: string) =>
    postJson(`${server.url}/api/chat`, { conversationId, text }, { 'x-forwarded-user': 'user-alice', 'x-forwarded-preferred-username': 'Alice Martin' });
  const decode = (s: string) => s.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n)));

  beforeAll(async () => {
    server = await startConsoleApp({ WEB_AUTH: 'proxy', WEB_AUTH_PROXY_ADDRESSES: '127.0.0.1' });
    session = await signIn(server.url);
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** The mark form of the conversation's first judged question: its action, turn id and the article shown (if any). */
  const markFormOf = async (conversationId: string) => {
    const rows = (await server.app.store.searchConversations!({ limit: 50 })).filter((c) => c.address.conversationId === conversationId);
    const id = rows[0]!.id;
    const page = await get(`/admin/conversations/${id}`);
    const action = /<form method="post" class="mark" action="([^"]+)"/.exec(page.text)?.[1];
    const shown = /<input type="hidden" name="shown" value="([^"]+)">/.exec(page.text)?.[1];
    return { id, page: page.text, action: action!, turnId: Number(/turns\/(\d+)\/mark/.exec(action ?? '')?.[1]), shown };
  };

  it('marks an answered turn right; refuses it without a session, without the CSRF token and with an unknown article', async () => {
    expect((await chat('conv-mark-0001', 'I forgot my password')).status).toBe(200);
    const { id, action, turnId, shown } = await markFormOf('conv-mark-0001');
    expect(action).toBe(`/admin/conversations/${id}/turns/${turnId}/mark`);
    expect(shown).toBe('password-forgotten');

    // No session: sent to sign in. A session without the token: refused. Nothing recorded.
    const anonymous = await postForm(server.url, undefined, action, new URLSearchParams({ mark: 'right', shown: shown! }));
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toMatch(/^\/admin\/login/);
    const forged = await postForm(server.url, session, action, new URLSearchParams({ mark: 'right', shown: shown! }));
    expect(forged.status).toBe(403);
    expect(await server.app.labels.list()).toEqual([]);

    const right = await postForm(server.url, session, action, form(session, { mark: 'right', shown: shown! }));
    expect(right.status).toBe(303);
    expect(await server.app.labels.list()).toEqual([
      expect.objectContaining({ question: 'I forgot my password', lang: 'en', verdict: 'article', articleId: 'password-forgotten', source: 'console_mark', by: 'console', conversationId: id, turnId }),
    ]);
    expect(decode((await get(`/admin/conversations/${id}`)).text)).toContain(
      translator().t('en', 'console.transcript.marked_right', { by: 'console', article: server.app.knowledge.article('password-forgotten')!.title }),
    );

    // Bad input changes nothing.
    const refused: Record<string, string>[] = [{ mark: 'wrong', shown: shown!, correct: 'no-such-article' }, { mark: 'perfect', shown: shown! }, { mark: 'right', shown: 'no-such-article' }, { mark: 'article' }];
    for (const fields of refused) {
      expect((await postForm(server.url, session, action, form(session, fields))).status).toBe(400);
    }
    expect((await postForm(server.url, session, `/admin/conversations/${id}/turns/999999/mark`, form(session, { mark: 'escalate' }))).status).toBe(404);
    expect((await server.app.labels.list()).map((x) => x.verdict)).toEqual(['article']);

    // "Wrong article" without the right one is kept as such; a changed mark replaces the earlier one.
    expect((await postForm(server.url, session, action, form(session, { mark: 'wrong', shown: shown! }))).status).toBe(303);
    expect(await server.app.labels.list()).toEqual([expect.objectContaining({ verdict: 'not_article', articleId: 'password-forgotten', turnId })]);
  });

  it('marks an escalated turn "should have answered with" an article, then "should have escalated"', async () => {
    expect((await chat('conv-mark-0002', 'the vpn gateway says it cannot connect')).status).toBe(200);
    const { id, page, action, turnId, shown } = await markFormOf('conv-mark-0002');
    expect(page).toContain('class="gate decision-escalate"');
    expect(shown).toBeUndefined();
    expect((await postForm(server.url, session, action, form(session, { mark: 'article', correct: 'vpn-cannot-connect' }))).status).toBe(303);
    expect(await server.app.labels.list({ conversationId: id })).toEqual([expect.objectContaining({ question: 'the vpn gateway says it cannot connect', verdict: 'article', articleId: 'vpn-cannot-connect', turnId })]);
    expect((await postForm(server.url, session, action, form(session, { mark: 'escalate' }))).status).toBe(303);
    expect(await server.app.labels.list({ conversationId: id })).toEqual([expect.objectContaining({ verdict: 'escalate', turnId })]);
  });

  it('records a ticket resolved with an article, and refuses an unknown article without changing the ticket', async () => {
    const store = server.app.outbox.store;
    const packet = makePacket({ channel: 'web', conversationId: 'conv-ticket-1', question: 'my printer shows offline since this morning', lang: 'en' });
    await store.insert(packet);
    await expect.poll(async () => (await store.get(packet.id))?.status, { timeout: 10_000 }).toBe('delivered');
    const number = (await store.get(packet.id))!.ticket!.number;
    const before = await server.app.labels.list({ sources: ['ticket_resolved'] });
    expect(before).toEqual([]);

    const bad = await postForm(server.url, session, `/admin/tickets/${number}/state`, form(session, { state: 'resolved', notes: 'Cleared the queue.', article: 'no-such-article' }));
    expect(bad.status).toBe(400);
    expect((await get(`/admin/tickets/${number}`)).text).not.toContain('Cleared the queue.');

    const ok = await postForm(server.url, session, `/admin/tickets/${number}/state`, form(session, { state: 'resolved', notes: 'Cleared the queue.', article: 'printer-not-printing' }));
    expect(ok.status).toBe(303);
    expect(await server.app.labels.list({ sources: ['ticket_resolved'] })).toEqual([
      expect.objectContaining({ question: 'my printer shows offline since this morning', verdict: 'article', articleId: 'printer-not-printing', by: 'console', conversationId: 'conv-ticket-1', ref: `ticket:local:${number}` }),
    ]);
  });

  it("labels a gap's questions with the article written from it", async () => {
    expect((await chat('conv-gap-0001', 'the espresso machine on floor 4 leaks water everywhere')).status).toBe(200);
    const gaps = await get('/admin/gaps');
    const link = decode(/<a class="button" href="([^"]+)">/.exec(gaps.text)?.[1] ?? '').replace(/&amp;/g, '&');
    expect(link).toContain('gap=');
    const editor = await get(link);
    const gap = /<input type="hidden" name="gap" value="([^"]+)">/.exec(editor.text)?.[1];
    expect(gap).toBeTruthy();
    const res = await postForm(server.url, session, '/admin/knowledge/save', form(session, {
      id: 'espresso-machine-leaks', title: 'The espresso machine leaks', lang: 'en', updated: '2026-12-07',
      questions: 'the espresso machine leaks', body: '## Symptoms\n\nWater under the machine.\n\n## Resolution\n\n1. Empty the drip tray.\n2. Call facilities.\n', gap: gap!,
    }));
    expect(res.status).toBe(303);
    expect(await server.app.labels.list({ sources: ['gap_article'] })).toEqual([
      expect.objectContaining({ question: 'the espresso machine on floor 4 leaks water everywhere', verdict: 'article', articleId: 'espresso-machine-leaks', conversationId: expect.any(String) }),
    ]);
  });

  it('shows the judgements per source on the Calibration page, with the refit and operating-point forms', async () => {
    const page = await get('/admin/calibration');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<tr data-source="console_mark"><td>[^<]+<\/td><td class="num">2<\/td>/);
    expect(page.text).toMatch(/<tr data-source="ticket_resolved"><td>[^<]+<\/td><td class="num">1<\/td>/);
    expect(page.text).toContain('action="/admin/calibration/refit"');
    const fr = await get('/admin/calibration?lang=fr');
    expect(decode(fr.text)).toContain(translator().t('fr', 'console.calibration.refit'));
    // The operating point needs a refit's predictions first.
    const choose = await postForm(server.url, session, '/admin/calibration/operating-point', form(session, { target: '0.9' }));
    expect(choose.headers.get('location')).toBe('/admin/calibration?done=no_refit');
    const invalid = await postForm(server.url, session, '/admin/calibration/refit', form(session, { target: 'lots' }));
    expect(invalid.headers.get('location')).toBe('/admin/calibration?done=invalid');
  });

  it('after a refit, the phrasing a technician tied to an article finds that article', { timeout: 300_000 }, async () => {
    const phrasing = 'the zorvex gizmo keeps quibbling at me';
    const later = 'zorvex gizmo quibbling again';
    const top = async () => (await server.app.knowledge.decide(later, { lang: 'en' })).candidates[0]?.articleId;
    expect(await top()).not.toBe('vpn-cannot-connect');
    expect((await chat('conv-mark-0003', phrasing)).status).toBe(200);
    const { action } = await markFormOf('conv-mark-0003');
    expect((await postForm(server.url, session, action, form(session, { mark: 'article', correct: 'vpn-cannot-connect' }))).status).toBe(303);
    // A judgement is learned when the desk refits (the button), on every replica's next reload.
    const refit = await postForm(server.url, session, '/admin/calibration/refit', form(session, { target: '0.9' }));
    expect(refit.headers.get('location')).toBe('/admin/calibration?done=started');
    await server.app.calibrator.settled();
    expect((await server.app.calibrator.view()).error).toBeUndefined();
    const learned = server.app.knowledge.status().learnedQuestions;
    expect(learned).toBeGreaterThanOrEqual(1);
    const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { retrieval?: { learnedQuestions?: number } };
    expect(ready.retrieval?.learnedQuestions).toBe(learned);
    expect(await top()).toBe('vpn-cannot-connect');
  });

  it('after a refit, a question the desk said should have escalated is escalated when asked again', { timeout: 300_000 }, async () => {
    const question = 'how do I connect to the guest wifi';
    expect((await chat('conv-mark-0004', question)).status).toBe(200);
    const { page, action, shown } = await markFormOf('conv-mark-0004');
    expect(page).toContain('class="gate decision-answer"');
    expect(shown).toBeTruthy();
    expect((await postForm(server.url, session, action, form(session, { mark: 'escalate', shown: shown! }))).status).toBe(303);
    const refit = await postForm(server.url, session, '/admin/calibration/refit', form(session, { target: '0.9' }));
    expect(refit.headers.get('location')).toBe('/admin/calibration?done=started');
    await server.app.calibrator.settled();
    expect(server.app.knowledge.status().learnedEscalations).toBeGreaterThanOrEqual(1);
    expect(await server.app.knowledge.decide(question, { lang: 'en' })).toMatchObject({ kind: 'escalate', explanationKey: 'gate.explain.escalate_learned' });
    // Another question is answered as before.
    expect((await server.app.knowledge.decide('my printer shows offline', { lang: 'en' })).kind).toBe('answer');
  });
});
