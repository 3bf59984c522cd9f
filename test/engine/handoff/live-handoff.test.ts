import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerContact } from '../../helpers/web-contact.js';
import { SqliteHandoffStore } from '../../../src/storage/sqlite/handoff-store.js';
import { startSlackApiServer, type SlackApiServer, type SlackCall } from '../../helpers/slack-api-server.js';
import { buttonsOf, click, nextTs, postEvent } from '../../helpers/slack-events.js';
import { openEvents, type SseReader } from '../../helpers/sse.js';
import { postJson, startTestApp, type TestApp } from '../../server/start.js';
import { ADMIN_TOKEN, signIn } from '../../console/helpers.js';
import { sqliteDb } from '../../helpers/sqlite-handle.js';

/**
 * The live handoff end to end on the real server: a user in the web chat escalates, the summary
 * card lands in the Slack technicians' channel (a local Slack Web API server), a technician clicks
 * "Take it" (signed interactivity payload), both sides talk through the card's thread while the bot
 * stays silent, the technician closes, and the user's rating is stored. Real SQLite, real HTTP.
 */

const TOKEN = 'xoxb-1111-2222-handofftest';
const SECRET = '6c1f0e4b9a7d2c8e5f3a1b0d9c8e7f6a';
const TECHS = 'C0TECHNICIA';
const SAM = 'U0SAMTECH01';
const KIM = 'U0KIMTECH01';

const id = (): string => randomUUID().replace(/-/g, '');
const text = (e: { data: unknown }): string => JSON.stringify(e.data);

interface WebUser {
  conversationId: string;
  user: { id: string; name: string };
}

