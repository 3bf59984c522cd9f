/**
 * A local Direct Line 3.0 service for tests, speaking the documented protocol to both sides, as the
 * `offline-directline` package does (that package is unmaintained: Express 4.16 pinned, no release
 * for years), so Microsoft's own Web Chat can talk to the bot without Azure:
 *
 * Client side (https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-direct-line-3-0-api-reference):
 *   POST /v3/directline/conversations                         start a conversation → {conversationId, token, expires_in}
 *   GET  /v3/directline/conversations/{id}?watermark=         resume
 *   POST /v3/directline/conversations/{id}/activities         send an activity → {id}
 *   GET  /v3/directline/conversations/{id}/activities?watermark=N   poll → {activities, watermark}
 *   POST /v3/directline/tokens/refresh                        refresh the token
 * Bot side (the Bot Connector REST API the bot replies through, serviceUrl = this server):
 *   POST /v3/conversations/{id}/activities[/{replyToId}]     the bot sends → {id}
 *   PUT  /v3/conversations/{id}/activities/{activityId}      the bot updates a message
 *
 * Activities forwarded to the bot carry channelId "directline" and this server as serviceUrl, and
 * no `recipient`, as emulators send them (the Activity spec lets bots receive that). Every page and
 * asset the test needs is served from this origin too, so the browser makes no cross-origin call.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Activity = Record<string, unknown> & { id?: string; type?: string };

export interface DirectLineServer {
  url: string;
  /** Everything in each conversation, in order, as clients see it. */
  conversations: Map<string, Activity[]>;
  /** Bot answers to forwarded activities (status codes), in order. */
  botResponses: number[];
  /** Serves `body` at `path` (a test page) or a file from disk. */
  serve(path: string, content: { body: string; type: string } | { file: string; type: string }): void;
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<Activity | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (!chunks.length) return undefined;
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Activity;
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(body === undefined ? '' : JSON.stringify(body));
}

const CLIENT = /^\/v3\/directline\/conversations(?:\/([^/]+)(?:\/(activities))?)?\/?$/;
const BOT = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?\/?$/;

export async function startDirectLineServer(options: { botUrl: string }): Promise<DirectLineServer> {
  const conversations = new Map<string, Activity[]>();
  const botResponses: number[] = [];
  const files = new Map<string, { body: string; type: string } | { file: string; type: string }>();
  let url = '';

  const record = (conversationId: string, activity: Activity): Activity => {
    const list = conversations.get(conversationId)!;
    const stored = { ...activity, id: activity.id ?? `${conversationId}|${String(list.length).padStart(7, '0')}`, timestamp: new Date().toISOString(), channelId: 'directline', conversation: { id: conversationId } };
    list.push(stored);
    return stored;
  };

  const server = createServer((req, res) => {
    void (async () => {
      const u = new URL(req.url ?? '/', 'http://directline');
      const file = req.method === 'GET' ? files.get(u.pathname) : undefined;
      if (file) {
        res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' });
        if ('file' in file) createReadStream(file.file).pipe(res);
        else res.end(file.body);
        return;
      }
      if (u.pathname === '/v3/directline/tokens/refresh' && req.method === 'POST') return send(res, 200, { token: 'local-token', expires_in: 3600 });

      const client = CLIENT.exec(u.pathname);
      if (client) {
        const id = client[1] ? decodeURIComponent(client[1]) : undefined;
        if (!id && req.method === 'POST') {
          const conversationId = `dl-${randomUUID()}`;
          conversations.set(conversationId, []);
          return send(res, 201, { conversationId, token: 'local-token', expires_in: 3600 });
        }
        const list = id ? conversations.get(id) : undefined;
        if (!id || !list) return send(res, 404, { error: { code: 'BadArgument', message: 'Conversation not found' } });
        if (!client[2] && req.method === 'GET') return send(res, 200, { conversationId: id, token: 'local-token', expires_in: 3600 });
        if (client[2] && req.method === 'GET') {
          const watermark = Math.max(0, Number.parseInt(u.searchParams.get('watermark') ?? '0', 10) || 0);
          return send(res, 200, { activities: list.slice(watermark), watermark: String(list.length) });
        }
        if (client[2] && req.method === 'POST') {
          const incoming = await readJson(req);
          if (!incoming || typeof incoming.type !== 'string') return send(res, 400, { error: { code: 'BadArgument', message: 'activity type required' } });
          const stored = record(id, { ...incoming, id: undefined, serviceUrl: url });
          // What the bot receives: the stored activity, without the recipient (see above).
          const { recipient: _recipient, ...toBot } = stored;
          const bot = await fetch(`${options.botUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(toBot) });
          botResponses.push(bot.status);
          await bot.arrayBuffer();
          // As the real service does, the client learns when the bot refused the activity.
          if (!bot.ok) return send(res, 502, { error: { code: 'BotError', message: `bot answered ${bot.status}` } });
          return send(res, 200, { id: stored.id });
        }
        return send(res, 405, { error: { code: 'MethodNotAllowed', message: `${req.method} not supported` } });
      }

      const bot = BOT.exec(u.pathname);
      if (bot) {
        const id = decodeURIComponent(bot[1] ?? '');
        const list = conversations.get(id);
        if (!list) return send(res, 404, { error: { code: 'ConversationNotFound', message: 'no such conversation' } });
        const activity = await readJson(req);
        if (!activity || typeof activity.type !== 'string') return send(res, 400, { error: { code: 'BadArgument', message: 'activity type required' } });
        if (req.method === 'POST') {
          const stored = record(id, { ...activity, id: undefined, ...(bot[2] ? { replyToId: decodeURIComponent(bot[2]) } : {}) });
          return send(res, 200, { id: stored.id });
        }
        if (req.method === 'PUT' && bot[2]) {
          // An edit reaches polling clients as the same activity id again, after the others.
          record(id, { ...activity, id: decodeURIComponent(bot[2]) });
          return send(res, 200, { id: bot[2] });
        }
        return send(res, 405, { error: { code: 'MethodNotAllowed', message: `${req.method} not supported` } });
      }
      return send(res, 404, { error: { code: 'NotFound', message: `no route ${req.method} ${u.pathname}` } });
    })().catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { error: { code: 'ServiceError', message: String(err) } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    conversations,
    botResponses,
    serve: (path, content) => void files.set(path, content),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
