import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../../src/engine/i18n.js';
import { SqliteTicketStore as TicketStore } from '../../../src/storage/sqlite/ticket-store.js';
import { sqliteDb } from '../../helpers/sqlite-handle.js';
import { startOpenAIServer, type OpenAIServer } from '../../helpers/openai-server.js';
import { BOT_ID, BOT_USER_ID, TEAM_ID, startSlackApiServer, type SlackApiServer, type SlackCall } from '../../helpers/slack-api-server.js';
import { buttonsOf, click, nextTs, now, postEvent as postSlackEvent, send, slackSignature } from '../../helpers/slack-events.js';
import { startTestApp, type TestApp } from '../../server/start.js';

/**
 * Slack's agent experience, end to end over HTTP: signed events POSTed to the real server, the
 * bot's Web API calls recorded by the local Slack API server (assistant.threads.*, chat streaming,
 * reactions, views), a local OpenAI-compatible model for the written answers.
 */

const TOKEN = 'xoxb-3333-4444-agenttest';
const SECRET = '1f0e2d3c4b5a69788796a5b4c3d2e1f0';
const USER = 'U0EMPLOYEE1';
const OTHER = 'U0EMPLOYEE2';
const DM = 'D0AGENTDM01';
const CHANNEL = 'C0GENERAL01';
const KB = fileURLToPath(new URL('../../fixtures/kb-llm', import.meta.url));
const fr = (key: string): string => translator().t('fr', key);

const LONG_ANSWER =
  'Check that the internet works without the VPN: open any public website [2]. Disconnect the client, wait ten seconds and connect again [2]. ' +
  'Sign in with your work email address and approve the MFA request [2].';

const postEvent = (url: string, event: Record<string, unknown>) => postSlackEvent(url, SECRET, event);

/** A form-encoded interactivity payload (block_actions from a view, view_submission), signed. */
async function interact(url: string, payload: Record<string, unknown>): Promise<{ status: number; text: string }> {
  const body = new URLSearchParams({ payload: JSON.stringify({ api_app_id: 'A0HELPDESK', token: 'legacy-verification-token', team: { id: TEAM_ID, domain: 'helpdesk-test' }, is_enterprise_install: false, ...payload }) }).toString();
  return send(url, body, 'application/x-www-form-urlencoded', slackSignature(body, now(), SECRET));
}

function thread(type: 'assistant_thread_started' | 'assistant_thread_context_changed', threadTs: string, contextChannel: string): Record<string, unknown> {
  return {
    type,
    assistant_thread: { user_id: USER, context: { channel_id: contextChannel, team_id: TEAM_ID, enterprise_id: null }, channel_id: DM, thread_ts: threadTs },
    event_ts: nextTs(),
  };
}

const inThread = (text: string, threadTs: string, user = USER): Record<string, unknown> => ({
  type: 'message',
  channel: DM,
  channel_type: 'im',
  user,
  text,
  ts: nextTs(),
  thread_ts: threadTs,
  client_msg_id: randomUUID(),
});

