import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { TicketProvider, TicketStatus } from '../../../src/engine/ports/tickets.js';
import { TicketError } from '../../../src/engine/ports/tickets.js';
import { Chat } from './transcript.js';
import { harness, type Harness } from './harness.js';

let h: Harness;
let chat: Chat;
beforeEach(() => {
  h = harness();
  chat = new Chat(h.engine);
});
afterEach(() => h.close());

const events = async (type?: string) => (await h.store.events()).filter((e) => !type || e.type === type);

describe('answer turn and feedback', () => {
  it('shows summary, numbered steps, a citation with its age, and Did this solve it?', async () => {
    await chat.run(`
      user says "the vpn gateway says it cannot connect"
      bot says "**VPN will not connect**"
      bot says "1. Quit the VPN client"
      bot says "updated 3 months ago"
      bot offers "Yes", "No", "Guide me step by step"
      bot says "Did this solve it?"
    `);
    const [citation] = chat.parts('citation');
    expect(citation).toMatchObject({ articleId: 'vpn-cannot-connect', updatedLabel: 'updated 3 months ago' });
    expect(citation?.staleWarning).toBeUndefined();
  });

  it('Yes resolves the topic: a confirmed deflection', async () => {
    await chat.run(`
      user says "the vpn gateway says it cannot connect"
      click "Yes"
      bot says "glad it's fixed"
    `);
    expect(await h.store.feedback()).toMatchObject([{ articleId: 'vpn-cannot-connect', value: 'yes', question: "the vpn gateway says it cannot connect" }]);
    expect((await events('resolved'))[0]).toMatchObject({ articleId: 'vpn-cannot-connect', channel: 'test', lang: 'en' });
    const conversation = h.db.prepare('SELECT status FROM conversations').get();
    expect(conversation).toEqual({ status: 'resolved' });
  });

  it('a secret typed into a feedback comment is redacted in the stored comment and audited as secret_redacted', async () => {
    await chat.say('the vpn gateway says it cannot connect');
    const yes = chat.findChoice('Yes');
    await chat.send(chat.event({ action: { payload: yes.value, comment: 'worked after I typed password: Tr0ub4dor&3 again' } }));
    const [kept] = await h.store.feedback();
    expect(kept?.comment).toBeDefined();
    expect(kept!.comment).not.toContain('Tr0ub4dor');
    const audited = await events('secret_redacted');
    expect(audited).toHaveLength(1);
    expect(audited[0]!.data).toMatchObject({ in: 'feedback_comment' });
  });

  it('warns when the article is past its review date', async () => {
    await chat.say('vpn drops all the time');
    expect(chat.parts('citation')[0]?.staleWarning).toBe('This article was due for review on 30 September 2026: some details may be out of date.');
  });

  it('No on an article with a guided fix starts the fix', async () => {
    await chat.run(`
      user says "the vpn gateway says it cannot connect"
      click "No"
      bot says "step by step"
      bot says "does the internet work without the VPN"
      bot offers "Yes", "No"
    `);
    expect((await events('flow_started'))[0]).toMatchObject({ flowId: 'vpn-connect' });
  });

  it('No → next best article of another family → second No offers a ticket', async () => {
    await chat.run(`
      user says "vpn drops and is slow"
      bot shows article "vpn-disconnects"
      click "No"
      bot says "another fix"
      bot shows article "vpn-cannot-connect"
      click "No"
      bot says "A technician can take it from here"
      bot offers "Open the ticket", "No thanks"
      click "Open the ticket"
      bot opens a ticket
    `);
    expect(h.knowledge.queries[1]?.options?.exclude).toEqual(['vpn-disconnects']);
    const [packet] = h.sink.packets;
    expect(packet).toMatchObject({
      reason: 'negative_feedback',
      question: 'vpn drops and is slow',
      articlesShown: [
        { articleId: 'vpn-disconnects', feedback: 'no' },
        { articleId: 'vpn-cannot-connect', feedback: 'no' },
      ],
      category: 'network',
      priority: 'medium',
      user: { id: 'u-ana', name: 'Ana Martin', email: 'ana.martin@example.com' },
    });
  });

  it('"still not working" and "même problème" count as a no on the current article', async () => {
    await chat.run(`
      user says "vpn drops and is slow"
      user says "still not working"
      bot shows article "vpn-cannot-connect"
    `);
    expect((await h.store.feedback())[0]).toMatchObject({ articleId: 'vpn-disconnects', value: 'no' });
  });

  it('"and on my Mac?" asks again within the current topic', async () => {
    await chat.run(`
      user says "vpn drops and is slow"
      user says "and on my Mac?"
    `);
    expect(h.knowledge.queries[1]?.query).toBe('vpn drops and is slow and on my Mac?');
    const questions = await events('question');
    expect(new Set(questions.map((q) => q.topicId)).size).toBe(1);
  });
});

