/**
 * A Slack Web API stand-in on 127.0.0.1 for the methods the bot calls, answering as documented
 * (https://api.slack.com/methods): HTTP 200 with `{ ok: true, … }` or `{ ok: false, error }`.
 * Requests are form-encoded (what @slack/web-api sends; objects such as `blocks` arrive as JSON
 * strings) or JSON; the bot token must come as `Authorization: Bearer xoxb-…`.
 *
 *   auth.test        → the bot's user and bot ids
 *   chat.postMessage → needs channel and text or blocks; returns channel, ts, message
 *   chat.update      → needs channel, ts and text or blocks
 *   users.info       → the user from the roster, or user_not_found
 *   reactions.add    → needs channel, timestamp and name; already_reacted the second time
 *   assistant.threads.setStatus / setSuggestedPrompts / setTitle → need channel_id and thread_ts,
 *                      and status / prompts (1 to 4 of { title, message }) / title
 *   chat.startStream → needs channel; recipient_user_id and recipient_team_id outside a DM;
 *                      returns the stream's ts; appendStream (ts, markdown_text or chunks) and
 *                      stopStream (ts) only on a stream still open (message_not_in_streaming_state)
 *   views.publish    → needs user_id and a view of type "home"; views.open → trigger_id and a modal
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  /** What the server answered (e.g. the ts it gave a posted message). */
  result: Record<string, unknown>;
  authorization?: string;
}

export interface SlackUser {
  id: string;
  name: string;
  real_name?: string;
  locale?: string;
  profile: { email?: string; real_name?: string; display_name?: string };
}

export interface SlackStream {
  channel: string;
  ts: string;
  thread_ts?: string;
  /** Markdown received so far, in order. */
  text: string;
  state: 'in_progress' | 'completed';
  blocks?: unknown;
}