describe('live handoff: web chat user, Slack technicians', () => {
  let slack: SlackApiServer;
  let server: TestApp;
  let env: Record<string, string>;

  beforeAll(async () => {
    slack = await startSlackApiServer(TOKEN);
    slack.users.set(SAM, { id: SAM, name: 'sam', real_name: 'Sam Tech', profile: { email: 'sam@example.com', real_name: 'Sam Tech' } });
    slack.users.set(KIM, { id: KIM, name: 'kim', real_name: 'Kim Tech', profile: { email: 'kim@example.com', real_name: 'Kim Tech' } });
    env = {
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.url,
      SLACK_TECHNICIANS_CHANNEL: TECHS,
      HANDOFF_WATCHDOG_MINUTES: '10',
      HANDOFF_MAX_REMINDERS: '2',
      ADMIN_TOKEN,
    };
    server = await startTestApp(env);
  });

  afterAll(async () => {
    await server?.stop();
    await slack?.close();
  });

  const chat = (app: TestApp, w: WebUser, body: Record<string, unknown>) => postJson(`${app.url}/api/chat`, { ...w, ...body });
  const newUser = (): WebUser => ({ conversationId: id(), user: { id: id(), name: 'Léa Martin' } });
  const techPosts = (): SlackCall[] => slack.of('chat.postMessage').filter((c) => c.args.channel === TECHS);
  const thread = (ts: string): SlackCall[] => techPosts().filter((c) => c.args.thread_ts === ts);
  const threadText = (ts: string): string => JSON.stringify(thread(ts).map((c) => [c.args.text, c.args.blocks]));

  /** Asks for a technician about `topic` and confirms; resolves with the card posted for it. */
  async function escalate(app: TestApp, w: WebUser, topic: string): Promise<SlackCall> {
    const offer = await chat(app, w, { text: `I need to talk to a technician about ${topic}` });
    const yes = offer.json.replies
      .flatMap((m: any) => m.parts)
      .find((p: any) => p.kind === 'choices')
      .choices.find((c: any) => c.value.a === 'escalate' && c.value.v === 'yes');
    const confirmed = await answerContact(await chat(app, w, { action: { payload: yes.value } }), (text) => chat(app, w, { text }), { name: w.user.name, email: 'lea.martin@example.org' });
    expect(JSON.stringify(confirmed.json.replies)).toContain('Opening a ticket');
    await slack.waitFor(() => techPosts().some((c) => !c.args.thread_ts && String(c.args.text).includes(topic)));
    return techPosts().find((c) => !c.args.thread_ts && String(c.args.text).includes(topic)) as SlackCall;
  }

  const take = (app: TestApp, card: SlackCall, technician: string) => {
    const [button] = buttonsOf(card.args.blocks);
    expect(button?.text.text).toBe('Take it');
    return click(app.url, SECRET, { channel: TECHS, ts: String(card.result.ts), text: card.args.text, blocks: card.args.blocks }, button!, technician);
  };

  const techSays = (app: TestApp, card: SlackCall, technician: string, said: string) =>
    postEvent(app.url, SECRET, { type: 'message', channel: TECHS, channel_type: 'channel', user: technician, text: said, ts: nextTs(), thread_ts: card.result.ts, client_msg_id: randomUUID() });

  const sse = (app: TestApp, w: WebUser): Promise<SseReader> => openEvents(`${app.url}/api/chat/events?conversationId=${w.conversationId}`);

  it('round trip: card, Take it, user told who, relay both ways with the bot silent, close, rating stored', async () => {
    const w = newUser();
    const events = await sse(server, w);
    try {
      const card = await escalate(server, w, 'my docking station');
      const ts = String(card.result.ts);
      expect(JSON.stringify(card.args.blocks)).toContain('A user needs a technician');
      // The user hears that the technicians were alerted, and the ticket number.
      await events.waitFor((e) => e.some((m) => text(m).includes('alerted the technicians')));
      await events.waitFor((e) => e.some((m) => text(m).includes('HD-')));
      await slack.waitFor(() => threadText(ts).includes('was opened for this request'));

      expect((await take(server, card, SAM)).status).toBe(200);
      // The card says who took it, in place, and the thread gets the commands.
      await slack.waitFor((calls) => calls.some((c) => c.method === 'chat.update' && c.args.ts === ts));
      const update = slack.of('chat.update').find((c) => c.args.ts === ts);
      expect(JSON.stringify(update?.args.blocks)).toContain('Taken by Sam Tech');
      expect(buttonsOf(update?.args.blocks)).toEqual([]);
      await slack.waitFor(() => threadText(ts).includes('took this request'));
      expect(buttonsOf(thread(ts).at(-1)?.args.blocks).map((b) => b.text.text)).toEqual(['Close', 'Hand back to bot']);
      await events.waitFor((e) => e.some((m) => text(m).includes('Sam Tech is taking care of your request')));

      // The user's message goes to the thread; a question the bot would answer gets no answer.
      const silent = await chat(server, w, { text: 'my vpn does not connect' });
      expect(silent.status).toBe(200);
      expect(silent.json.replies).toEqual([]);
      await slack.waitFor(() => threadText(ts).includes('my vpn does not connect'));
      expect(threadText(ts)).toContain('Léa Martin');
      // A secret never reaches the technician; the user is warned as usual.
      const secret = await chat(server, w, { text: 'my password is Hunter2' });
      expect(JSON.stringify(secret.json.replies)).toMatch(/password/i);
      await slack.waitFor(() => threadText(ts).includes('REDACTED'));
      expect(threadText(ts)).not.toContain('Hunter2');

      // The technician's thread reply reaches the user, with their name.
      await techSays(server, card, SAM, 'Could you unplug the dock and plug it back in?');
      await events.waitFor((e) => e.some((m) => text(m).includes('unplug the dock') && text(m).includes('Message from Sam Tech')));

      const conversation = await server.app.store.findConversation({ channel: 'web', conversationId: w.conversationId });
      const answered = await server.app.store.events({ conversationId: conversation!.id, types: ['answer_shown', 'clarify_shown', 'question'] });
      expect(answered).toEqual([]);

      // "close" in the thread: the user is back with the bot and asked for a rating.
      await techSays(server, card, SAM, 'close');
      await slack.waitFor(() => threadText(ts).includes('Closed by Sam Tech'));
      await events.waitFor((e) => e.some((m) => text(m).includes('has closed the conversation')));
      const ended = events.events.find((m) => text(m).includes('has closed the conversation'))!;
      const rating = ended.data.parts.find((p: any) => p.kind === 'choices');
      expect(rating.choices.map((c: any) => c.label)).toEqual(['1', '2', '3', '4', '5']);
      const rated = await chat(server, w, { action: { payload: rating.choices[3].value } });
      expect(JSON.stringify(rated.json.replies)).toContain('Thank you for your rating (4/5)');
      const again = await chat(server, w, { action: { payload: rating.choices[1].value } });
      expect(JSON.stringify(again.json.replies)).toContain('already recorded');
      const satisfaction = await server.app.store.events({ conversationId: conversation!.id, types: ['satisfaction'] });
      expect(satisfaction.map((e) => e.value)).toEqual(['4']);
      expect(satisfaction[0]?.data).toMatchObject({ technician: 'Sam Tech' });
      // The console shows it.
      const api = await fetch(`${server.url}/admin/api/satisfaction?days=7`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(await api.json()).toMatchObject({ ratings: 1, average: 4, counts: { 4: 1 } });
      const { cookie } = await signIn(server.url);
      const dashboard = await (await fetch(`${server.url}/admin/?days=7`, { headers: { cookie } })).text();
      expect(dashboard).toMatch(/id="kpi-satisfaction"[\s\S]*4\.0 \/ 5/);

      // The bot answers again, and nothing more goes to the thread.
      const before = thread(ts).length;
      const answer = await chat(server, w, { text: 'my vpn does not connect' });
      expect(answer.json.replies.length).toBeGreaterThan(0);
      expect(thread(ts).length).toBe(before);
      const transcript = (await server.app.store.transcript(conversation!.id)).map((t) => t.text).join('\n');
      expect(transcript).toContain('unplug the dock');
    } finally {
      events.close();
    }
  });

  it('two technicians click Take it at once: exactly one wins and the card shows who', async () => {
    const w = newUser();
    const events = await sse(server, w);
    try {
      const card = await escalate(server, w, 'a broken keyboard');
      const ts = String(card.result.ts);
      await Promise.all([take(server, card, SAM), take(server, card, KIM)]);
      await slack.waitFor(() => threadText(ts).includes('already took this request'));
      await events.waitFor((e) => e.some((m) => text(m).includes('is taking care of your request')));
      const updates = slack.of('chat.update').filter((c) => c.args.ts === ts);
      expect(updates).toHaveLength(1);
      const winner = JSON.stringify(updates[0]?.args.blocks).includes('Taken by Sam Tech') ? 'Sam Tech' : 'Kim Tech';
      expect(JSON.stringify(updates[0]?.args.blocks)).toContain(`Taken by ${winner}`);
      expect(threadText(ts)).toContain(`${winner} already took this request`);
      expect(events.events.filter((m) => text(m).includes('is taking care of your request'))).toHaveLength(1);
      const store = new SqliteHandoffStore(sqliteDb(server.app));
      const record = await store.byThread({ channel: 'slack', conversationId: TECHS, threadId: ts });
      expect(record).toMatchObject({ state: 'taken', technician: { name: winner } });
      // The user can end it themselves.
      const bye = await chat(server, w, { text: 'end' });
      expect(JSON.stringify(bye.json.replies)).toContain('You ended the conversation');
      await slack.waitFor(() => threadText(ts).includes('The user ended the conversation'));
    } finally {
      events.close();
    }
  });

  it('watchdog: nobody takes it, the thread is reminded and the user told it is queued, once per interval, at most HANDOFF_MAX_REMINDERS times', async () => {
    const w = newUser();
    const events = await sse(server, w);
    try {
      const card = await escalate(server, w, 'a flickering screen');
      const ts = String(card.result.ts);
      await events.waitFor((e) => e.some((m) => text(m).includes('alerted the technicians')));
      const reminders = () => thread(ts).filter((c) => String(c.args.text).includes('Still waiting for someone'));
      const queued = () => events.events.filter((m) => text(m).includes('still waiting for a technician'));
      const start = Date.now();
      await server.app.sweep(new Date(start + 5 * 60_000));
      expect(reminders()).toHaveLength(0);
      await server.app.sweep(new Date(start + 11 * 60_000));
      await events.waitFor(() => queued().length === 1);
      expect(reminders()).toHaveLength(1);
      expect(String(reminders()[0]?.args.text)).toContain('Reminder 1 of 2');
      // Same interval: nothing more.
      await server.app.sweep(new Date(start + 12 * 60_000));
      expect(reminders()).toHaveLength(1);
      await server.app.sweep(new Date(start + 22 * 60_000));
      await events.waitFor(() => queued().length === 2);
      expect(String(reminders()[1]?.args.text)).toContain('Reminder 2 of 2');
      // Bounded.
      await server.app.sweep(new Date(start + 40 * 60_000));
      expect(reminders()).toHaveLength(2);
      expect(queued()).toHaveLength(2);
      // While queued the bot still answers, and "cancel" withdraws the request from the technicians.
      const answer = await chat(server, w, { text: 'my vpn does not connect' });
      expect(answer.json.replies.length).toBeGreaterThan(0);
      await chat(server, w, { text: 'cancel' });
      await slack.waitFor(() => threadText(ts).includes('no longer needs someone to join'));
      await take(server, card, KIM);
      await slack.waitFor(() => threadText(ts).includes('no longer waiting'));
    } finally {
      events.close();
    }
  });

  it('a restart in the middle of a handoff resumes it: the thread still reaches the user and the user the thread', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'handoff-restart-'));
    const first = await startTestApp({ ...env, DATA_DIR: dataDir });
    const w = newUser();
    let card: SlackCall;
    try {
      card = await escalate(first, w, 'a printer on fire');
      await take(first, card, KIM);
      await slack.waitFor(() => threadText(String(card.result.ts)).includes('took this request'));
    } finally {
      await first.stop();
    }
    const second = await startTestApp({ ...env, DATA_DIR: dataDir });
    const events = await sse(second, w);
    try {
      const ts = String(card.result.ts);
      await techSays(second, card, KIM, 'Please step away from the printer.');
      await events.waitFor((e) => e.some((m) => text(m).includes('step away from the printer')));
      const silent = await chat(second, w, { text: 'ok, done, it is smoking less' });
      expect(silent.json.replies).toEqual([]);
      await slack.waitFor(() => threadText(ts).includes('it is smoking less'));
      await techSays(second, card, KIM, 'hand back');
      await events.waitFor((e) => e.some((m) => text(m).includes('handed the conversation back to me')));
      // A typed rating counts too.
      const rated = await chat(second, w, { text: '5' });
      expect(JSON.stringify(rated.json.replies)).toContain('5/5');
    } finally {
      events.close();
      await second.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
