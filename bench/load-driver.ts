import Database from 'better-sqlite3';
import pg from 'pg';
import type { BotConnectorServer, ConnectorCall } from '../test/helpers/bot-connector-server.js';
import { postJson } from '../test/helpers/http.js';
import { createRandom, type Random } from '../src/bench/random.js';
import { summarizeLatency, type LatencySummary } from '../src/bench/stats.js';

/**
 * Simulated users against a running server: each user holds one conversation and sends its
 * messages one after the other (the next once the reply is in), typing questions from the dev
 * set and now and then pressing a button of the last reply, as people do. Web users POST
 * /api/chat; Teams users POST Bot Framework activities to /api/messages, and the bot's replies
 * arrive at the local Bot Connector server. Every message gets an id, so the database (SQLite or
 * PostgreSQL) can be checked afterwards: stored once, handled, and answered with exactly the replies delivered.
 */

export type LoadChannel = 'web' | 'teams';

export interface LoadOptions {
  url: string;
  connector?: BotConnectorServer;
  users: number;
  messages: number;
  channels: LoadChannel[];
  texts: readonly string[];
  seed?: number;
  /** Share of messages that press a button of the previous reply instead of typing. */
  buttonShare?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface SentMessage {
  channel: LoadChannel;
  conversationId: string;
  messageId: string;
  kind: 'text' | 'button';
  status: number;
  /** Reply messages delivered for this message (web: in the HTTP response; Teams: to the connector). */
  replies: number;
  ms: number;
  error?: string;
}

export interface ChannelReport {
  channel: LoadChannel;
  users: number;
  sent: number;
  ok: number;
  /** Messages that got no reply at all, or a non-2xx answer. */
  failed: number;
  buttons: number;
  latency: LatencySummary;
  throughput_per_s: number;
}

export interface LoadReport {
  seconds: number;
  channels: ChannelReport[];
  sent: SentMessage[];
}

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const BOT = { id: '28:load-test-bot', name: 'IT Helpdesk' };

type Payload = Record<string, unknown>;


/** Button payloads of a web reply list (choices parts). */
function webButtons(replies: Array<{ id: string; parts: Array<{ kind: string; choices?: Array<{ value: Payload }> }> }>): Array<{ payload: Payload; source: string }> {
  return replies.flatMap((m) => m.parts.flatMap((p) => (p.kind === 'choices' ? (p.choices ?? []).map((c) => ({ payload: c.value, source: m.id })) : [])));
}

/** Action.Submit data of the Adaptive Cards in Teams replies. */
function cardButtons(calls: ConnectorCall[]): Array<{ data: Payload; source: string }> {
  const out: Array<{ data: Payload; source: string }> = [];
  const walk = (node: unknown, source: string): void => {
    if (Array.isArray(node)) node.forEach((n) => walk(n, source));
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.type === 'Action.Submit' && o.data && typeof o.data === 'object') out.push({ data: o.data as Payload, source });
      Object.values(o).forEach((v) => walk(v, source));
    }
  };
  for (const c of calls) walk(c.activity?.attachments, c.activityId ?? '');
  return out;
}

async function webUser(options: LoadOptions, n: number, r: Random, record: (m: SentMessage) => void): Promise<void> {
  const user = `load-web-user-${n}`;
  const conversationId = `load-web-conv-${n}`;
  let buttons: Array<{ payload: Payload; source: string }> = [];
  for (let i = 0; i < options.messages; i++) {
    const messageId = `${conversationId}-m${i}`;
    const press = buttons.length > 0 && r.chance(options.buttonShare ?? 0.2);
    const button = press ? r.pick(buttons) : undefined;
    const body = {
      conversationId,
      messageId,
      user: { id: user, locale: n % 2 === 0 ? 'en-US' : 'fr-FR' },
      ...(button ? { action: { payload: button.payload, sourceMessageId: button.source } } : { text: r.pick(options.texts) }),
    };
    const started = performance.now();
    let sent: SentMessage;
    try {
      // Names the user when the server trusts this process as its signing-in proxy (WEB_AUTH=proxy); otherwise
      // ignored, and the user is known by the session cookie postJson keeps for it.
      const res = await postJson(`${options.url}/api/chat`, body, { 'x-forwarded-user': user });
      const replies = Array.isArray(res.json?.replies) ? res.json.replies : [];
      sent = { channel: 'web', conversationId, messageId, kind: button ? 'button' : 'text', status: res.status, replies: replies.length, ms: performance.now() - started };
      buttons = webButtons(replies);
    } catch (err) {
      sent = { channel: 'web', conversationId, messageId, kind: button ? 'button' : 'text', status: 0, replies: 0, ms: performance.now() - started, error: String(err) };
    }
    record(sent);
  }
}