describe('clarify turn', () => {
  it('offers up to three candidates and "None of these"; a pick continues as an answer', async () => {
    await chat.run(`
      user says "printer"
      bot says "Which one is closest"
      bot offers "Printer not printing", "Add a printer", "None of these"
      click "Add a printer"
      bot shows article "printer-add"
    `);
  });

  it('a typed number picks too', async () => {
    await chat.run(`
      user says "printer"
      user says "2"
      bot shows article "printer-add"
    `);
  });

  it('"None of these" asks to rephrase; twice in a row offers a ticket', async () => {
    await chat.run(`
      user says "printer"
      click "None of these"
      bot says "describe the problem in other words"
      bot offers "Open a ticket"
      user says "printer again"
      click "None of these"
      bot offers "Open the ticket", "No thanks"
    `);
  });
});

describe('escalation', () => {
  it('when the gate escalates: confirm, add details, ticket opening', async () => {
    await chat.run(`
      user says "I need a new ERP role"
      bot says "I don't have a documented fix"
      bot offers "Open the ticket", "No thanks"
      user says "I need it for the month-end close on Friday"
      bot opens a ticket
      bot says "you'll get its number here"
    `);
    const [packet] = h.sink.packets;
    expect(packet).toMatchObject({
      schemaVersion: 1,
      reason: 'gate',
      question: 'I need a new ERP role',
      userDetails: 'I need it for the month-end close on Friday',
      gate: { decision: 'escalate', confidence: 0.2, explanation: 'escalated: no article matches' },
      channel: 'test',
      lang: 'en',
    });
    expect(packet?.transcript.map((t) => t.role)).toEqual(['user', 'bot', 'user']);
    expect((await events('escalated'))[0]).toMatchObject({ value: 'gate', priority: 'medium' });
  });

  it('the user asks for a human (EN and FR)', async () => {
    await chat.run(`
      user says "can I talk to a human please"
      bot says "Sure, I can get a technician"
      click "Open the ticket"
      bot opens a ticket
    `);
    const fr = new Chat(h.engine);
    await fr.run(`
      user says "je voudrais parler à quelqu'un"
      bot says "je peux faire appel à un technicien"
      bot offers "Ouvrir le ticket", "Non merci"
      click "Ouvrir le ticket"
      bot says "vous recevrez son numéro ici"
    `);
    expect(h.sink.packets.map((p) => [p.reason, p.lang])).toEqual([
      ['user_request', 'en'],
      ['user_request', 'fr'],
    ]);
  });

  it('declining keeps the conversation going', async () => {
    await chat.run(`
      user says "agent"
      click "No thanks"
      bot says "OK, no ticket"
    `);
    expect(h.sink.packets).toEqual([]);
    expect(await events('escalation_declined')).toHaveLength(1);
  });

  it('frustration offers a technician; declining still looks the question up', async () => {
    await chat.run(`
      user says "THIS STUPID VPN WILL NOT CONNECT"
      bot says "I'm sorry this is so frustrating"
      click "No thanks"
      bot says "let's keep looking"
      bot shows article "vpn-cannot-connect"
    `);
  });

  it('asking the same question again is a sign of frustration', async () => {
    await chat.run(`
      user says "my vpn will not connect"
      user says "restart"
      user says "my vpn will not connect"
      bot says "frustrating"
    `);
    expect((await events('escalation_offered'))[0]).toMatchObject({ value: 'frustration' });
  });

  it('sensitive topics skip retrieval and go to a human with priority', async () => {
    const urgent = harness({}, { SERVICE_DESK_CONTACT: '+33 1 23 45 67 89' });
    try {
      const c = new Chat(urgent.engine);
      await c.run(`
        user says "I clicked on a link in a phishing email and typed my details"
        bot says "Close that page"
        bot says "urgent ticket (high priority)"
        user says "it was around 10am, from a fake DHL email"
        bot opens a ticket
        bot says "+33 1 23 45 67 89"
      `);
      expect(urgent.knowledge.queries).toEqual([]);
      expect(urgent.sink.packets[0]).toMatchObject({ reason: 'sensitive', priority: 'high', category: 'security', userDetails: 'it was around 10am, from a fake DHL email' });
    } finally {
      urgent.close();
    }
  });

  it('an outbox failure is reported; pressing again retries with the same packet id', async () => {
    h.sink.failNext = 1;
    await chat.run(`
      user says "agent"
      click "Open the ticket"
      bot says "couldn't open the ticket"
      click "Open the ticket"
      bot opens a ticket
    `);
    expect(h.sink.packets).toHaveLength(1);
    const offered = JSON.parse((h.db.prepare(`SELECT action_json FROM conversation_turns WHERE direction = 'in' ORDER BY id LIMIT 1 OFFSET 1`).get() as { action_json: string }).action_json);
    expect(offered).toMatchObject({ a: 'escalate', v: 'yes' });
  });
});

