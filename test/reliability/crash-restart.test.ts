import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkStored, type SentMessage } from '../../bench/load-driver.js';
import { startBotConnectorServer, type BotConnectorServer } from '../helpers/bot-connector-server.js';
import { startServerProcess, until, type ServerProcess } from '../helpers/server-process.js';
import { baseEnv, postActivity, teamsActivity, chat, choices, query, replyText, tempDir, type ChatInput, type ChatReply } from './helpers.js';

/**
 * kill -9 of the real server process in the middle of conversations, guided fixes and escalations,
 * with messages still in flight, then a restart on the same DATA_DIR: every message that was
 * answered is stored once, every message that was not can be sent again (same id) and is answered
 * exactly once, guided fixes continue where they were, feedback and escalations are all there and
 * each escalation becomes exactly one ticket, announced to its user.
 */


describe('kill -9 of the server, restart on the same DATA_DIR', () => {
  const dir = tempDir('crash');
  const dataDir = join(dir, 'data');
  const db = join(dataDir, 'helpdesk.db');
  const servers: ServerProcess[] = [];
  let connector: BotConnectorServer;

  afterAll(async () => {
    for (const s of servers) await s.kill9();
    await connector?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async () => {
    const s = await startServerProcess({ env: { ...baseEnv(dataDir), TICKET_PROVIDER: 'local' } });
    servers.push(s);
    return s;
  };

  /** A Teams user's message (or card button) through the Bot Framework endpoint; resolves with the bot's message activities. */
  async function teams(url: string, id: string, input: { text?: string; value?: Record<string, unknown>; replyToId?: string }) {
    const before = connector.calls.length;
    const res = await postActivity(url, teamsActivity(connector.url, 'a:crash-teams-conversation', { id: '29:crash-teams-user', name: 'Crash Teams' }, { id, ...input }));
    expect(res.status).toBe(200);
    // Marking the clicked card answered (an update of that card) is not a reply.
    return connector.calls
      .slice(before)
      .filter((c) => c.activity?.type === 'message' && (c.op === 'reply' || (c.op === 'update' && c.targetId !== input.replyToId)));
  }

  const submits = (calls: Awaited<ReturnType<typeof teams>>) => {
    const out: Array<{ data: { verb: string; payload: Record<string, unknown> }; source: string }> = [];
    const walk = (n: unknown, source: string): void => {
      if (Array.isArray(n)) n.forEach((x) => walk(x, source));
      else if (n && typeof n === 'object') {
        const o = n as Record<string, unknown>;
        if (o.type === 'Action.Submit') out.push({ data: o.data as never, source });
        Object.values(o).forEach((v) => walk(v, source));
      }
    };
    for (const c of calls) walk(c.activity?.attachments, c.activityId ?? '');
    return out;
  };

  it('loses no stored message, feedback, flow or escalation', async () => {
    connector = await startBotConnectorServer();
    const a = await start();
    const answered: SentMessage[] = [];
    const send = async (url: string, input: ChatInput & { messageId: string }): Promise<ChatReply> => {
      const r = await chat(url, input);
      expect(r.status).toBe(200);
      answered.push({ channel: 'web', conversationId: input.conversationId, messageId: input.messageId, kind: input.action ? 'button' : 'text', status: r.status, replies: r.replies.length, ms: 0 });
      return r;
    };

    // A guided fix in the web chat, left at its second question.
    const flowUser = { conversationId: 'crash-flow-web', userId: 'crash-flow-user' };
    const offer = await send(a.url, { ...flowUser, messageId: 'crash-flow-web-1', text: 'I cannot connect to the wifi' });
    const firstStep = await send(a.url, { ...flowUser, messageId: 'crash-flow-web-2', action: choices(offer, 'flow.start')[0]! });
    const secondStep = await send(a.url, { ...flowUser, messageId: 'crash-flow-web-3', action: choices(firstStep, 'flow.choice')[0]! });
    const pendingStep = choices(secondStep, 'flow.choice');
    expect(pendingStep.length).toBeGreaterThan(0);

    // The same in Teams, left at its first question.
    const teamsOffer = await teams(a.url, 'crash-teams-1', { text: 'I cannot connect to the wifi' });
    const teamsStart = submits(teamsOffer).find((s) => s.data.payload.a === 'flow.start')!;
    const teamsStep = await teams(a.url, 'crash-teams-2', { value: teamsStart.data, replyToId: teamsStart.source });
    const teamsPending = submits(teamsStep).filter((s) => s.data.payload.a === 'flow.choice');
    expect(teamsPending.length).toBeGreaterThan(0);

    // Feedback on an answer.
    const fbUser = { conversationId: 'crash-feedback', userId: 'crash-feedback-user' };
    const answer = await send(a.url, { ...fbUser, messageId: 'crash-feedback-1', text: 'my vpn does not connect' });
    await send(a.url, { ...fbUser, messageId: 'crash-feedback-2', action: choices(answer, 'feedback').find((p) => p.v === 'yes')! });

    // Escalations, then a burst of messages from many users, killed while it is in flight.
    const escalating = Array.from({ length: 4 }, (_, i) => ({ conversationId: `crash-escalation-${i}`, userId: `crash-escalation-user-${i}` }));
    for (const [i, u] of escalating.entries()) {
      const prompt = await send(a.url, { ...u, messageId: `crash-escalation-${i}-1`, text: 'agent' });
      expect(choices(prompt, 'escalate').length).toBeGreaterThan(0);
    }
    const burst: Array<ChatInput & { messageId: string }> = [
      ...escalating.map((u, i) => ({ ...u, messageId: `crash-escalation-${i}-2`, text: `my docking station number ${i} stopped charging the laptop` })),
      ...Array.from({ length: 24 }, (_, i) => ({ conversationId: `crash-burst-${i}`, userId: `crash-burst-user-${i}`, messageId: `crash-burst-${i}-1`, text: i % 2 ? 'mon imprimante ne marche pas' : 'outlook keeps asking for my password' })),
    ];
    const inFlight = burst.map((m) => chat(a.url, m).then((r) => ({ m, r }), () => ({ m, r: undefined })));
    const firstDone = await Promise.race(inFlight);
    expect(firstDone).toBeDefined();
    await a.kill9();
    const outcomes = await Promise.all(inFlight);
    const lost = outcomes.filter((o) => o.r?.status !== 200).map((o) => o.m);
    // SIGKILL lands after the first answer: the other turns (each a few fsyncs) cannot all have finished.
    expect(lost.length, 'messages cut off by the crash').toBeGreaterThan(0);
    for (const o of outcomes) {
      if (o.r?.status === 200) answered.push({ channel: 'web', conversationId: o.m.conversationId, messageId: o.m.messageId, kind: 'text', status: 200, replies: o.r.replies.length, ms: 0 });
    }

    // Restart on the same data: everything answered before the crash is there, once.
    const b = await start();
    expect(checkStored(db, answered).problems.filter((p) => !p.includes('nobody sent'))).toEqual([]);

    // Messages cut off by the crash are sent again by the client with the same id: answered once.
    for (const m of lost) {
      const r = await send(b.url, m);
      expect(r.replies.length).toBeGreaterThan(0);
    }
    expect(checkStored(db, answered).problems.filter((p) => !p.includes('nobody sent'))).toEqual([]);
    // Even a retry of one that was answered before the crash is not handled twice.
    const again = await chat(b.url, burst[burst.length - 1]!);
    expect(again.status).toBe(200);
    expect(query<{ n: number }>(db, `SELECT COUNT(*) AS n FROM conversation_turns WHERE message_id = ?`, burst[burst.length - 1]!.messageId)[0]!.n).toBe(1);

    // The guided fixes continue at the step they were at.
    const next = await send(b.url, { ...flowUser, messageId: 'crash-flow-web-4', action: pendingStep[0]! });
    expect(replyText(next)).not.toMatch(/couldn't read that button|something went wrong/i);
    const [run] = query<{ step_id: string; status: string }>(db, `SELECT f.step_id, f.status FROM flow_runs f JOIN conversations c ON c.id = f.conversation_id WHERE c.channel_conversation_id = ?`, flowUser.conversationId);
    expect(run?.step_id).not.toBe(pendingStep[0]!.s);
    const teamsNext = await teams(b.url, 'crash-teams-3', { value: teamsPending[0]!.data, replyToId: teamsPending[0]!.source });
    expect(teamsNext.length).toBeGreaterThan(0);
    const [teamsRun] = query<{ step_id: string }>(db, `SELECT f.step_id FROM flow_runs f JOIN conversations c ON c.id = f.conversation_id WHERE c.channel = 'teams'`);
    expect(teamsRun?.step_id).not.toBe(teamsPending[0]!.data.payload.s);

    // Feedback survived.
    expect(query(db, `SELECT value FROM conversation_feedback f JOIN conversations c ON c.id = f.conversation_id WHERE c.channel_conversation_id = 'crash-feedback'`)).toEqual([{ value: 'yes' }]);

    // Every escalation became exactly one ticket, and its user was told the number exactly once.
    await until(
      () => (query<{ n: number }>(db, `SELECT COUNT(*) AS n FROM ticket_outbox WHERE status != 'delivered'`)[0]!.n === 0 ? true : undefined),
      'the outbox to deliver everything',
      30_000,
    );
    const outbox = query<{ conversation_id: string; id: string }>(db, `SELECT conversation_id, id FROM ticket_outbox`);
    const tickets = query<{ idempotency_key: string; number: string }>(db, `SELECT idempotency_key, number FROM local_tickets`);
    expect(outbox).toHaveLength(escalating.length);
    expect(new Set(outbox.map((o) => o.conversation_id)).size).toBe(escalating.length);
    expect(tickets).toHaveLength(escalating.length);
    // Announcements are at-least-once by design (an outcome not yet marked announced is replayed at start).
    for (const t of tickets) {
      const told = query<{ n: number }>(db, `SELECT COUNT(*) AS n FROM conversation_turns WHERE direction = 'out' AND parts_json LIKE ?`, `%"number":"${t.number}"%`);
      expect(told[0]!.n, `ticket ${t.number} announced`).toBeGreaterThanOrEqual(1);
    }
    expect((await fetch(`${b.url}/readyz`)).status).toBe(200);
  }, 300_000);
});
