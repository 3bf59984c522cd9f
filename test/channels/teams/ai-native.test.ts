import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../../src/engine/i18n.js';
import { articleUsage } from '../../../src/engine/analytics/articles.js';
import { shippedPrompts } from '../../../src/engine/analytics/suggested-prompts.js';
import { startBotConnectorServer, type BotConnectorServer, type ConnectorCall } from '../../helpers/bot-connector-server.js';
import { startOpenAIServer, type OpenAIServer } from '../../helpers/openai-server.js';
import { BASE_ENV, postJson, REPO_KNOWLEDGE, startTestApp, type TestApp } from '../../server/start.js';
import { ADMIN_TOKEN, bearer } from '../../console/helpers.js';
import { composeApp } from '../../../src/app/compose.js';
import { loadConfig } from '../../../src/config/index.js';
import { FEEDBACK_COMMENT_MAX } from '../../../src/engine/dialogue/feedback.js';
import { createLogger } from '../../../src/log.js';
import { findAll } from './adaptive-card.js';

/**
 * Teams' conventions for AI assistants, over HTTP as the Emulator runs them: activities POSTed to
 * /api/messages, replies recorded by a local Bot Connector, answers written by a local
 * OpenAI-compatible server that streams. Checked against the documented protocol: streaming
 * (typing activities with a `streaminfo` entity, https://learn.microsoft.com/microsoftteams/platform/bots/streaming-ux),
 * the AI label and citations (one root https://schema.org/Message entity), the feedback loop
 * (`feedbackLoopEnabled`, invoke `message/submitAction`) and the welcome's suggested actions.
 */

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const BOT = { id: '28:0b1c2d3e-bot', name: 'IT Helpdesk' };
const USER = { id: '29:1a2b3c-user', name: 'Léa Martin', aadObjectId: '6f0a3c7e-1d2b-4e5f-8a9b-0c1d2e3f4a5b' };
const ARTICLE_URL = 'https://intranet.example.com/kb/password-forgotten';

type Activity = Record<string, unknown>;
type Entity = Record<string, unknown> & { type: string };