describe('built-in intents, language and commands', () => {
  it('greets, helps, thanks and says goodbye in the user language', async () => {
    await chat.run(`
      user says "hello"
      bot says "Hi Ana!"
      user says "what can you do?"
      bot says "type **agent** at any time"
      user says "merci !"
      bot says "Avec plaisir"
      user says "bye"
      bot says "Au revoir"
    `);
  });

  it('replies in French to a French question, and keeps French for a short answer', async () => {
    await chat.run(`
      user says "le vpn ne se connecte pas du tout"
      bot shows article "vpn-cannot-connect-fr"
      bot says "Est-ce que cela a résolu le problème"
      bot says "mis à jour il y a 3 mois"
      user says "ok"
      bot says "Prenez votre temps"
    `);
  });

  it('restart drops the topic and the guided fix', async () => {
    await chat.run(`
      user says "fix my vpn"
      bot says "does the internet work"
      user says "cancel"
      bot says "let's start over"
      click earlier "Yes"
      bot says "from an earlier message"
    `);
    expect((await events('flow_ended'))[0]).toMatchObject({ flowId: 'vpn-connect', value: 'abandoned' });
  });
});

describe('robustness', () => {
  it('a redelivered message returns the stored replies without a second side effect', async () => {
    await chat.say('agent');
    const confirm = chat.event({ action: { payload: chat.findChoice('Open the ticket').value } }, 'same-id');
    const first = await chat.send(confirm);
    const second = await chat.send(confirm);
    expect(second).toEqual(first);
    expect(h.sink.packets).toHaveLength(1);
    expect(h.db.prepare(`SELECT COUNT(*) AS n FROM conversation_turns WHERE message_id = 'same-id'`).get()).toEqual({ n: 1 });
  });

  it('an unknown payload or a stale button gets a clear reply and changes nothing', async () => {
    await chat.say('my vpn will not connect');
    const state = () => JSON.parse((h.db.prepare('SELECT state_json FROM conversations').get() as { state_json: string }).state_json);
    const before = state();
    await chat.send(chat.event({ action: { payload: { a: 'feedback', v: 'maybe', n: 'x' } } }));
    expect(chat.lastText).toContain("couldn't read that button");
    await chat.send(chat.event({ action: { payload: { a: 'feedback', v: 'yes', n: 'forged' } } }));
    expect(chat.lastText).toContain('from an earlier message');
    await chat.send(chat.event({ action: { payload: 'DROP TABLE conversations' } }));
    expect(chat.lastText).toContain("couldn't read that button");
    expect(state()).toEqual(before);
    expect(await h.store.feedback()).toEqual([]);
  });

  it('rejects malformed inbound events', async () => {
    await expect(h.engine.handle({ address: { channel: 'test', conversationId: 'c' }, user: { id: 'u' } })).rejects.toThrow(/exactly one of text or action/);
    await expect(h.engine.handle({ address: { channel: '', conversationId: 'c' }, user: { id: 'u' }, text: 'hi' })).rejects.toThrow(/address.channel/);
  });

  it('a failing knowledge service gets an apology, not a crash', async () => {
    h.knowledge.decide = async () => {
      throw new Error('index corrupted');
    };
    await chat.say('my vpn will not connect');
    expect(chat.lastText).toContain('something went wrong on my side');
  });
});

