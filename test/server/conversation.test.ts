import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { escalationPacketSchema, type EscalationPacket } from '../../src/engine/escalation/packet.js';
import { startOpenAIServer, type OpenAIServer } from '../helpers/openai-server.js';
import { answerContact } from '../helpers/web-contact.js';
import { postJson, startTestApp, type TestApp } from './start.js';
import { sqliteDb } from '../helpers/sqlite-handle.js';

/**
 * Issue 16, items 1–6, end to end: the composed server (web chat API, repository knowledge,
 * SQLite, the local ticket system behind the outbox), and what reaches the ticket.
 */

type Reply = { parts: Array<Record<string, any>>; inputTruncated?: { readChars: number; totalChars: number } };

function textOf(replies: Reply[]): string {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === 'choices') continue;
      if (typeof v === 'string' && (k === 'text' || k === 'label' || k === 'url' || k === 'title')) out.push(v);
      else walk(v);
    }
  };
  walk(replies.map((r) => r.parts));
  return out.join(' ');
}
const buttons = (replies: Reply[]) => replies.flatMap((r) => r.parts.flatMap((p) => (p.kind === 'choices' ? (p.choices as Array<{ label: string; value: object }>) : [])));

function conversation(server: TestApp, locale = 'en-GB') {
  const conversationId = randomUUID();
  const user = { id: randomUUID(), name: 'Sam Taylor', locale };
  let last: Reply[] = [];
  const post = async (turn: { text: string } | { action: { payload: object } }) => {
    const res = await postJson(`${server.url}/api/chat`, { conversationId, messageId: randomUUID(), user, ...turn });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    return res;
  };
  // Anonymous web sessions are asked a name and an e-mail before a ticket opens: answered here,
  // as the user would, so the turns below are about the conversation itself.
  const contact = { name: user.name, email: 'sam.taylor@example.org' };
  return {
    conversationId,
    async say(text: string): Promise<Reply[]> {
      const res = await answerContact(await post({ text }), (t) => post({ text: t }), contact);
      last = res.json.replies;
      return last;
    },
    async click(label: string): Promise<Reply[]> {
      const button = buttons(last).find((b) => b.label === label);
      expect(button, `no button "${label}" in: ${textOf(last)}`).toBeDefined();
      const res = await answerContact(await post({ action: { payload: button!.value } }), (t) => post({ text: t }), contact);
      last = res.json.replies;
      return last;
    },
  };
}

function packets(server: TestApp): EscalationPacket[] {
  const rows = sqliteDb(server.app).prepare('SELECT packet_json FROM ticket_outbox ORDER BY rowid').all() as Array<{ packet_json: string }>;
  return rows.map((r) => escalationPacketSchema.parse(JSON.parse(r.packet_json)));
}
const packetOf = (server: TestApp, conversationId: string) => packets(server).filter((p) => p.conversationId === conversationId);

