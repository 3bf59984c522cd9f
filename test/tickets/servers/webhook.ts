import { createHmac, timingSafeEqual } from 'node:crypto';
import { FakeServer, type RecordedRequest, type Reply } from './base.js';

/**
 * A receiver written from the README's "Webhook signature verification" recipe, independently of
 * src/tickets/signature.ts: HMAC-SHA256 over "<timestamp>.<raw body>", 5-minute window, dedup on
 * Idempotency-Key, answers {id, number, url}; `ticket.comment` events on the same URL (204, 404 for an
 * unknown ticket); optional status and list endpoints.
 */
export const WEBHOOK_SECRET = 'whsec_0123456789abcdef0123456789abcdef';

export function createWebhookServer(secret = WEBHOOK_SECRET) {
  const tickets: { id: string; number: string; key: string; email?: string; status: string; packet: unknown; text: string }[] = [];
  const comments: { ticketId: string; text: string; author: string }[] = [];
  let seq = 500;

  const verified = (req: RecordedRequest) => {
    const ts = req.headers['x-helpdesk-timestamp'];
    const sig = req.headers['x-helpdesk-signature'];
    if (typeof ts !== 'string' || typeof sig !== 'string') return false;
    if (Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
    const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${ts}.${req.body}`).digest('hex')}`);
    return expected.length === Buffer.byteLength(sig) && timingSafeEqual(expected, Buffer.from(sig));
  };

  const view = (t: (typeof tickets)[number]) => ({ id: t.id, number: t.number, status: t.status, title: 'from webhook', url: `https://tickets.example.org/${t.number}` });

  const handler = (req: RecordedRequest): Reply => {
    if (!verified(req)) return { status: 401, body: { error: 'invalid signature' } };
    if (req.method === 'POST' && req.path === '/hooks/escalations' && (req.json as { type?: unknown } | undefined)?.type === 'ticket.comment') {
      const body = req.json as { ticket?: { id?: unknown }; comment?: { text?: unknown; author?: unknown } };
      if (typeof body.ticket?.id !== 'string' || typeof body.comment?.text !== 'string' || typeof body.comment.author !== 'string') {
        return { status: 400, body: { error: 'bad payload' } };
      }
      const t = tickets.find((x) => x.id === body.ticket!.id);
      if (!t) return { status: 404, body: { error: 'unknown ticket' } };
      comments.push({ ticketId: t.id, text: body.comment.text, author: body.comment.author });
      return { status: 204 };
    }
    if (req.method === 'POST' && req.path === '/hooks/escalations') {
      const key = req.headers['idempotency-key'];
      const body = req.json as { type?: string; packet?: { id?: string; user?: { email?: string } }; text?: string } | undefined;
      if (typeof key !== 'string' || body?.type !== 'escalation.created' || !body.packet) return { status: 400, body: { error: 'bad payload' } };
      let t = tickets.find((x) => x.key === key);
      if (!t) {
        t = { id: String(++seq), number: `EXT-${seq}`, key, email: body.packet.user?.email, status: 'new', packet: body.packet, text: body.text ?? '' };
        tickets.push(t);
      }
      return { status: 201, body: view(t) };
    }
    const one = /^\/tickets\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && one) {
      const t = tickets.find((x) => x.number === decodeURIComponent(one[1]!) || x.id === one[1]);
      return t ? { status: 200, body: view(t) } : { status: 404, body: { error: 'not found' } };
    }
    if (req.method === 'GET' && req.path === '/tickets') {
      return { status: 200, body: { tickets: tickets.filter((t) => t.email === req.query.get('email')).reverse().map(view) } };
    }
    return { status: 404, body: { error: 'not found' } };
  };

  return { server: new FakeServer(handler), tickets, comments };
}