describe('secrets', () => {
  it('warns about a typed password, never stores it and never sends it to retrieval', async () => {
    await chat.run(`
      user says "Outlook refuses my password, my password is Hunter2!x"
      bot says "It looks like you typed a password"
      bot says "https://aka.ms/sspr"
      user says "agent"
      user says "Summer2024!"
      bot says "It looks like you typed a password"
      click "Open the ticket"
    `);
    expect(h.knowledge.queries.map((q) => q.query).join(' ')).not.toContain('Hunter2');
    expect(JSON.stringify(h.sink.packets)).not.toMatch(/Hunter2|Summer2024/);
    h.db.pragma('wal_checkpoint(TRUNCATE)');
    const file = readFileSync(h.dbFile);
    expect(file.includes('Hunter2')).toBe(false);
    expect(file.includes('Summer2024')).toBe(false);
    expect(file.includes('[REDACTED:password]')).toBe(true);
    expect((await events('secret_redacted')).length).toBe(2);
  });
});

describe('ticket status', () => {
  const ticket: TicketStatus = {
    provider: 'local', id: '123', number: 'HD-000123', state: 'in_progress', rawStatus: 'In progress', title: 'VPN error 809',
    requester: { id: 'someone-in-another-channel', email: 'Ana.Martin@example.com' },
  };
  const colleagues: TicketStatus = { ...ticket, id: '124', number: 'HD-000124', title: 'Salary question', requester: { id: 'u-bob', email: 'bob@example.com' } };
  const provider = (over: Partial<TicketProvider> = {}): TicketProvider => ({
    name: 'local',
    create: async () => ticket,
    status: async (n) => (n === 'HD-000123' ? ticket : n === 'HD-000124' ? colleagues : undefined),
    listForRequester: async (r) => (r.email === 'ana.martin@example.com' ? [ticket, { ...ticket, number: 'HD-000099', state: 'resolved', rawStatus: 'Resolved', title: undefined }] : []),
    ...over,
  });

  it('looks tickets up in the user language', async () => {
    const t = harness({ tickets: provider() });
    try {
      const c = new Chat(t.engine);
      await c.run(`
        user says "status of HD-000123"
        bot says "Ticket **HD-000123** (VPN error 809): in progress."
        user says "status of HD-000124"
        bot says "I can only show the status of tickets opened for you"
        bot does not say "Salary question"
        user says "où en est HD-000999 ?"
        bot says "Je n'ai pas trouvé de ticket HD-000999"
        user says "mes tickets"
        bot says "**HD-000123** (VPN error 809) : en cours de traitement"
        bot says "**HD-000099** : résolu"
      `);
      expect(c.parts('ticket')).toEqual([]);
    } finally {
      t.close();
    }
  });

  it('says so when lookups are not configured or the ticket system is down', async () => {
    await chat.run(`
      user says "my tickets"
      bot says "can't look up tickets from here"
    `);
    const down = harness({ tickets: provider({ status: async () => { throw new TicketError('503', { retryable: true }); } }) });
    try {
      const c = new Chat(down.engine);
      await c.run(`
        user says "HD-000123"
        bot says "isn't answering right now"
      `);
    } finally {
      down.close();
    }
  });
});

describe('durable state', () => {
  it('a new engine on the same database resumes a guided fix where it was, buttons included', async () => {
    await chat.run(`
      user says "fix my vpn"
      bot says "does the internet work without the VPN"
    `);
    chat.engine = h.restart();
    await chat.run(`
      click "Yes"
      bot says "What happens when you try to connect the VPN?"
      click "I get an error message"
      user says "809"
      bot says "These fix most VPN errors"
    `);
    const run = h.db.prepare(`SELECT flow_id, step_id, status FROM flow_runs`).all();
    expect(run).toEqual([{ flow_id: 'vpn-connect', step_id: 'fixed', status: 'active' }]);
  });

  it('closes an idle guided fix with a polite follow-up that can start it again', async () => {
    await chat.say('fix my vpn');
    expect(await h.engine.sweep(new Date('2026-11-22T09:29:00.000Z'))).toEqual([]);
    h.now.value = new Date('2026-11-22T09:31:00.000Z');
    const sent = await h.engine.sweep();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.address).toEqual({ channel: 'test', conversationId: chat.conversationId });
    chat.history.push([sent[0]!.message]);
    await chat.run(`
      bot says "I've closed the guided fix \\"Get the VPN to connect\\""
      bot offers "Start again", "Open a ticket"
      click "Start again"
      bot says "does the internet work"
    `);
    expect(await h.engine.sweep(new Date('2026-11-22T09:40:00.000Z'))).toEqual([]);
    expect((await events('flow_ended'))[0]).toMatchObject({ flowId: 'vpn-connect', value: 'timed_out' });
    expect(h.db.prepare(`SELECT COUNT(*) AS n FROM conversation_turns WHERE direction = 'out' AND text LIKE '%closed the guided fix%'`).get()).toEqual({ n: 1 });
  });

  it('keeps a guided fix alive while the user is talking', async () => {
    await chat.say('fix my vpn');
    h.now.value = new Date('2026-11-22T09:20:00.000Z');
    await chat.say('hello');
    h.now.value = new Date('2026-11-22T09:40:00.000Z');
    expect(await h.engine.sweep()).toEqual([]);
  });

  it('a flow that changed since (step removed) is stopped politely', async () => {
    await chat.say('fix my vpn');
    h.db.prepare(`UPDATE flow_runs SET step_id = 'gone', state_json = json_set(state_json, '$.stepId', 'gone')`).run();
    await chat.run(`
      user says "yes"
      bot says "has changed since"
    `);
    expect(h.db.prepare(`SELECT status FROM flow_runs`).get()).toEqual({ status: 'abandoned' });
  });
});