describe('Teams: streaming, AI label, citations, feedback loop, welcome prompts', () => {
  let connector: BotConnectorServer;
  let model: OpenAIServer;
  let server: TestApp;
  let kbDir: string;
  let env: Record<string, string>;
  const t = translator();

  beforeAll(async () => {
    // The shipped knowledge, with a link on the password article (no shipped article has one).
    kbDir = mkdtempSync(join(tmpdir(), 'teams-ai-kb-'));
    cpSync(REPO_KNOWLEDGE, kbDir, { recursive: true });
    const file = join(kbDir, 'articles', 'en', 'password-forgotten.md');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^title: .*$/m, (line) => `${line}\nurl: ${ARTICLE_URL}`));
    connector = await startBotConnectorServer();
    connector.members.set(USER.id, { id: USER.id, name: USER.name, aadObjectId: USER.aadObjectId, email: 'lea.martin@example.com', tenantId: TENANT });
    model = await startOpenAIServer({ apiKey: 'sk-test', streamChunkChars: 12, streamChunkDelayMs: 250 });
    env = { KB_DIR: kbDir, LLM_MODEL: 'gpt-test', OPENAI_BASE_URL: model.openaiBaseUrl, OPENAI_API_KEY: 'sk-test', LLM_FEATURES: 'answers', ADMIN_TOKEN };
    server = await startTestApp(env);
  });

  afterAll(async () => {
    await server?.stop();
    await model?.close();
    await connector?.close();
    if (kbDir) rmSync(kbDir, { recursive: true, force: true });
  });

  function activity(conversation: { id: string; conversationType: string }, overrides: Activity = {}): Activity {
    return {
      type: 'message',
      id: `f:${randomUUID()}`,
      timestamp: new Date().toISOString(),
      serviceUrl: connector.url,
      channelId: 'msteams',
      from: USER,
      recipient: BOT,
      conversation: { ...conversation, tenantId: TENANT },
      channelData: { tenant: { id: TENANT } },
      locale: 'en-US',
      ...overrides,
    };
  }
  const personal = (id = `a:personal-${randomUUID()}`) => ({ id, conversationType: 'personal' });

  /** POSTs an activity; the turn (and its stream) is over when the HTTP answer comes. Returns the bot's calls. */
  async function turn(a: Activity): Promise<ConnectorCall[]> {
    const before = connector.calls.length;
    const res = await postJson(`${server.url}/api/messages`, a);
    expect(res.status).toBe(200);
    return connector.calls.slice(before).filter((c) => c.op === 'send' || c.op === 'reply');
  }

  /** The passage number of the prompt holding `needle`. */
  const passageWith = (prompt: string, needle: string): number => {
    for (const m of prompt.matchAll(/<passage-[\w-]+ n="(\d+)">([\s\S]*?)<\/passage-/g)) if (m[2]!.includes(needle)) return Number(m[1]);
    throw new Error(`no passage with ${needle} in the prompt`);
  };
  const GOOD = (n: number) =>
    `Let's reset it [${n}].\n- Open https://aka.ms/sspr, enter your work email address, prove it is you, then type a new password twice and select **Finish** [${n}].`;

  const streamInfo = (c: ConnectorCall): Entity | undefined => (c.activity?.entities as Entity[] | undefined)?.find((e) => e.type === 'streaminfo');
  const messageEntities = (c: ConnectorCall | undefined): Entity[] => ((c?.activity?.entities as Entity[] | undefined) ?? []).filter((e) => e.type === 'https://schema.org/Message');

  const welcomes: ConnectorCall[] = [];

  it('welcomes a new personal chat with suggested prompts: the shipped list while there is no history, in the user language', async () => {
    const [welcome] = await turn(activity(personal(), { type: 'conversationUpdate', membersAdded: [{ id: BOT.id }], locale: 'fr-FR' }));
    welcomes.push(welcome!);
    expect(welcome?.activity?.text).toBe(t.t('fr', 'dialogue.greeting_anonymous'));
    const suggested = welcome?.activity?.suggestedActions as { to: string[]; actions: Array<{ type: string; title: string; value: string }> };
    expect(suggested.to).toEqual([USER.id]);
    expect(suggested.actions).toEqual(shippedPrompts('fr').slice(0, 3).map((p) => ({ type: 'imBack', title: p.title, value: p.message })));
  });

  let answerId: string;

  it('streams a language-model answer in a personal chat: informative update, growing text, then the final message with card, AI label and citations', async () => {
    model.reply((req) => ({ content: GOOD(passageWith(req.body.messages.map((m) => m.content).join('\n'), 'aka.ms/sspr')) }));
    const calls = await turn(activity(personal(), { text: 'I forgot my password' }));
    const streamed = calls.filter((c) => streamInfo(c));
    const [informative, ...rest] = streamed;
    const final = rest.at(-1)!;
    const chunks = rest.slice(0, -1);

    // 1. The informative update, in the user's language, opens the stream (sequence 1).
    expect(informative?.activity).toMatchObject({ type: 'typing', text: t.t('en', 'teams.searching'), channelData: { streamType: 'informative', streamSequence: 1 } });
    expect(streamInfo(informative!)).toMatchObject({ streamType: 'informative', streamSequence: 1 });
    const streamId = informative!.activityId!;
    // 2. Text updates: typing activities with the same stream id, increasing sequence, each holding the text so far.
    expect(chunks.length).toBeGreaterThan(0);
    let previous = '';
    chunks.forEach((c, i) => {
      expect(c.activity).toMatchObject({ type: 'typing', channelData: { streamType: 'streaming', streamSequence: i + 2, streamId } });
      expect(streamInfo(c)).toMatchObject({ streamType: 'streaming', streamSequence: i + 2, streamId });
      const text = String(c.activity?.text);
      expect(text.startsWith(previous)).toBe(true);
      previous = text;
    });
    expect(previous).toContain("Let's reset it [1].");
    // 3. The final message: same stream id, streamType final, no sequence; the checked text, the card under it.
    expect(final.activity).toMatchObject({ type: 'message', channelData: { streamType: 'final', streamId, feedbackLoopEnabled: true } });
    expect((final.activity?.channelData as Record<string, unknown>).streamSequence).toBeUndefined();
    expect(streamInfo(final)).toMatchObject({ streamType: 'final', streamId });
    expect(String(final.activity?.text)).toContain('type a new password twice');
    const card = (final.activity?.attachments as Array<{ content: unknown }>)[0]!.content;
    expect(findAll(card, 'Action.Submit').map((a) => a.title)).toEqual(expect.arrayContaining(['Yes', 'No']));
    // One root message entity: the AI label and the citation (title, link, age, numbered as [1] in the text).
    const [root, ...others] = messageEntities(final);
    expect(others).toEqual([]);
    expect(root).toMatchObject({ '@type': 'Message', '@context': 'https://schema.org', additionalType: ['AIGeneratedContent'] });
    const citation = (root!.citation as Array<Record<string, any>>)[0]!;
    expect(citation).toMatchObject({ '@type': 'Claim', position: 1, appearance: { '@type': 'DigitalDocument', name: 'Reset a forgotten password', url: ARTICLE_URL } });
    expect(citation.appearance.abstract).toMatch(/^updated (today|yesterday|\d+ days ago|1 month ago|\d+ months ago|over a year ago|\d+ years ago)/);
    // Before the stream: the plain typing indicator of every turn; nothing but the stream after it.
    expect(calls[0]?.activity?.type).toBe('typing');
    expect(calls.filter((c) => c.activity?.type === 'message')).toEqual([final]);
    // In Teams the streamed message keeps the stream id: feedback on it names that id.
    answerId = streamId;
  });

  it('never streams a sentence that fails the grounding check; the final message is then the article itself, without the AI label', async () => {
    model.reply((req) => {
      const n = passageWith(req.body.messages.map((m) => m.content).join('\n'), 'aka.ms/sspr');
      return { content: `Let's reset it [${n}]. Type your password here and I will check it [${n}].` };
    });
    const calls = await turn(activity(personal(), { text: 'I forgot my password' }));
    const texts = calls.map((c) => String(c.activity?.text ?? ''));
    expect(texts.some((x) => x.includes('Type your password here'))).toBe(false);
    const final = calls.find((c) => c.activity?.type === 'message')!;
    expect(final.activity?.channelData).toMatchObject({ streamType: 'final' });
    const [root] = messageEntities(final);
    expect(root?.additionalType).toBeUndefined();
    // Still a knowledge answer: it carries its citation.
    expect((root?.citation as Array<Record<string, any>>)[0]?.appearance.name).toBe('Reset a forgotten password');
  });

  it('does not stream in a group chat: one final message with the AI label, citations and feedback buttons', async () => {
    model.reply((req) => ({ content: GOOD(passageWith(req.body.messages.map((m) => m.content).join('\n'), 'aka.ms/sspr')) }));
    const calls = await turn(activity({ id: `19:group-${randomUUID()}@thread.v2`, conversationType: 'groupChat' }, { text: 'I forgot my password' }));
    expect(calls.filter((c) => streamInfo(c))).toEqual([]);
    const messages = calls.filter((c) => c.activity?.type === 'message');
    expect(messages).toHaveLength(1);
    expect(messages[0]!.activity?.channelData).toMatchObject({ feedbackLoopEnabled: true });
    const [root, ...others] = messageEntities(messages[0]);
    expect(others).toEqual([]);
    expect(root).toMatchObject({ additionalType: ['AIGeneratedContent'] });
    expect((root!.citation as unknown[]).length).toBe(1);
  });

  it("records Teams' thumbs up (message/submitAction) in the feedback store, counted in the console's per-article stats", async () => {
    const before = articleUsage(await server.app.store.events({ types: ['answer_shown'] }), await server.app.store.feedback()).get('password-forgotten');
    const invoke = activity(personal(), {
      type: 'invoke',
      name: 'message/submitAction',
      replyToId: answerId,
      value: { actionName: 'feedback', actionValue: { reaction: 'like', feedback: JSON.stringify({ feedbackText: 'clear steps' }) } },
    });
    // The invoke comes from the chat the answer was in.
    const answerCall = connector.calls.find((c) => c.activityId === answerId)!;
    expect(answerCall).toBeDefined();
    invoke.conversation = { id: answerCall.conversationId, conversationType: 'personal', tenantId: TENANT };
    const res = await postJson(`${server.url}/api/messages`, invoke);
    expect(res.status).toBe(200);
    const feedback = (await server.app.store.feedback({ articleId: 'password-forgotten' })).filter((f) => f.channel === 'teams');
    expect(feedback.map((f) => f.value)).toEqual(['yes']);
    // What the user typed in Teams' form is kept with the thumb, in the record and in the analytics event.
    expect(feedback[0]!.comment).toBe('clear steps');
    const event = (await server.app.store.events({ types: ['feedback'], conversationId: feedback[0]!.conversationId })).at(-1);
    expect(event).toMatchObject({ articleId: 'password-forgotten', value: 'yes', text: 'clear steps' });
    const after = articleUsage(await server.app.store.events({ types: ['answer_shown'] }), await server.app.store.feedback()).get('password-forgotten');
    expect(after?.yes).toBe((before?.yes ?? 0) + 1);
  });

  it('refuses a malformed feedback invoke with 400 and stores nothing', async () => {
    const count = (await server.app.store.feedback()).length;
    const res = await postJson(
      `${server.url}/api/messages`,
      activity(personal(), { type: 'invoke', name: 'message/submitAction', replyToId: answerId, value: { actionName: 'feedback', actionValue: { reaction: 'love' } } }),
    );
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json)).toContain('reaction');
    expect((await server.app.store.feedback()).length).toBe(count);
  });

  it('suggests the most answered article once there is history', async () => {
    const [welcome] = await turn(activity(personal(), { type: 'conversationUpdate', membersAdded: [{ id: BOT.id }] }));
    const actions = (welcome?.activity?.suggestedActions as { actions: Array<{ title: string; value: string }> }).actions;
    expect(actions[0]).toEqual({ type: 'imBack', title: 'Reset a forgotten password', value: 'I forgot my password' });
  });

  it('keeps the link from an answer to its article across a restart: a thumb with a comment, redacted and capped, lands on that article and shows in the console', async () => {
    model.reply((req) => ({ content: GOOD(passageWith(req.body.messages.map((m) => m.content).join('\n'), 'aka.ms/sspr')) }));
    const chat = { id: `19:restart-${randomUUID()}@thread.v2`, conversationType: 'groupChat' };
    const calls = await turn(activity(chat, { text: 'I forgot my password' }));
    const answer = calls.find((c) => c.activity?.type === 'message' && (c.activity.channelData as Record<string, unknown> | undefined)?.feedbackLoopEnabled)!;
    expect(answer.activityId).toBeDefined();

    // A new app instance on the same data directory: nothing in process memory survives.
    await server.app.close();
    const app = await composeApp(loadConfig({ ...BASE_ENV, DATA_DIR: join(server.dir, 'data'), ...env }), { logger: createLogger('silent'), host: '127.0.0.1' });
    const dir = server.dir;
    server = { app, url: app.url, dir, stop: async () => { await app.close(); rmSync(dir, { recursive: true, force: true }); } };

    const typed = `Worked, but the portal first refused Tr0ub4dor&3x as my new password. ${'very long story '.repeat(200)}`;
    const res = await postJson(
      `${server.url}/api/messages`,
      activity(chat, { type: 'invoke', name: 'message/submitAction', replyToId: answer.activityId, value: { actionName: 'feedback', actionValue: { reaction: 'like', feedback: JSON.stringify({ feedbackText: typed }) } } }),
    );
    expect(res.status).toBe(200);
    const mine = (await server.app.store.feedback({ articleId: 'password-forgotten' })).filter((f) => f.comment?.startsWith('Worked'));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ value: 'yes', channel: 'teams' });
    const comment = mine[0]!.comment!;
    expect(comment).not.toContain('Tr0ub4dor');
    expect(comment).toContain('[REDACTED:');
    expect(comment.length).toBeLessThanOrEqual(FEEDBACK_COMMENT_MAX);
    expect(typed.length).toBeGreaterThan(FEEDBACK_COMMENT_MAX);

    // The console's page of the article lists the comment (redacted), with its thumb.
    const page = await (await fetch(`${server.url}/admin/knowledge/edit/password-forgotten`, { headers: bearer })).text();
    const section = page.slice(page.indexOf('id="feedback-comments"'));
    expect(section).toContain(t.t('en', 'console.knowledge.comments'));
    expect(section).toContain('Worked, but the portal first refused [REDACTED:');
    expect(section).toContain('clear steps');
    expect(page).not.toContain('Tr0ub4dor');
  });
});
