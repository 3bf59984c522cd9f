import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type Request } from 'express';
import type { ConversationAddress, InboundEvent, OutboundMessage, ProactiveSender, SentMessage } from '../../engine/contract.js';
import { LANGS, langFromLocale, type Lang } from '../../engine/lang.js';
import { redact } from '../../engine/redact.js';
import type { Channel, ChannelDeps } from '../types.js';
import { WebHub, type HubOptions } from './hub.js';
import { chatRequestSchema, eventsQuerySchema, type ChatRequest } from './schema.js';
import { toWebMessage } from './view-model.js';

/**
 * The local web chat: GET /chat (a single page served from src/channels/web/public, no CDN),
 * POST /api/chat (one turn, JSON in and out) and GET /api/chat/events (Server-Sent Events for
 * what the bot says on its own). No sign-in: it is meant for trying the bot and for intranets;
 * WEB_CHAT_ENABLED=false turns it off.
 */

export const WEB_CHANNEL = 'web';

// src/channels/web and dist/channels/web both sit three levels below the repository root.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const PUBLIC_DIR = join(ROOT, 'src', 'channels', 'web', 'public');

/** UI strings the page needs, in both languages (it switches to the language of the bot's replies). */
const CHROME_KEYS = [
  'title', 'subtitle', 'log_label', 'input_label', 'placeholder', 'send', 'new_conversation', 'language', 'typing',
  'you', 'bot', 'new_tab', 'error_send', 'error_busy', 'error_rejected', 'reconnecting', 'no_script', 'password_note',
] as const;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface WebChannelOptions {
  hub?: HubOptions;
}

export interface WebChannel extends Channel {
  readonly hub: WebHub;
}

export function createWebChannel(deps: ChannelDeps, options: WebChannelOptions = {}): WebChannel {
  const { translator: t, engine } = deps;
  const hub = new WebHub(options.hub);
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

  function renderPage(lang: Lang): string {
    // "<" escaped so no string can close the JSON script element.
    const json = JSON.stringify(strings).replace(/</g, '\\u003c');
    const s = strings[lang] as Record<string, string>;
    return template
      .replaceAll('{{lang}}', lang)
      .replaceAll('{{strings}}', json)
      .replace(/\{\{t\.(\w+)\}\}/g, (_m, key: string) => escapeHtml(s[key] ?? key));
  }

  function toEvent(body: ChatRequest): InboundEvent {
    return {
      address: { channel: WEB_CHANNEL, conversationId: body.conversationId },
      user: { id: body.user.id, ...(body.user.name ? { name: body.user.name } : {}), ...(body.user.locale ? { locale: body.user.locale } : {}) },
      ...(body.messageId ? { messageId: body.messageId } : {}),
      ...(body.text !== undefined
        ? { text: body.text }
        : { action: { payload: body.action?.payload, ...(body.action?.sourceMessageId ? { sourceMessageId: body.action.sourceMessageId } : {}) } }),
      receivedAt: new Date().toISOString(),
    };
  }

  const router = Router();
  router.get('/', (_req, res) => res.redirect(302, '/chat'));
  router.get('/chat', (req, res) => {
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

  router.post('/api/chat', express.json({ limit: '32kb' }), async (req, res) => {
    const parsed = chatRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({
        error: 'invalid_request',
        message: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
      });
      return;
    }
    const body = parsed.data;
    const event = toEvent(body);
    await deps.track(() =>
      deps.inOrder(event.address, async () => {
        let replies: OutboundMessage[];
        try {
          replies = await engine.handle(event);
        } catch (err) {
          deps.reportError('turn', err, { conversationId: body.conversationId });
          throw err;
        }
        res.set('Cache-Control', 'no-store').json({
          conversationId: body.conversationId,
          // What was stored of the user's message: the page shows and keeps this, never a secret it held.
          ...(body.text !== undefined ? { echo: { text: redact(body.text).text } } : {}),
          replies: replies.map((m) => toWebMessage(m, t)),
        });
      }),
    );
  });

  router.get('/api/chat/events', (req, res) => {
    const parsed = eventsQuerySchema.safeParse(req.query);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid_request', message: 'conversationId: expected 8 to 128 letters, digits, "-" or "_"' });
      return;
    }
    const lastEventId = req.get('Last-Event-ID');
    hub.subscribe(parsed.data.conversationId, res, lastEventId && lastEventId.length <= 128 ? lastEventId : undefined, req.socket.remoteAddress ?? 'unknown');
  });

  const sender: ProactiveSender = {
    channel: WEB_CHANNEL,
    async send(address: ConversationAddress, message: OutboundMessage): Promise<SentMessage> {
      const web = toWebMessage(message, t, { proactive: true });
      const outcome = hub.publish(address.conversationId, web);
      deps.logger.debug({ conversationId: address.conversationId, outcome }, 'web proactive message');
      return { messageId: web.id };
    },
  };

  return {
    name: WEB_CHANNEL,
    router,
    sender,
    hub,
    async close() {
      hub.close();
    },
  };
}
