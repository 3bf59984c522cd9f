import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeamsChannel } from '../../../src/channels/teams/index.js';
import type { Engine, OutboundMessage } from '../../../src/engine/contract.js';
import { translator } from '../../../src/engine/i18n.js';
import { channelsSchema } from '../../../src/config/sections/channels.js';
import { SqliteChannelReferences } from '../../../src/storage/sqlite/channel-references.js';
import { SqliteDeliveryLog } from '../../../src/storage/sqlite/delivery-log.js';
import { openDatabase, type Db } from '../../../src/storage/sqlite/database.js';
import { migrateSqlite } from '../../../src/storage/sqlite/migrations.js';
import { createLogger } from '../../../src/log.js';
import { startBotConnectorServer, type BotConnectorServer } from '../../helpers/bot-connector-server.js';
import { postJson } from '../../server/start.js';
import { findAll } from './adaptive-card.js';

/**
 * Two Teams channels standing for two replicas, each with its own connection to one database: a
 * card sent by replica A is clicked, and the click reaches replica B, which must find the card to
 * mark it answered (the card cache used to be one process's memory).
 */

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const BOT = { id: '28:bot', name: 'IT Helpdesk' };
const USER = { id: '29:user', name: 'Léa Martin', aadObjectId: '6f0a3c7e-1d2b-4e5f-8a9b-0c1d2e3f4a5b' };

describe('Teams sent cards shared between replicas', () => {
  let connector: BotConnectorServer;
  let dir: string;
  const dbs: Db[] = [];
  const servers: Server[] = [];
  const urls: string[] = [];
  let script: OutboundMessage[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    connector = await startBotConnectorServer();
    dir = mkdtempSync(join(tmpdir(), 'teams-cards-'));
    const file = join(dir, 'helpdesk.db');
    for (let i = 0; i < 2; i++) {
      const db = openDatabase(file);
      if (i === 0) migrateSqlite(db);
      dbs.push(db);
      const engine: Engine = { handle: async () => script };
      const channel = createTeamsChannel(
        {
          engine,
          technicians: { onTechnicianMessage: async () => undefined, onTechnicianAction: async () => undefined },
          translator: translator(),
          logger: createLogger('silent'),
          track: (work) => work(),
          inOrder: (_address, work) => work(),
          reportError: (stage, err) => void errors.push(`${stage}: ${String(err)}`),
          deliveries: new SqliteDeliveryLog(db),
        },
        { config: channelsSchema.parse({}).teams, references: new SqliteChannelReferences(db) },
      );
      const app = express();
      app.use(channel.router);
      const http = createServer(app);
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      servers.push(http);
      urls.push(`http://127.0.0.1:${(http.address() as AddressInfo).port}`);
    }
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    await connector?.close();
    for (const db of dbs) db.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const activity = (overrides: Record<string, unknown>): Record<string, unknown> => ({
    type: 'message',
    id: `f:${randomUUID()}`,
    serviceUrl: connector.url,
    channelId: 'msteams',
    from: USER,
    recipient: BOT,
    conversation: { id: 'a:1chat', conversationType: 'groupChat', tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
    locale: 'en-US',
    ...overrides,
  });

  it('a click reaching replica B marks answered the card replica A sent', async () => {
    const yes = { a: 'feedback', v: 'yes', n: 'card-replicas' };
    script = [{ lang: 'en', parts: [{ kind: 'text', text: 'Did that fix it?' }, { kind: 'choices', choices: [{ label: 'Yes', value: yes }, { label: 'No', value: { ...yes, v: 'no' } }] }] }];
    expect((await postJson(`${urls[0]}/api/messages`, activity({ text: 'vpn' }))).status).toBe(200);
    const card = connector.calls.filter((c) => c.op === 'reply' && c.activity?.type === 'message').at(-1)!;
    const button = findAll((card.activity?.attachments as Array<{ content: unknown }>)[0]?.content, 'Action.Submit')[0]!;

    script = [{ lang: 'en', parts: [{ kind: 'text', text: 'Great, have a good day!' }] }];
    const before = connector.calls.length;
    expect((await postJson(`${urls[1]}/api/messages`, activity({ value: button.data, replyToId: card.activityId }))).status).toBe(200);
    const calls = connector.calls.slice(before).filter((c) => (c.op === 'update' || c.op === 'reply') && c.activity?.type !== 'typing');
    expect(calls.map((c) => [c.op, c.targetId])).toEqual([
      ['update', card.activityId],
      ['reply', expect.any(String)],
    ]);
    const answered = (calls[0]?.activity?.attachments as Array<{ content: unknown }>)[0]?.content;
    expect(findAll(answered, 'Action.Submit')).toEqual([]);
    expect(JSON.stringify(answered)).toContain('Did that fix it?');
    expect(JSON.stringify(answered)).toContain(translator().t('en', 'channels.answered', { answer: 'Yes' }));
    // (The fake connector knows no roster: lookups fail and the turn goes on with the activity's identity.)
    expect(errors.filter((e) => !e.startsWith('lookup:'))).toEqual([]);
  });

  it('prunes sent cards after a day and answers\' feedback links after half a year, at most hourly per replica', async () => {
    const day = 24 * 60 * 60 * 1000;
    const insert = dbs[0]!.prepare('INSERT INTO conversation_references (channel, conversation_id, reference_json, updated_at) VALUES (?, ?, ?, ?)');
    const aged = (days: number) => new Date(Date.now() - days * day).toISOString();
    insert.run('teams.answers', 'a:old\n1', '{}', aged(200));
    insert.run('teams.answers', 'a:old\n2', '{}', aged(100));
    insert.run('teams.cards', 'a:old\n3', '{}', aged(2));
    insert.run('teams.cards', 'a:old\n4', '{}', aged(0.5));
    const left = () => (dbs[0]!.prepare("SELECT conversation_id FROM conversation_references WHERE conversation_id LIKE 'a:old%' ORDER BY conversation_id").all() as Array<{ conversation_id: string }>).map((r) => r.conversation_id);
    expect(left()).toHaveLength(4);
    // Replica B has not pruned yet this hour: the answer it sends (with its feedback buttons) triggers it.
    const yes = { a: 'feedback', v: 'yes', n: 'prune' };
    script = [{ lang: 'en', parts: [{ kind: 'text', text: 'Did that fix it?' }, { kind: 'choices', choices: [{ label: 'Yes', value: yes }, { label: 'No', value: { ...yes, v: 'no' } }] }] }];
    expect((await postJson(`${urls[1]}/api/messages`, activity({ text: 'printer' }))).status).toBe(200);
    expect(left()).toEqual(['a:old\n2', 'a:old\n4']);
  });
});