describe('conversations on the real server (issue 16)', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startTestApp({ REQUEST_PORTALS: JSON.stringify({ hr: { url: 'https://hr.example.com', label: { en: 'the HR portal', fr: 'le portail RH' } } }) });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('1. a ticket offer waits: the weather and a new question never become its details; the offer stays as a button', async () => {
    const c = conversation(server);
    await c.say('I need a new role in SAP for the month-end close');
    expect(buttons(await c.say("what's the weather")).map((b) => b.label)).toEqual(['Open the ticket', 'No thanks']);
    const vpn = await c.say("my vpn won't connect, error 809");
    expect(vpn.flatMap((r) => r.parts).filter((p) => p.kind === 'citation').map((p) => p.articleId)).toContain('vpn-cannot-connect');
    expect(packetOf(server, c.conversationId)).toEqual([]);
    await c.click('Open that ticket');
    const [packet, ...more] = packetOf(server, c.conversationId);
    expect(more).toEqual([]);
    expect(packet).toMatchObject({ reason: 'gate', question: 'I need a new role in SAP for the month-end close' });
    expect(packet?.userDetails).toBeUndefined();
    // The ticket's topic is the SAP question: the VPN answer is another topic.
    expect(packet?.articlesShown.map((a) => a.articleId) ?? []).not.toContain('vpn-cannot-connect');

    // Details that fit the prompt are still taken as details.
    const d = conversation(server);
    await d.say('I need a new role in SAP for the month-end close');
    await d.say('My manager already approved it by email');
    expect(packetOf(server, d.conversationId)[0]?.userDetails).toBe('My manager already approved it by email');
  });

  it('2. not-IT requests: the bot says what it is for, points to the configured portal or says who to ask, and offers no ticket', async () => {
    const c = conversation(server);
    const hr = await c.say('my payslip isnt showing in the hr portal this month');
    expect(textOf(hr)).toContain('https://hr.example.com');
    expect(buttons(hr)).toEqual([]);
    const purchase = await c.say('can you order me a new laptop');
    expect(textOf(purchase)).toContain('please ask your manager');
    expect(buttons(purchase)).toEqual([]);
    const fr = conversation(server, 'fr-FR');
    expect(textOf(await fr.say('comment déclarer mes frais kilométriques'))).toContain('le portail RH');
    expect(packets(server).filter((p) => p.conversationId === c.conversationId || p.conversationId === fr.conversationId)).toEqual([]);
    const routes = sqliteDb(server.app).prepare("SELECT value FROM conversation_events WHERE type = 'intent' AND decision = 'route'").all() as Array<{ value: string }>;
    expect(routes.map((r) => r.value)).toEqual(expect.arrayContaining(['hr', 'purchase']));
  });

  it('2. REQUEST_PORTALS is validated at start', () => {
    expect(() => loadConfig({ REQUEST_PORTALS: '{"hr": "https://hr"}' })).toThrow(/REQUEST_PORTALS/);
    expect(() => loadConfig({ REQUEST_PORTALS: '{"canteen": {"url": "https://x.example.com"}}' })).toThrow(/REQUEST_PORTALS/);
    expect(() => loadConfig({ REQUEST_PORTALS: '{"hr": {"url": "ftp://hr.example.com"}}' })).toThrow(/REQUEST_PORTALS/);
    expect(loadConfig({ REQUEST_PORTALS: '{"facilities": {"url": "https://fm.example.com"}}' }).dialogue.requestPortals).toEqual({ facilities: { url: 'https://fm.example.com' } });
  });

  it('3. a follow-up about the Mac answers with the article\'s macOS section', async () => {
    const c = conversation(server);
    await c.say('my printer is not printing');
    const mac = await c.say('and on my Mac?');
    const steps = mac.flatMap((r) => r.parts).filter((p) => p.kind === 'steps');
    expect(JSON.stringify(steps.map((s) => s.title))).toContain('On macOS');
    expect(textOf(mac)).toContain('Printer Queue');
    expect(textOf(mac)).not.toContain('Let Windows manage');
  });

  it('3. the phone article is not the answer for a laptop; it still is for an iPhone', async () => {
    const laptop = await conversation(server).say('how do I set up my work email in Outlook on my laptop');
    const cited = (r: Reply[]) => r.flatMap((m) => m.parts).filter((p) => p.kind === 'citation').map((p) => p.articleId);
    expect(cited(laptop)).not.toContain('mail-on-phone');
    expect(buttons(laptop).map((b) => b.label)).not.toContain('Set up work email and Teams on your phone');
    const mismatch = sqliteDb(server.app).prepare("SELECT article_id, value FROM conversation_events WHERE type = 'intent' AND decision = 'platform_mismatch'").all();
    expect(mismatch).toEqual([{ article_id: 'mail-on-phone', value: 'computer' }]);
    expect(cited(await conversation(server).say('set up outlook on my iphone'))).toContain('mail-on-phone');
  });

  it('4. "agent" without a problem asks for it, and the ticket carries it', async () => {
    const c = conversation(server);
    const ask = await c.say('agent');
    expect(textOf(ask)).toContain("what's the problem?");
    expect(packetOf(server, c.conversationId)).toEqual([]);
    await c.say('my second screen stays black since this morning');
    expect(packetOf(server, c.conversationId)[0]).toMatchObject({ reason: 'user_request', question: 'my second screen stays black since this morning' });
    expect(textOf(await conversation(server).say("it doesn't work"))).toContain("What isn't working?");
  });

  it('5. a 12,000-character log: read up to a line end, said so, kept whole in the ticket', async () => {
    const c = conversation(server);
    const line = (i: number) => `2026-12-06 09:${String(i % 60).padStart(2, '0')}:02 ERROR Outlook.exe faulting module mso20win32client.dll code 0xc0000005 #${i}\n`;
    const log = `Outlook keeps crashing when I open it, here is the log:\n${Array.from({ length: 130 }, (_, i) => line(i)).join('')}`;
    expect(log.length).toBeGreaterThan(12_000);
    const reply = await c.say(log);
    const notice = reply[0]!;
    expect(notice.inputTruncated?.totalChars).toBe(log.trim().length);
    expect(notice.inputTruncated!.readChars).toBeLessThanOrEqual(4000);
    expect(textOf([notice])).toMatch(/I read the first 3,\d{3} characters \(up to the end of a line\)/);
    const question = sqliteDb(server.app).prepare("SELECT text FROM conversation_events WHERE type = 'question' ORDER BY rowid DESC LIMIT 1").get() as { text: string };
    expect(question.text.endsWith('#' + String(question.text.split('\n').length - 2))).toBe(true);
    await c.say('agent');
    await c.say('yes');
    const [packet] = packetOf(server, c.conversationId);
    expect(packet?.transcript.find((t) => t.role === 'user')?.text).toContain('#129');
  });
});