async function teamsUser(options: LoadOptions, n: number, r: Random, record: (m: SentMessage) => void): Promise<void> {
  const connector = options.connector;
  if (!connector) throw new Error('Teams users need the local Bot Connector server');
  const conversationId = `a:load-teams-conv-${n}`;
  const from = { id: `29:load-teams-user-${n}`, name: `Load User ${n}` };
  let buttons: Array<{ data: Payload; source: string }> = [];
  for (let i = 0; i < options.messages; i++) {
    const messageId = `load-teams-${n}-m${i}`;
    const press = buttons.length > 0 && r.chance(options.buttonShare ?? 0.2);
    const button = press ? r.pick(buttons) : undefined;
    const activity = {
      type: 'message',
      id: messageId,
      timestamp: new Date().toISOString(),
      serviceUrl: connector.url,
      channelId: 'msteams',
      from,
      recipient: BOT,
      conversation: { id: conversationId, conversationType: 'personal', tenantId: TENANT },
      channelData: { tenant: { id: TENANT } },
      locale: n % 2 === 0 ? 'en-US' : 'fr-FR',
      ...(button ? { value: button.data, replyToId: button.source } : { text: r.pick(options.texts), textFormat: 'plain' }),
    };
    const before = connector.calls.length;
    const started = performance.now();
    let sent: SentMessage;
    try {
      const res = await postJson(`${options.url}/api/messages`, activity);
      // The adapter answers once the turn is done: every reply has reached the connector by now.
      // Marking the clicked card answered (an update of that card) is not a reply.
      const ours = connector.calls
        .slice(before)
        .filter((c) => c.conversationId === conversationId && c.activity?.type === 'message' && (c.op === 'reply' || (c.op === 'update' && c.targetId !== button?.source)));
      sent = { channel: 'teams', conversationId, messageId, kind: button ? 'button' : 'text', status: res.status, replies: ours.length, ms: performance.now() - started };
      buttons = cardButtons(ours);
    } catch (err) {
      sent = { channel: 'teams', conversationId, messageId, kind: button ? 'button' : 'text', status: 0, replies: 0, ms: performance.now() - started, error: String(err) };
    }
    record(sent);
  }
}

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const sent: SentMessage[] = [];
  const total = options.users * options.messages * options.channels.length;
  const record = (m: SentMessage) => {
    sent.push(m);
    options.onProgress?.(sent.length, total);
  };
  const started = performance.now();
  const users: Promise<void>[] = [];
  for (const channel of options.channels) {
    for (let n = 0; n < options.users; n++) {
      const r = createRandom((options.seed ?? 1) * 1000 + n + (channel === 'teams' ? 500_000 : 0));
      users.push(channel === 'web' ? webUser(options, n, r, record) : teamsUser(options, n, r, record));
    }
  }
  await Promise.all(users);
  const seconds = (performance.now() - started) / 1000;
  const channels = options.channels.map((channel): ChannelReport => {
    const mine = sent.filter((m) => m.channel === channel);
    const ok = mine.filter((m) => m.status === 200 && m.replies >= 1);
    return {
      channel,
      users: options.users,
      sent: mine.length,
      ok: ok.length,
      failed: mine.length - ok.length,
      buttons: mine.filter((m) => m.kind === 'button').length,
      latency: summarizeLatency(mine.map((m) => m.ms)),
      throughput_per_s: Math.round((mine.length / seconds) * 10) / 10,
    };
  });
  return { seconds: Math.round(seconds * 10) / 10, channels, sent };
}

export interface StoredCheck {
  /** Messages sent that have exactly one stored, handled inbound turn. */
  stored: number;
  problems: string[];
}

const STORED_TURNS = `SELECT c.channel, c.channel_conversation_id AS conversation, t.message_id, t.handled_at, t.replies_json
  FROM conversation_turns t JOIN conversations c ON c.id = t.conversation_id
  WHERE t.direction = 'in' AND t.message_id IS NOT NULL`;

interface StoredTurn {
  channel: string;
  conversation: string;
  message_id: string;
  handled_at: string | null;
  replies_json: string | null;
}

/**
 * Each message against the stored inbound turns: one turn with its message id in its
 * conversation, handled, whose recorded replies are exactly the ones that were delivered.
 */
export function checkTurns(rows: readonly StoredTurn[], sent: readonly SentMessage[]): StoredCheck {
  const byKey = new Map<string, StoredTurn[]>();
  for (const row of rows) {
    const key = `${row.channel}\0${row.conversation}\0${row.message_id}`;
    byKey.set(key, [...(byKey.get(key) ?? []), row]);
  }
  const problems: string[] = [];
  let stored = 0;
  for (const m of sent) {
    const found = byKey.get(`${m.channel}\0${m.conversationId}\0${m.messageId}`) ?? [];
    if (found.length !== 1) {
      problems.push(`${m.channel} ${m.messageId}: ${found.length} stored inbound turns`);
      continue;
    }
    const row = found[0]!;
    if (!row.handled_at) {
      problems.push(`${m.channel} ${m.messageId}: stored but never handled`);
      continue;
    }
    const recorded = (JSON.parse(row.replies_json ?? '[]') as unknown[]).length;
    if (recorded !== m.replies || recorded === 0) {
      problems.push(`${m.channel} ${m.messageId}: ${recorded} replies recorded, ${m.replies} delivered`);
      continue;
    }
    stored++;
  }
  const expected = new Set(sent.map((m) => `${m.channel}\0${m.conversationId}\0${m.messageId}`));
  const extra = [...byKey.keys()].filter((k) => !expected.has(k)).length;
  if (extra > 0) problems.push(`${extra} stored inbound turns that nobody sent`);
  return { stored, problems };
}

/** checkTurns on the SQLite database file (DATA_DIR/helpdesk.db). */
export function checkStored(dbFile: string, sent: readonly SentMessage[]): StoredCheck {
  const db = new Database(dbFile, { readonly: true });
  try {
    return checkTurns(db.prepare(STORED_TURNS).all() as StoredTurn[], sent);
  } finally {
    db.close();
  }
}

/** checkTurns on the PostgreSQL database every replica wrote to (DATABASE_URL). */
export async function checkStoredPostgres(databaseUrl: string, sent: readonly SentMessage[]): Promise<StoredCheck> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<StoredTurn>(STORED_TURNS);
    return checkTurns(rows, sent);
  } finally {
    await client.end();
  }
}