describe('ticket outcome messages', () => {
  it('tells the user the ticket number (or the failure) in their language, and records it', async () => {
    await chat.run(`
      user says "je veux parler à un technicien"
      click "Ouvrir le ticket"
    `);
    const packet = h.sink.packets[0]!;
    const opened = await h.engine.ticketUpdate({ packet, ticket: { provider: 'local', id: '7', number: 'HD-000007', url: 'https://helpdesk.example/t/7' } });
    expect(opened).toEqual({
      address: { channel: 'test', conversationId: chat.conversationId },
      message: {
        lang: 'fr',
        parts: [{ kind: 'ticket', state: 'opened', number: 'HD-000007', url: 'https://helpdesk.example/t/7', text: expect.stringContaining('Votre ticket **HD-000007** est ouvert') }],
        id: `ticket_opened-${packet.id}`,
      },
    });
    const failed = await h.engine.ticketUpdate({ packet, failed: true });
    expect(failed?.message.parts[0]).toMatchObject({ kind: 'ticket', state: 'failed', text: expect.stringContaining("n'a pas pu être créé") });
    expect((await events()).filter((e) => e.type.startsWith('ticket_')).map((e) => [e.type, e.value ?? null])).toEqual([
      ['ticket_opened', 'HD-000007'],
      ['ticket_failed', null],
    ]);
    expect(await h.engine.ticketUpdate({ packet: { ...packet, conversationId: 'unknown' }, failed: true })).toBeUndefined();
  });

  it('an outcome announced again (replayed after a crash) is sent with the same id and recorded once', async () => {
    await chat.run(`
      user says "I want to talk to a technician"
      click "Open the ticket"
    `);
    const packet = h.sink.packets[0]!;
    const update = { packet, ticket: { provider: 'local', id: '8', number: 'HD-000008' } };
    const outTurns = () => (h.db.prepare(`SELECT COUNT(*) AS n FROM conversation_turns WHERE direction = 'out' AND parts_json LIKE '%HD-000008%'`).get() as { n: number }).n;
    const first = await h.engine.ticketUpdate(update);
    const again = await h.engine.ticketUpdate(update);
    expect(again).toEqual(first);
    expect(first?.message.id).toBe(`ticket_opened-${packet.id}`);
    expect(outTurns()).toBe(1);
    expect((await events('ticket_opened')).map((e) => e.value)).toEqual(['HD-000008']);
  });
});

describe('repeated questions', () => {
  it('only count within the hour (a Teams chat lasts for months)', async () => {
    await chat.say('my vpn will not connect');
    h.now.value = new Date('2026-11-22T11:00:00.000Z');
    await chat.say('my vpn will not connect');
    expect(chat.lastText).not.toContain('frustrating');
    expect(chat.parts('citation')[0]?.articleId).toBe('vpn-cannot-connect');
  });

  it('a new question reopens a resolved conversation', async () => {
    await chat.run(`
      user says "my vpn will not connect"
      click "Yes"
      user says "my mailbox is full"
    `);
    expect(h.db.prepare('SELECT status FROM conversations').get()).toEqual({ status: 'active' });
  });
});