describe('6. grounded answers with the language model: the portal step is not a request for a secret', () => {
  let model: OpenAIServer;
  let server: TestApp;
  beforeAll(async () => {
    model = await startOpenAIServer({ apiKey: 'sk-test' });
    server = await startTestApp({ LLM_MODEL: 'gpt-test', OPENAI_BASE_URL: model.openaiBaseUrl, OPENAI_API_KEY: 'sk-test', LLM_FEATURES: 'answers' });
  });
  afterAll(async () => {
    await server?.stop();
    await model?.close();
  });

  /** The number of the passage holding `needle` in the prompt the bot sent. */
  const passageWith = (prompt: string, needle: string): number => {
    for (const m of prompt.matchAll(/<passage-[\w-]+ n="(\d+)">([\s\S]*?)<\/passage-/g)) if (m[2]!.includes(needle)) return Number(m[1]);
    throw new Error(`no passage with ${needle} in the prompt`);
  };

  it('a paraphrase of "type a new password twice" in the reset portal is shown; "type your password here" is refused', async () => {
    model.reply((req) => {
      const n = passageWith(req.body.messages.map((m) => m.content).join('\n'), 'aka.ms/sspr');
      return { content: `Let's reset it [${n}].\n- Open https://aka.ms/sspr, enter your work email address, prove it is you, then type a new password twice and select **Finish** [${n}].` };
    });
    const ok = await conversation(server).say('I forgot my password');
    expect(textOf(ok)).toContain('type a new password twice');
    expect(textOf(ok)).toContain('Written by an AI assistant');

    model.reply((req) => {
      const n = passageWith(req.body.messages.map((m) => m.content).join('\n'), 'aka.ms/sspr');
      return { content: `Type your password here and I will check it [${n}].` };
    });
    const refused = await conversation(server).say('I forgot my password');
    expect(textOf(refused)).not.toContain('Type your password here');
    expect(refused.flatMap((r) => r.parts).some((p) => p.kind === 'steps')).toBe(true);
    expect(model.requests).toHaveLength(2);
  });
});
