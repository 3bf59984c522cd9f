/**
 * A Bot Connector service stand-in on 127.0.0.1, as the Bot Framework Emulator provides one: the
 * REST endpoints a botbuilder adapter calls when replying (v3 Conversations API), recording every
 * call. Activities POSTed to the bot carry `serviceUrl` = this server's URL.
 *
 *   POST /v3/conversations/{conversationId}/activities               send to conversation
 *   POST /v3/conversations/{conversationId}/activities/{activityId}  reply to activity
 *   PUT  /v3/conversations/{conversationId}/activities/{activityId}  update activity
 *   GET  /v3/conversations/{conversationId}/members/{memberId}       one member (TeamsInfo.getMember)
 *   GET  /v3/conversations/{conversationId}/members                  all members
 *
 * https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectorCall {
  op: 'send' | 'reply' | 'update' | 'member' | 'members';
  conversationId: string;
  /** replyToId for replies, the updated activity id for updates, the member id for lookups. */
  targetId?: string;
  /** The id this server gave the activity (send/reply), or the updated one. */
  activityId?: string;
  activity?: Record<string, unknown>;
  authorization?: string;
}

export interface Member {
  id: string;
  name?: string;
  aadObjectId?: string;
  email?: string;
  userPrincipalName?: string;
  givenName?: string;
  surname?: string;
  tenantId?: string;
}

export interface BotConnectorServer {
  url: string;
  calls: ConnectorCall[];
  /** Roster served to member lookups, by member id. */
  members: Map<string, Member>;
  /** Messages (type "message") sent or replied, in order. */
  messages(): ConnectorCall[];
  /** Waits until `predicate` holds for the calls recorded so far. */
  waitFor(predicate: (calls: ConnectorCall[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const ROUTE = /^\/v3\/conversations\/([^/]+)(?:\/(activities|members)(?:\/([^/]+))?)?\/?$/;

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (!chunks.length) return undefined;
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(body === undefined ? '' : JSON.stringify(body));
}

export async function startBotConnectorServer(): Promise<BotConnectorServer> {
  const calls: ConnectorCall[] = [];
  let sent = 0;
  const members = new Map<string, Member>();
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://connector');
      const m = ROUTE.exec(url.pathname);
      if (!m) return send(res, 404, { error: { code: 'NotFound', message: `no route ${req.method} ${url.pathname}` } });
      const conversationId = decodeURIComponent(m[1] ?? '');
      const kind = m[2];
      const target = m[3] ? decodeURIComponent(m[3]) : undefined;
      const authorization = req.headers.authorization;
      const base = { conversationId, ...(authorization ? { authorization } : {}) };

      if (kind === 'activities' && req.method === 'POST') {
        const activity = await readJson(req);
        if (!activity || typeof activity.type !== 'string') return send(res, 400, { error: { code: 'BadArgument', message: 'activity type required' } });
        // Teams message ids are numbers (milliseconds); a channel thread is "<channel>;messageid=<root id>".
        const activityId = String(1_700_000_000_000 + ++sent);
        calls.push({ ...base, op: target ? 'reply' : 'send', ...(target ? { targetId: target } : {}), activityId, activity });
        return send(res, 200, { id: activityId });
      }
      if (kind === 'activities' && req.method === 'PUT' && target) {
        const activity = await readJson(req);
        calls.push({ ...base, op: 'update', targetId: target, activityId: target, ...(activity ? { activity } : {}) });
        return send(res, 200, { id: target });
      }
      if (kind === 'members' && req.method === 'GET') {
        if (target) {
          calls.push({ ...base, op: 'member', targetId: target });
          const member = members.get(target);
          return member ? send(res, 200, member) : send(res, 404, { error: { code: 'MemberNotFoundInConversation', message: 'member not found' } });
        }
        calls.push({ ...base, op: 'members' });
        return send(res, 200, [...members.values()]);
      }
      return send(res, 405, { error: { code: 'MethodNotAllowed', message: `${req.method} not supported` } });
    })().catch((err: unknown) => send(res, 500, { error: { code: 'ServiceError', message: String(err) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    members,
    messages: () => calls.filter((c) => (c.op === 'send' || c.op === 'reply') && c.activity?.type === 'message'),
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(calls)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for connector calls; got:\n${JSON.stringify(calls.map((c) => [c.op, c.activity?.type, c.targetId]), null, 1)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
