import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type Request } from 'express';
import type { ConversationAddress, InboundEvent, OutboundMessage, ProactiveSender, SentMessage, TurnProgress } from '../../engine/contract.js';
import { LANGS, langFromLocale, type Lang } from '../../engine/lang.js';
import { redact } from '../../engine/redact.js';
import type { Channel, ChannelDeps } from '../types.js';
import { TokenBuckets, type Limiter, type RateLimit } from '../../server/rate-limit.js';
import type { MessageBus } from '../../engine/ports/coordination.js';
import type { ProactiveLog } from '../../engine/ports/proactive-log.js';
import { WebHub, type HubOptions } from './hub.js';
import { userRefOf, WebAuth, type WebAuthOptions } from './identity.js';
import type { WebIdentity } from './session.js';
import { chatRequestSchema, eventsQuerySchema, type ChatRequest } from './schema.js';
import { toWebMessage } from './view-model.js';
import { z } from 'zod';

/**
 * The local web chat: GET /chat (a single page served from src/channels/web/public, no CDN),
 * POST /api/chat (one turn, JSON in and out) and GET /api/chat/events (Server-Sent Events for
 * what the bot says on its own). Who is talking is decided by the server (identity.ts, WEB_AUTH),
 * never by the page; a conversation belongs to the identity that started it, and only that
 * identity may continue it or listen to it. WEB_CHAT_ENABLED=false turns the web chat off.
 */

export const WEB_CHANNEL = 'web';

/** Bus topic of proactive web chat wake-ups (several replicas): the payload is a conversation id. */
export const WEB_FAN_OUT_TOPIC = 'web-chat';
/** What travels on the bus: validated on receipt, the bus being shared with every replica. */
const wakeSchema = z.string().min(1).max(128);
/** Stored proactive messages are kept this long for pages that reconnect (README "Several replicas"). */
export const PROACTIVE_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

// src/channels/web and dist/channels/web both sit three levels below the repository root.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const PUBLIC_DIR = join(ROOT, 'src', 'channels', 'web', 'public');

/** UI strings the page needs, in both languages (it switches to the language of the bot's replies). */
const CHROME_KEYS = [
  'title', 'subtitle', 'log_label', 'input_label', 'placeholder', 'send', 'new_conversation', 'language', 'typing',
  'you', 'bot', 'new_tab', 'error_send', 'error_busy', 'error_rejected', 'reconnecting', 'no_script', 'password_note',
  'signed_in_as', 'sign_in', 'sign_out', 'signed_out', 'error_signed_out',
  'show_more', 'show_less',
] as const;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface WebChannelOptions {
  hub?: HubOptions;
  /** Who is talking (WEB_AUTH). */
  auth: Omit<WebAuthOptions, 'message' | 'logger'>;
  /** The id of the user a web conversation belongs to, when it exists (the conversation store). */
  conversationOwner(conversationId: string): Promise<string | undefined>;
  /** Requests per client address (req.ip, see TRUST_PROXY), on top of the engine's per-user limit; undefined: off. */
  addressLimit?: RateLimit;
  /** The same limit shared by every replica (replaces addressLimit's in-memory buckets). */
  addressLimiter?: Limiter;
  /** What the bot says on its own, stored before any page is told (shared by every replica). */
  proactiveLog: ProactiveLog;
  /**
   * Several replicas: after a proactive message is stored, this bus wakes every replica, and the
   * one holding the page's stream reads it from the log. Absent: this process's streams only.
   */
  fanOut?: MessageBus;
}

export interface WebChannel extends Channel {
  readonly hub: WebHub;
}

