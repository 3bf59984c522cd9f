import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundEvent, OutboundMessage } from '../../src/engine/contract.js';
import { SqliteTicketStore as TicketStore } from '../../src/storage/sqlite/ticket-store.js';
import { startTestApp, type TestApp } from '../server/start.js';
import { sqliteDb } from '../helpers/sqlite-handle.js';

/**
 * Issue 15, High 3: a secret typed by a user or a technician never reaches SQLite, whatever path it
 * takes (turns, events, state, local tickets and their history, the outbox packet, ticket news,
 * drafts from resolution notes) nor the debug log. The database files are read byte for byte.
 */

const USER_SECRETS: Array<[string, string]> = [
  ['Password is Soleil2024!x', 'Soleil2024!x'],
  ['my login is jdupont and password is Lune2025#q', 'Lune2025#q'],
  ['voici mon mdp Mars2026$z', 'Mars2026$z'],
  ['my new password Venus2027%k doesnt work', 'Venus2027%k'],
  ['my card 4111.1111.1111.1111 is blocked', '4111.1111.1111.1111'],
  ['refund to fr76 3000 6000 0112 3456 7890 189', '3000 6000 0112'],
  ['IBAN GB82-WEST-1234-5698-7654-32 please', 'WEST-1234-5698'],
  ['mon numéro de sécu 1 85 05 78 006 084 36', '006 084 36'],
  ['the key sk-proj-Xw3kT9bLm2Qp7Rz4Ns8Vd1Fh6Jc5Gy0A fails', 'Xw3kT9bLm2Qp7Rz4'],
  ['api key is 9f8e7d6c5b4a39281706f5e4d3c2b1a0', '9f8e7d6c5b4a3928'],
];
const NOTES_SECRET = 'Winter2024!xy';

describe('no secret reaches the stores or the debug log', () => {
  let server: TestApp;
  const log: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({ write(chunk, _enc, done) { log.push(String(chunk)); done(); } });
    server = await startTestApp({}, { logger: pino({ level: 'debug' }, sink) });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const address = { channel: 'web', conversationId: 'secrets-conversation' };
  const user = { id: 'secrets-user', name: 'Léa Martin', email: 'lea.martin@example.org' };
  let n = 0;
  const send = (event: Omit<InboundEvent, 'address' | 'user' | 'messageId'>) =>
    server.app.engine.handle({ address, user, messageId: `m${++n}`, receivedAt: new Date().toISOString(), ...event });
  const choice = (replies: OutboundMessage[], a: string, v?: string) =>
    replies.flatMap((r) => r.parts).flatMap((p) => (p.kind === 'choices' ? p.choices : [])).find((c) => c.value.a === a && (v === undefined || c.value.v === v));

  it('user messages, the escalation, the ticket, its resolution notes and the draft keep no secret', async () => {
    await send({ text: 'my vpn does not connect' });
    for (const [text] of USER_SECRETS) await send({ text });
    const offer = await send({ text: 'talk to a human' });
    const yes = choice(offer, 'escalate', 'yes');
    let replies = yes ? await send({ action: { payload: yes.value } }) : offer;
    // The bot may ask what the problem is before opening the ticket.
    for (let i = 0; i < 3 && (await server.app.outbox.list()).length === 0; i++) {
      replies = await send({ text: 'VPN refuses my password Soleil2024!x since this morning' });
    }
    const tickets = new TicketStore(sqliteDb(server.app));
    for (let i = 0; i < 100 && (await tickets.list()).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const [ticket] = await tickets.list();
    expect(ticket, JSON.stringify(replies)).toBeDefined();
    await tickets.resolve(ticket!.number, `Reset the account. temp password is ${NOTES_SECRET} — user must change it.`, { actor: 'Sam', note: `gave ${NOTES_SECRET} by phone, password is ${NOTES_SECRET}` });
    await server.app.sweep();
    for (let i = 0; i < 100 && (await server.app.drafts.list()).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await tickets.get(ticket!.number))?.resolutionNotes).toContain('[REDACTED:password]');
    const drafts = await server.app.drafts.list();
    expect(drafts.length).toBeGreaterThan(0);
    expect(JSON.stringify(drafts)).toContain('[REDACTED:password]');
    expect((await server.app.outbox.list()).length).toBeGreaterThan(0);
  });

  it('no byte of the database files holds a secret', async () => {
    const dataDir = join(server.dir, 'data');
    sqliteDb(server.app).pragma('wal_checkpoint(TRUNCATE)');
    const bytes = readdirSync(dataDir).filter((f) => f.startsWith('helpdesk.db')).map((f) => readFileSync(join(dataDir, f)).toString('latin1')).join('\n');
    const utf8 = Buffer.from(bytes, 'latin1').toString('utf8');
    expect(utf8).toContain('[REDACTED:');
    for (const [, secret] of [...USER_SECRETS, ['', NOTES_SECRET]]) expect(utf8.includes(secret!), secret).toBe(false);
  });

  it('nor does the debug log', () => {
    const text = log.join('');
    expect(text.length).toBeGreaterThan(0);
    for (const [, secret] of [...USER_SECRETS, ['', NOTES_SECRET]]) expect(text.includes(secret!), secret).toBe(false);
  });
});
