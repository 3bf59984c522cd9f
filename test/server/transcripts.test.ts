import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvents, type SseReader } from '../helpers/sse.js';
import { answerContact } from '../helpers/web-contact.js';
import { postJson, startTestApp, type TestApp } from './start.js';

/**
 * Replays test/fixtures/transcripts/conversations.yaml (realistic conversations in English and
 * French) against the real composed server through the web chat API, and checks every reply.
 */

const FILE = fileURLToPath(new URL('../fixtures/transcripts/conversations.yaml', import.meta.url));
const oneOrMany = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]));
const stepSchema = z
  .object({
    user: z.string().optional(),
    user_long: z.object({ head: z.string(), line: z.string(), times: z.number().int().positive() }).optional(),
    click: z.string().optional(),
    wait_ticket: z.literal(true).optional(),
    says: oneOrMany.optional(),
    not_says: oneOrMany.optional(),
    offers: z.array(z.string()).optional(),
    not_offers: z.array(z.string()).optional(),
    article: z.string().optional(),
    not_article: z.string().optional(),
    ticket: z.literal('opening').optional(),
    no_buttons: z.literal(true).optional(),
    collapsed: z.literal(true).optional(),
  })
  .strict()
  .refine((s) => [s.user, s.user_long, s.click, s.wait_ticket].filter((x) => x !== undefined).length === 1, 'one action per step');
const conversationSchema = z.object({ name: z.string(), locale: z.string().optional(), steps: z.array(stepSchema).min(1) }).strict();
const conversations = z.array(conversationSchema).parse(parse(readFileSync(FILE, 'utf8')));

const PORTALS = {
  purchase: { url: 'https://buy.example.com', label: { en: 'the purchase portal', fr: 'le portail des achats' } },
  hr: { url: 'https://hr.example.com', label: { en: 'the HR portal', fr: 'le portail RH' } },
  facilities: { url: 'https://facilities.example.com' },
};

type WebMessage = { parts: Array<Record<string, any>>; inputTruncated?: { readChars: number; totalChars: number } };

/** Everything a reader sees in a message (texts, link labels and addresses, headings), buttons aside. */
function textOf(messages: WebMessage[]): string {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'choices' || key === 'value') continue;
      if (typeof value === 'string' && ['text', 'label', 'url', 'heading', 'title', 'before', 'after', 'updatedLabel'].includes(key)) out.push(value);
      else walk(value);
    }
  };
  walk(messages.map((m) => m.parts));
  return out.join(' ').replace(/\s+/g, ' ');
}

const buttonsOf = (messages: WebMessage[]) => messages.flatMap((m) => m.parts.flatMap((p) => (p.kind === 'choices' ? (p.choices as Array<{ label: string; value: unknown }>) : [])));
const articlesOf = (messages: WebMessage[]) => messages.flatMap((m) => m.parts.filter((p) => p.kind === 'citation').map((p) => p.articleId as string));

let server: TestApp;
beforeAll(async () => {
  server = await startTestApp({ REQUEST_PORTALS: JSON.stringify(PORTALS) });
});
afterAll(async () => {
  await server?.stop();
});

describe('transcripts (test/fixtures/transcripts/conversations.yaml)', () => {
  it('has conversations in English and French', () => {
    expect(conversations.length).toBeGreaterThanOrEqual(15);
    expect(conversations.some((c) => c.locale?.startsWith('fr'))).toBe(true);
  });

  for (const conversation of conversations) {
    it(conversation.name, async () => {
      const conversationId = randomUUID();
      const user = { id: randomUUID(), name: 'Sam Taylor', locale: conversation.locale ?? 'en-GB' };
      const events: SseReader = await openEvents(`${server.url}/api/chat/events?conversationId=${conversationId}`);
      const history: WebMessage[][] = [];
      try {
        for (const [i, step] of conversation.steps.entries()) {
          let reply: WebMessage[];
          if (step.wait_ticket) {
            await events.waitFor((evs) => evs.some((e) => e.data?.parts?.some((p: any) => p.kind === 'ticket' && p.state === 'opened')), 30_000);
            reply = [events.events.map((e) => e.data as WebMessage).reverse().find((m) => m.parts.some((p) => p.kind === 'ticket' && p.state === 'opened'))!];
          } else {
            let body: Record<string, unknown>;
            if (step.click !== undefined) {
              const button = [...history].reverse().map(buttonsOf).flat().find((b) => b.label === step.click);
              expect(button, `step ${i + 1}: no button "${step.click}"; last reply: ${textOf(history.at(-1) ?? [])}`).toBeDefined();
              body = { action: { payload: button!.value } };
            } else {
              const text = step.user ?? `${step.user_long!.head}${step.user_long!.line.repeat(step.user_long!.times)}`;
              body = { text };
            }
            const post = (b: Record<string, unknown>) => postJson(`${server.url}/api/chat`, { conversationId, messageId: randomUUID(), user, ...b });
            // The web chat's session is anonymous: before a ticket it asks a name and an e-mail; the
            // step's checks apply to the reply that follows those answers.
            const res = await answerContact(await post(body), (t) => post({ text: t }), { name: user.name, email: 'sam.taylor@example.org' });
            expect(res.status, JSON.stringify(res.json)).toBe(200);
            reply = res.json.replies as WebMessage[];
          }
          history.push(reply);
          const text = textOf(reply);
          const where = `\n  conversation: ${conversation.name}\n  step ${i + 1}: ${JSON.stringify(step).slice(0, 200)}\n  reply: ${text}\n  buttons: ${buttonsOf(reply).map((b) => b.label).join(' | ')}\n  articles: ${articlesOf(reply).join(', ')}`;
          for (const s of step.says ?? []) expect(text.toLowerCase(), where).toContain(s.toLowerCase());
          for (const s of step.not_says ?? []) expect(text.toLowerCase(), where).not.toContain(s.toLowerCase());
          const labels = buttonsOf(reply).map((b) => b.label);
          if (step.offers) expect(labels, where).toEqual(expect.arrayContaining(step.offers));
          for (const l of step.not_offers ?? []) expect(labels, where).not.toContain(l);
          if (step.no_buttons) expect(labels, where).toEqual([]);
          if (step.article) expect(articlesOf(reply), where).toContain(step.article);
          if (step.not_article) expect(articlesOf(reply), where).not.toContain(step.not_article);
          if (step.ticket) expect(reply.flatMap((m) => m.parts).some((p) => p.kind === 'ticket' && p.state === step.ticket), where).toBe(true);
          if (step.collapsed) expect(reply.some((m) => m.inputTruncated && m.inputTruncated.readChars < m.inputTruncated.totalChars), where).toBe(true);
        }
      } finally {
        events.close();
      }
    });
  }
});