export function createWebChannel(deps: ChannelDeps, options: WebChannelOptions): WebChannel {
  const { translator: t, engine } = deps;
  const log = options.proactiveLog;
  const hub = new WebHub(log, { ...options.hub, onError: (err) => deps.reportError('proactive', err) });
  const perAddress = options.addressLimiter ?? (options.addressLimit ? new TokenBuckets(options.addressLimit) : undefined);
  const fanOut = options.fanOut;
  const listening = fanOut?.subscribe(
    WEB_FAN_OUT_TOPIC,
    (payload) => {
      const parsed = wakeSchema.safeParse(payload);
      if (!parsed.success) {
        deps.logger.warn('web chat fan-out: ignored a malformed message from the bus');
        return;
      }
      void hub.wake(parsed.data);
    },
    // Wake-ups sent while this replica was cut off from the bus are lost; the messages are not.
    () => void hub.catchUp(),
  );
  // Unhandled here would crash the process; a send awaits the same promise and fails loudly instead.
  listening?.catch((err: unknown) => deps.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'web chat fan-out: subscription failed'));
  const template = readFileSync(join(PUBLIC_DIR, 'chat.html'), 'utf8');

  const strings = Object.fromEntries(
    LANGS.map((lang) => [
      lang,
      {
        ...Object.fromEntries(CHROME_KEYS.map((k) => [k, t.t(lang, `webchat.${k}`)])),
        answered: t.t(lang, 'channels.answered'),
        greeting: t.t(lang, 'dialogue.greeting_anonymous'),
      },
    ]),
  );

  function pageLang(req: Request): Lang {
    const asked = typeof req.query.lang === 'string' ? langFromLocale(req.query.lang) : undefined;
    return asked ?? langFromLocale(req.acceptsLanguages(...LANGS) || undefined) ?? 'en';
  }

  const auth = new WebAuth({ ...options.auth, logger: deps.logger, message: (req, key) => t.t(pageLang(req), `webchat.${key}`) });

  function renderPage(lang: Lang): string {
    // "<" escaped so no string can close the JSON script element.
    const json = JSON.stringify(strings).replace(/</g, '\\u003c');
    const s = strings[lang] as Record<string, string>;
    return template
      .replaceAll('{{lang}}', lang)
      .replaceAll('{{strings}}', json)
      .replace(/\{\{t\.(\w+)\}\}/g, (_m, key: string) => escapeHtml(s[key] ?? key));
  }

  function toEvent(body: ChatRequest, identity: WebIdentity): InboundEvent {
    return {
      address: { channel: WEB_CHANNEL, conversationId: body.conversationId },
      // Only the locale (a display preference) is taken from the page; who it is comes from the server.
      user: userRefOf(identity, body.user?.locale),
      ...(body.messageId ? { messageId: body.messageId } : {}),
      ...(body.text !== undefined
        ? { text: body.text }
        : { action: { payload: body.action?.payload, ...(body.action?.sourceMessageId ? { sourceMessageId: body.action.sourceMessageId } : {}) } }),
      receivedAt: new Date().toISOString(),
    };
  }

  /**
   * A model-written answer is streamed to the conversation's open pages while it is written: the
   * engine's TurnProgress hands over the text as it passes the grounding check, sentence by
   * sentence, and each piece goes out as an SSE `answer-delta` event ({ id, text }, plain text).
   * The complete reply returned by POST /api/chat carries the same id and replaces the streamed
   * text on the page: the checked answer, or the article when the whole answer failed a later check.
   */
  type Reply = ReturnType<typeof toWebMessage>;
  function liveAnswer(conversationId: string): { progress: TurnProgress; end(replies: OutboundMessage[], web: Reply[]): Promise<Reply[]> } {
    const id = randomUUID();
    let sent = false;
    let following: Promise<void> | undefined;
    return {
      progress: {
        answering(text) {
          following = (async () => {
            for await (const piece of text) {
              sent = hub.stream(conversationId, 'answer-delta', { id, text: plainPiece(piece) }) > 0 || sent;
            }
          })();
        },
      },
      async end(replies, web) {
        await following;
        if (!sent) return web;
        // The reply that takes the streamed text's place: the written answer, else the article shown instead, else the first.
        const written = replies.findIndex((r) => r.parts.some((p) => p.kind === 'text' && p.generated === true));
        const article = replies.findIndex((r) => r.parts.some((p) => p.kind === 'citation'));
        const at = written >= 0 ? written : article >= 0 ? article : 0;
        return web.map((m, i) => (i === at ? { ...m, id } : m));
      },
    };
  }

  const router = Router();
  router.get('/', (_req, res) => res.redirect(302, '/chat'));
  router.use(auth.router());
  router.get('/chat', (req, res) => {
    // Signs the browser in (oidc) or gives it its anonymous session before the page talks.
    if (!auth.identify(req, res, true) && auth.mode === 'oidc' && req.query.signed_out === undefined) {
      res.redirect(302, auth.signInUrl(req.originalUrl));
      return;
    }
    res
      .set({
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
        'Content-Security-Policy':
          "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        'Referrer-Policy': 'no-referrer',
      })
      .send(renderPage(pageLang(req)));
  });
  router.use('/chat/assets', express.static(PUBLIC_DIR, { index: false, fallthrough: false, maxAge: '1h' }));

  /** 401 when nobody is signed in; 403 when the conversation is someone else's. */
  async function authorise(req: Request, res: express.Response, conversationId: string, issue: boolean): Promise<WebIdentity | undefined> {
    const identity = auth.identify(req, res, issue);
    if (!identity) {
      res.status(401).json({ error: 'sign_in_required', message: 'Sign in to use the chat.', ...(auth.mode === 'oidc' ? { signInUrl: auth.signInUrl() } : {}) });
      return undefined;
    }
    const owner = await options.conversationOwner(conversationId);
    if (owner !== undefined && owner !== identity.id) {
      // Same answer whatever the reason, so conversation ids cannot be probed.
      res.status(403).json({ error: 'forbidden', message: 'This conversation belongs to someone else; start a new one.' });
      return undefined;
    }
    return identity;
  }

  router.post('/api/chat', express.json({ limit: '128kb' }), async (req, res) => {
    if (perAddress) {
      const taken = await perAddress.take(req.ip ?? req.socket.remoteAddress ?? 'unknown');
      if (!taken.ok) {
        res.status(429).set('Retry-After', String(taken.retryAfterSeconds)).json({ error: 'rate_limited', message: 'Too many messages from this address; try again shortly.', retryAfterSeconds: taken.retryAfterSeconds });
        return;
      }
    }
    const parsed = chatRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({
        error: 'invalid_request',
        message: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
      });
      return;
    }
    const body = parsed.data;
    const identity = await authorise(req, res, body.conversationId, true);
    if (!identity) return;
    const live = liveAnswer(body.conversationId);
    const event: InboundEvent = { ...toEvent(body, identity), progress: live.progress };
    await deps.track(() =>
      deps.inOrder(event.address, async () => {
        let replies: OutboundMessage[];
        try {
          replies = await engine.handle(event);
        } catch (err) {
          deps.reportError('turn', err, { conversationId: body.conversationId });
          throw err;
        }
        const web = await live.end(replies, replies.map((m) => toWebMessage(m, t)));
        res.set('Cache-Control', 'no-store').json({
          conversationId: body.conversationId,
          // What was stored of the user's message: the page shows and keeps this, never a secret it held.
          ...(body.text !== undefined ? { echo: { text: redact(body.text).text } } : {}),
          replies: web,
        });
      }),
    );
  });

  router.get('/api/chat/events', async (req, res) => {
    const parsed = eventsQuerySchema.safeParse(req.query);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid_request', message: 'conversationId: expected 8 to 128 letters, digits, "-" or "_"' });
      return;
    }
    // A stream opened first (a fresh page) may get the anonymous session; it still sees only conversations of its own.
    if (!(await authorise(req, res, parsed.data.conversationId, true))) return;
    const lastEventId = req.get('Last-Event-ID');
    hub.subscribe(parsed.data.conversationId, res, lastEventId && lastEventId.length <= 128 ? lastEventId : undefined, req.ip ?? req.socket.remoteAddress ?? 'unknown');
  });

  // Every replica prunes (an indexed DELETE, idempotent): no coordination needed for it.
  let lastPrune = 0;
  const prune = async (): Promise<void> => {
    if (Date.now() - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = Date.now();
    try {
      const gone = await log.prune(new Date(Date.now() - PROACTIVE_RETENTION_MS));
      if (gone > 0) deps.logger.debug({ gone }, 'web proactive messages pruned');
    } catch (err) {
      deps.reportError('proactive', err);
    }
  };

  const sender: ProactiveSender = {
    channel: WEB_CHANNEL,
    async send(address: ConversationAddress, message: OutboundMessage): Promise<SentMessage> {
      const web = toWebMessage(message, t, { proactive: true });
      // Stored first: once this resolves the message reaches the page whichever replica holds its
      // stream, whatever happens to the bus. A failure here fails the send (the outbox retries).
      // Keyed by the message id: an outbox retry of a send whose first try got this far stores nothing new.
      const id = await log.append(address.conversationId, JSON.stringify(web), new Date(), web.id);
      void hub.wake(address.conversationId);
      if (fanOut) {
        try {
          await listening;
          await fanOut.publish(WEB_FAN_OUT_TOPIC, address.conversationId);
        } catch (err) {
          // Not rethrown: a retry would store the message twice. The replica holding the stream
          // finds it at its next catch-up (when its bus comes back, or its timer).
          deps.logger.warn({ conversationId: address.conversationId, err: err instanceof Error ? err.message : String(err) }, 'web chat fan-out: wake-up not published');
        }
      }
      deps.logger.debug({ conversationId: address.conversationId, id }, 'web proactive message stored');
      void prune();
      return { messageId: web.id };
    },
  };

  return {
    name: WEB_CHANNEL,
    router,
    sender,
    hub,
    async close() {
      await (await listening?.catch(() => undefined))?.();
      hub.close();
    },
  };
}

/** A streamed piece as the page shows it until the complete message arrives: Markdown marks removed, spaces kept. */
export function plainPiece(markdown: string): string {
  return markdown.replace(/\[([^\]]+)\]\((?:https?:|mailto:)[^)\s]*\)/g, '$1').replace(/\*\*|`/g, '');
}