describe('Slack agent experience', () => {
  let slack: SlackApiServer;
  let model: OpenAIServer;
  let server: TestApp;

  beforeAll(async () => {
    slack = await startSlackApiServer(TOKEN);
    slack.users.set(USER, { id: USER, name: 'lea', real_name: 'Léa Martin', locale: 'fr-FR', profile: { email: 'lea.martin@example.com', real_name: 'Léa Martin' } });
    slack.users.set(OTHER, { id: OTHER, name: 'sam', real_name: 'Sam Other', locale: 'en-US', profile: { email: 'sam.other@example.com' } });
    model = await startOpenAIServer();
    model.otherwise({ content: 'Disconnect the client, wait ten seconds and connect again [2].' });
    server = await startTestApp({
      KB_DIR: KB,
      LLM_MODEL: 'gpt-test',
      OPENAI_BASE_URL: model.openaiBaseUrl,
      OPENAI_API_KEY: 'sk-test',
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.url,
    });
  });

  afterAll(async () => {
    await server?.stop();
    await slack?.close();
    await model?.close();
  });

  const index = (call: SlackCall | undefined): number => (call ? slack.calls.indexOf(call) : -1);

  it('greets a new agent thread in the user\'s language with suggested prompts (the shipped list without history)', async () => {
    const threadTs = nextTs();
    expect((await postEvent(server.url, thread('assistant_thread_started', threadTs, CHANNEL))).status).toBe(200);
    await slack.waitFor(() => slack.of('assistant.threads.setSuggestedPrompts').some((c) => c.args.thread_ts === threadTs));
    const greeting = slack.of('chat.postMessage').find((c) => c.args.thread_ts === threadTs)!;
    expect(greeting.args).toMatchObject({ channel: DM, text: fr('channels.slack.greeting') });
    const prompts = slack.of('assistant.threads.setSuggestedPrompts').find((c) => c.args.thread_ts === threadTs)!.args;
    expect(prompts).toMatchObject({ channel_id: DM, title: fr('channels.slack.prompts_title') });
    const list = prompts.prompts as Array<{ title: string; message: string }>;
    expect(list).toHaveLength(4);
    expect(list[0]).toEqual({ title: fr('prompts.default.1.title'), message: fr('prompts.default.1.message') });
  });

  it('greets a thread once when Slack delivers its start twice (a retry, or a second delivery with another event id)', async () => {
    const threadTs = nextTs();
    const started = thread('assistant_thread_started', threadTs, CHANNEL);
    expect((await postEvent(server.url, started)).status).toBe(200);
    expect((await postEvent(server.url, started)).status).toBe(200);
    await slack.waitFor(() => slack.of('chat.postMessage').some((c) => c.args.thread_ts === threadTs));
    // Give a second greeting the time to arrive if the de-duplication let it through.
    await new Promise((r) => setTimeout(r, 600));
    expect(slack.of('chat.postMessage').filter((c) => c.args.thread_ts === threadTs)).toHaveLength(1);
    expect(slack.of('assistant.threads.setSuggestedPrompts').filter((c) => c.args.thread_ts === threadTs)).toHaveLength(1);
  });

  it('keeps a changed thread context itself: no call to Slack (Bolt\'s default store would read and rewrite the thread)', async () => {
    const threadTs = nextTs();
    const before = slack.calls.length;
    expect((await postEvent(server.url, thread('assistant_thread_context_changed', threadTs, 'C0OTHERCHAN'))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 400));
    expect(slack.calls.slice(before)).toEqual([]);
  });

  it('shows a status while searching, titles the thread from the question, then streams the checked answer with sources and 👍/👎', async () => {
    const threadTs = nextTs();
    const question = "my vpn won't connect from home";
    model.reply({ content: LONG_ANSWER });
    expect((await postEvent(server.url, inThread(question, threadTs))).status).toBe(200);
    await slack.waitFor(() => slack.of('chat.stopStream').length > 0 && [...slack.streams.values()].some((s) => s.thread_ts === threadTs && s.state === 'completed'));
    const status = slack.of('assistant.threads.setStatus').find((c) => c.args.thread_ts === threadTs);
    // The user's Slack locale is French: the status is too.
    expect(status?.args).toMatchObject({ channel_id: DM, status: fr('channels.slack.status_searching') });
    expect(slack.of('assistant.threads.setTitle').find((c) => c.args.thread_ts === threadTs)?.args).toMatchObject({ channel_id: DM, title: question });

    const start = slack.of('chat.startStream').find((c) => c.args.thread_ts === threadTs)!;
    expect(start.args).toMatchObject({ channel: DM, recipient_user_id: USER, recipient_team_id: TEAM_ID });
    expect(index(status)).toBeLessThan(index(start));
    const stream = [...slack.streams.values()].find((s) => s.thread_ts === threadTs)!;
    expect(stream.text).toContain('Disconnect the client, wait ten seconds and connect again [1].');
    expect(stream.text).toContain('approve the MFA request [1].');
    // Started, appended to, then closed with the blocks.
    expect(slack.of('chat.appendStream').filter((c) => c.args.ts === stream.ts).length).toBeGreaterThan(0);
    const closing = JSON.stringify(stream.blocks);
    expect(closing).toContain('VPN will not connect');
    expect(closing).toContain('"type":"context_actions"');
    expect(closing).toContain('"type":"feedback_buttons"');
    // Nothing of it went out as an ordinary message.
    expect(slack.of('chat.postMessage').filter((c) => c.args.thread_ts === threadTs)).toEqual([]);

    // A second question in the same thread keeps the title.
    await postEvent(server.url, inThread('and error 809?', threadTs));
    await slack.waitFor(() => slack.of('assistant.threads.setStatus').filter((c) => c.args.thread_ts === threadTs).length === 2);
    await slack.waitFor(() => [...slack.streams.values()].filter((s) => s.thread_ts === threadTs && s.state === 'completed').length === 2 || slack.of('chat.postMessage').some((c) => c.args.thread_ts === threadTs));
    expect(slack.of('assistant.threads.setTitle').filter((c) => c.args.thread_ts === threadTs)).toHaveLength(1);
  });

  it('never shows a written answer that fails the grounding check: the article is posted instead, not streamed', async () => {
    const threadTs = nextTs();
    model.reply({ content: 'Reinstall Windows and send your password to the helpdesk [1].' });
    await postEvent(server.url, inThread('cannot connect to the vpn from home', threadTs));
    await slack.waitFor(() => slack.of('chat.postMessage').some((c) => c.args.thread_ts === threadTs));
    expect(slack.of('chat.startStream').filter((c) => c.args.thread_ts === threadTs)).toEqual([]);
    expect(JSON.stringify(slack.calls.map((c) => c.args))).not.toContain('Reinstall Windows');
    const posted = slack.of('chat.postMessage').find((c) => c.args.thread_ts === threadTs)!;
    expect(JSON.stringify(posted.args.blocks)).toContain('VPN will not connect');
  });

  it('takes back a streamed sentence when a later one fails the check: the article replaces the message, the failing sentence is never sent', async () => {
    const threadTs = nextTs();
    model.reply({
      content:
        'Check that the internet works without the VPN: open any public website [2]. Disconnect the client, wait ten seconds and connect again [2]. ' +
        'Then send your password to the helpdesk by email [2].',
    });
    await postEvent(server.url, inThread('vpn will not connect, what now', threadTs));
    await slack.waitFor(() => [...slack.streams.values()].some((s) => s.thread_ts === threadTs && s.state === 'completed'));
    const stream = [...slack.streams.values()].find((s) => s.thread_ts === threadTs)!;
    // The first sentence passed the check on its own and was shown…
    expect(stream.text).toContain('Disconnect the client');
    // …then the message was replaced by the extractive answer.
    await slack.waitFor(() => slack.of('chat.update').some((c) => c.args.ts === stream.ts));
    const replaced = slack.of('chat.update').find((c) => c.args.ts === stream.ts)!.args;
    expect(JSON.stringify(replaced.blocks)).toContain('VPN will not connect');
    expect(JSON.stringify(replaced.blocks)).not.toContain('Disconnect the client, wait ten seconds and connect again [');
    expect(JSON.stringify(slack.calls.map((c) => c.args))).not.toContain('send your password');
  });

  it('stores a 👍 from feedback_buttons in the same feedback store as the Yes button', async () => {
    const threadTs = nextTs();
    await postEvent(server.url, inThread('vpn error 809', threadTs));
    await slack.waitFor(() => [...slack.streams.values()].some((s) => s.thread_ts === threadTs && s.state === 'completed'));
    const stream = [...slack.streams.values()].find((s) => s.thread_ts === threadTs)!;
    const blocks = stream.blocks as Array<{ type: string; elements?: Array<Record<string, any>> }>;
    const feedback = blocks.find((b) => b.type === 'context_actions')!.elements![0]!;
    expect(feedback.action_id).toBe('helpdesk.feedback');
    // The Yes/No buttons are still there and carry the same payloads.
    const yes = buttonsOf(blocks).find((b) => JSON.parse(b.value).v === 'yes')!;
    expect(JSON.parse(feedback.positive_button.value)).toEqual(JSON.parse(yes.value));

    const before = (await server.app.store.feedback({ articleId: 'vpn-cannot-connect' })).length;
    const res = await interact(server.url, {
      type: 'block_actions',
      user: { id: USER, username: 'lea', name: 'lea', team_id: TEAM_ID },
      container: { type: 'message', message_ts: stream.ts, channel_id: DM, is_ephemeral: false },
      trigger_id: `${Date.now()}.1.feedback`,
      channel: { id: DM, name: 'directmessage' },
      message: { type: 'message', user: BOT_USER_ID, bot_id: BOT_ID, ts: stream.ts, thread_ts: threadTs, text: stream.text, blocks },
      response_url: 'https://hooks.slack.invalid/actions/T0/2/def',
      actions: [{ type: 'feedback_buttons', action_id: 'helpdesk.feedback', block_id: 'fb', value: feedback.positive_button.value, text: { type: 'plain_text', text: '👍' }, action_ts: nextTs() }],
    });
    expect(res.status).toBe(200);
    await slack.waitFor(() => slack.of('chat.update').some((c) => c.args.ts === stream.ts));
    let stored = await server.app.store.feedback({ articleId: 'vpn-cannot-connect' });
    for (const deadline = Date.now() + 5000; stored.length === before && Date.now() < deadline; stored = await server.app.store.feedback({ articleId: 'vpn-cannot-connect' })) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(stored.length).toBe(before + 1);
    expect(stored.at(-1)).toMatchObject({ value: 'yes', channel: 'slack' });
    // The clicked message lost its buttons and 👍/👎, so nobody answers twice.
    const update = slack.of('chat.update').find((c) => c.args.ts === stream.ts)!.args;
    expect(JSON.stringify(update.blocks)).not.toContain('feedback_buttons');
    expect(buttonsOf(update.blocks)).toEqual([]);
  });

  it('reacts with 👀 to a channel mention before answering it', async () => {
    const ts = nextTs();
    await postEvent(server.url, { type: 'app_mention', channel: CHANNEL, user: OTHER, text: `<@${BOT_USER_ID}> vpn won't connect`, ts, client_msg_id: randomUUID() });
    await slack.waitFor(() => slack.of('chat.postMessage').some((c) => c.args.thread_ts === ts) || slack.of('chat.startStream').some((c) => c.args.thread_ts === ts));
    const reaction = slack.of('reactions.add').find((c) => c.args.timestamp === ts);
    expect(reaction?.args).toMatchObject({ channel: CHANNEL, name: 'eyes' });
    const answer = slack.calls.find((c) => (c.method === 'chat.postMessage' || c.method === 'chat.startStream') && c.args.thread_ts === ts);
    expect(index(reaction)).toBeLessThan(index(answer));
    // The written answer is streamed in the mention's thread; outside a DM the stream names its recipient, as chat.startStream requires.
    expect(answer?.method).toBe('chat.startStream');
    expect(answer?.args).toMatchObject({ channel: CHANNEL, recipient_user_id: OTHER, recipient_team_id: TEAM_ID });
  });

  it('publishes the Home tab with the user\'s open tickets, and adds a comment from the modal to the ticket', async () => {
    // A ticket for the user: escalation from a DM, confirmed.
    const dm = 'D0HOMETEST1';
    await postEvent(server.url, { type: 'message', channel: dm, channel_type: 'im', user: USER, text: 'I want to talk to a technician', ts: nextTs(), client_msg_id: randomUUID() });
    await slack.waitFor(() => slack.of('chat.postMessage').some((c) => c.args.channel === dm));
    const confirm = slack.of('chat.postMessage').filter((c) => c.args.channel === dm).at(-1)!;
    const yes = buttonsOf(confirm.args.blocks).find((b) => JSON.parse(b.value).a === 'escalate' && JSON.parse(b.value).v === 'yes')!;
    await click(server.url, SECRET, { channel: dm, ts: String(confirm.result.ts), text: confirm.args.text, blocks: confirm.args.blocks }, yes, USER);
    await slack.waitFor(() => slack.of('chat.postMessage').some((c) => c.args.channel === dm && /HD-\d{6}/.test(JSON.stringify(c.args.blocks))), 15_000);
    const number = /HD-\d{6}/.exec(JSON.stringify(slack.of('chat.postMessage').filter((c) => c.args.channel === dm).map((c) => c.args.blocks)))![0];

    await postEvent(server.url, { type: 'app_home_opened', user: USER, channel: dm, tab: 'home', event_ts: nextTs() });
    await slack.waitFor(() => slack.of('views.publish').some((c) => c.args.user_id === USER));
    const home = slack.of('views.publish').find((c) => c.args.user_id === USER)!.args.view as { type: string; blocks: Array<Record<string, any>> };
    expect(home.type).toBe('home');
    const row = home.blocks.find((b) => b.type === 'section' && JSON.stringify(b).includes(number))!;
    expect(row.text.text).toContain(translator().t('fr', 'dialogue.status.state.new'));
    expect(row.accessory).toMatchObject({ type: 'button', action_id: 'helpdesk.home.comment', value: number });

    // Someone else's Home tab does not list it.
    await postEvent(server.url, { type: 'app_home_opened', user: OTHER, channel: 'D0OTHERHOME', tab: 'home', event_ts: nextTs() });
    await slack.waitFor(() => slack.of('views.publish').some((c) => c.args.user_id === OTHER));
    const otherHome = JSON.stringify(slack.of('views.publish').find((c) => c.args.user_id === OTHER)!.args.view);
    expect(otherHome).not.toContain(number);
    expect(otherHome).toContain(translator().t('en', 'channels.slack.home.none'));

    // The button opens the comment modal.
    const triggerId = `${Date.now()}.2.home`;
    await interact(server.url, {
      type: 'block_actions',
      user: { id: USER, username: 'lea', name: 'lea', team_id: TEAM_ID },
      container: { type: 'view', view_id: 'V0HOME' },
      trigger_id: triggerId,
      view: { id: 'V0HOME', type: 'home', blocks: home.blocks },
      actions: [{ type: 'button', action_id: 'helpdesk.home.comment', block_id: 'row', value: number, text: { type: 'plain_text', text: 'Ajouter un commentaire' }, action_ts: nextTs() }],
    });
    await slack.waitFor(() => slack.of('views.open').some((c) => c.args.trigger_id === triggerId));
    const modal = slack.of('views.open').find((c) => c.args.trigger_id === triggerId)!.args.view as Record<string, any>;
    expect(modal).toMatchObject({ type: 'modal', callback_id: 'helpdesk.comment' });

    const submit = (user: string, text: string) =>
      interact(server.url, {
        type: 'view_submission',
        user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM_ID },
        trigger_id: `${Date.now()}.3.submit`,
        view: { ...modal, id: 'V0MODAL', state: { values: { comment: { text: { type: 'plain_text_input', value: text } } } } },
      });
    const history = async () => (await new TicketStore(sqliteDb(server.app)).history(number)).filter((e) => e.kind === 'commented');

    // Someone else submitting against this ticket is refused, and nothing is added.
    const refused = await submit(OTHER, 'I am not the requester');
    expect(refused.status).toBe(200);
    expect(JSON.parse(refused.text)).toMatchObject({ response_action: 'errors' });
    // A password is refused, never stored.
    const secret = await submit(USER, 'my password is Hunter2!xyz');
    expect(JSON.parse(secret.text)).toMatchObject({ response_action: 'errors', errors: { comment: fr('channels.slack.home.comment_secret') } });
    expect(await history()).toEqual([]);

    const added = await submit(USER, 'It also fails on the guest Wi-Fi.');
    expect(JSON.parse(added.text)).toMatchObject({ response_action: 'update' });
    expect(await history()).toHaveLength(1);
    expect((await history())[0]).toMatchObject({ note: 'It also fails on the guest Wi-Fi.', actor: 'Léa Martin' });
  });
});