export interface SlackApiServer {
  /** Streams by ts (chat.startStream … chat.stopStream). */
  streams: Map<string, SlackStream>;
  /** Base URL ending with "/api/", the value for SLACK_API_URL (without the trailing slash works too). */
  url: string;
  calls: SlackCall[];
  users: Map<string, SlackUser>;
  /** Milliseconds to wait before answering a method (to simulate a slow Slack). */
  delays: Map<string, number>;
  /** Successful calls of one method. */
  of(method: string): SlackCall[];
  waitFor(predicate: (calls: SlackCall[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export const TEAM_ID = 'T0HELPDESK';
export const BOT_USER_ID = 'U0BOTUSER1';
export const BOT_ID = 'B0BOTID001';

async function readArgs(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) return body ? (JSON.parse(body) as Record<string, unknown>) : {};
  const args: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    // Structured arguments (blocks, attachments) are JSON-encoded strings in form bodies.
    args[k] = (k === 'blocks' || k === 'attachments' || k === 'chunks' || k === 'prompts') && v.startsWith('[') ? JSON.parse(v) : k === 'view' && v.startsWith('{') ? JSON.parse(v) : v;
  }
  return args;
}

function reply(res: ServerResponse, body: Record<string, unknown>): void {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

export async function startSlackApiServer(botToken: string): Promise<SlackApiServer> {
  const calls: SlackCall[] = [];
  const users = new Map<string, SlackUser>();
  const delays = new Map<string, number>();
  const streams = new Map<string, SlackStream>();
  const reactions = new Set<string>();
  let seq = 0;
  const nextTs = (): string => `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}`;

  const server = createServer((req, res) => {
    void (async () => {
      const method = new URL(req.url ?? '/', 'http://slack').pathname.replace(/^\/api\//, '');
      const args = await readArgs(req);
      const delay = delays.get(method);
      if (delay) await new Promise((r) => setTimeout(r, delay));
      if (req.headers.authorization !== `Bearer ${botToken}`) {
        return reply(res, { ok: false, error: req.headers.authorization ? 'invalid_auth' : 'not_authed' });
      }
      const ok = (result: Record<string, unknown>): void => {
        calls.push({ method, args, result, authorization: req.headers.authorization });
        reply(res, result);
      };
      switch (method) {
        case 'auth.test':
          return ok({ ok: true, url: 'https://helpdesk-test.slack.com/', team: 'Helpdesk Test', user: 'helpdesk', team_id: TEAM_ID, user_id: BOT_USER_ID, bot_id: BOT_ID, is_enterprise_install: false });
        case 'chat.postMessage': {
          if (!args.channel) return reply(res, { ok: false, error: 'channel_not_found' });
          if (!args.text && !args.blocks) return reply(res, { ok: false, error: 'no_text' });
          const ts = nextTs();
          return ok({
            ok: true,
            channel: args.channel,
            ts,
            message: { type: 'message', subtype: 'bot_message', text: args.text, ts, bot_id: BOT_ID, user: BOT_USER_ID, blocks: args.blocks, ...(args.thread_ts ? { thread_ts: args.thread_ts } : {}) },
          });
        }
        case 'chat.update':
          if (!args.channel || !args.ts) return reply(res, { ok: false, error: !args.channel ? 'channel_not_found' : 'message_not_found' });
          if (!args.text && !args.blocks) return reply(res, { ok: false, error: 'no_text' });
          return ok({ ok: true, channel: args.channel, ts: args.ts, text: args.text, message: { text: args.text, blocks: args.blocks } });
        case 'users.info': {
          const user = users.get(String(args.user ?? ''));
          if (!user) return reply(res, { ok: false, error: 'user_not_found' });
          return ok({ ok: true, user: { ...user, team_id: TEAM_ID, deleted: false, is_bot: false } });
        }
        case 'reactions.add': {
          if (!args.channel || !args.timestamp || !args.name) return reply(res, { ok: false, error: !args.name ? 'invalid_name' : 'message_not_found' });
          const key = `${String(args.channel)}:${String(args.timestamp)}:${String(args.name)}`;
          if (reactions.has(key)) return reply(res, { ok: false, error: 'already_reacted' });
          reactions.add(key);
          return ok({ ok: true });
        }
        case 'assistant.threads.setStatus':
        case 'assistant.threads.setSuggestedPrompts':
        case 'assistant.threads.setTitle': {
          if (!args.channel_id || !args.thread_ts) return reply(res, { ok: false, error: 'invalid_arguments' });
          if (method.endsWith('setStatus') && typeof args.status !== 'string') return reply(res, { ok: false, error: 'invalid_arguments' });
          if (method.endsWith('setTitle') && !args.title) return reply(res, { ok: false, error: 'invalid_arguments' });
          if (method.endsWith('setSuggestedPrompts')) {
            const prompts = args.prompts as Array<{ title?: unknown; message?: unknown }> | undefined;
            if (!Array.isArray(prompts) || prompts.length === 0 || prompts.length > 4 || prompts.some((p) => typeof p.title !== 'string' || typeof p.message !== 'string')) {
              return reply(res, { ok: false, error: 'invalid_arguments' });
            }
          }
          return ok({ ok: true });
        }
        case 'chat.startStream': {
          if (!args.channel) return reply(res, { ok: false, error: 'channel_not_found' });
          if (!String(args.channel).startsWith('D') && (!args.recipient_user_id || !args.recipient_team_id)) return reply(res, { ok: false, error: 'missing_recipient_team_id' });
          const ts = nextTs();
          streams.set(ts, { channel: String(args.channel), ts, ...(args.thread_ts ? { thread_ts: String(args.thread_ts) } : {}), text: streamText(args), state: 'in_progress' });
          return ok({ ok: true, channel: args.channel, ts });
        }
        case 'chat.appendStream':
        case 'chat.stopStream': {
          const stream = streams.get(String(args.ts ?? ''));
          if (!stream || stream.channel !== args.channel) return reply(res, { ok: false, error: 'message_not_found' });
          if (stream.state !== 'in_progress') return reply(res, { ok: false, error: 'message_not_in_streaming_state' });
          if (method === 'chat.appendStream' && !args.markdown_text && !args.chunks) return reply(res, { ok: false, error: 'invalid_arguments' });
          stream.text += streamText(args);
          if (method === 'chat.stopStream') {
            stream.state = 'completed';
            if (args.blocks) stream.blocks = args.blocks;
          }
          return ok({ ok: true, channel: stream.channel, ts: stream.ts });
        }
        case 'views.publish': {
          const view = args.view as { type?: string } | undefined;
          if (!args.user_id || view?.type !== 'home') return reply(res, { ok: false, error: 'invalid_arguments' });
          return ok({ ok: true, view: { id: `V${++seq}`, ...view } });
        }
        case 'views.open': {
          const view = args.view as { type?: string } | undefined;
          if (!args.trigger_id) return reply(res, { ok: false, error: 'invalid_trigger_id' });
          if (view?.type !== 'modal') return reply(res, { ok: false, error: 'invalid_arguments' });
          return ok({ ok: true, view: { id: `V${++seq}`, ...view } });
        }
        default:
          return reply(res, { ok: false, error: 'unknown_method' });
      }
    })().catch((err: unknown) => {
      res.writeHead(500).end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    users,
    delays,
    streams,
    of: (method) => calls.filter((c) => c.method === method),
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(calls)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for Slack API calls; got: ${calls.map((c) => c.method).join(', ')}`);
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

/** The Markdown a streaming call carries: `markdown_text`, or the markdown_text chunks. */
function streamText(args: Record<string, unknown>): string {
  const chunks = Array.isArray(args.chunks) ? (args.chunks as Array<{ type?: string; text?: string }>) : [];
  return (typeof args.markdown_text === 'string' ? args.markdown_text : '') + chunks.filter((c) => c.type === 'markdown_text').map((c) => c.text ?? '').join('');
}
