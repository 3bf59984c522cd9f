import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toPlainText } from '../../../src/channels/markdown.js';
import { startOpenAIServer, type OpenAIServer } from '../../helpers/openai-server.js';
import { openEvents } from '../../helpers/sse.js';
import { postJson, startTestApp, type TestApp } from '../../server/start.js';

/**
 * Model-written answers streamed to the web chat over its Server-Sent Events stream while the model
 * writes: `answer-delta` events carry only text that passed the grounding check (sentence by
 * sentence), the complete reply then takes their place; a sentence that fails is never sent, and
 * when it makes the whole answer fail, the article replaces what was streamed. Then the page in a
 * real browser.
 */

const KB = fileURLToPath(new URL('../../fixtures/kb-llm', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const id = (): string => randomUUID().replace(/-/g, '');
const GROUNDED =
  'Check that the internet works without the VPN: open any public website [2]. Disconnect the client, wait ten seconds and connect again [2]. ' +
  'Sign in with your work email address and approve the MFA request [2].';

describe('web chat: streamed model answers', () => {
  let model: OpenAIServer;
  let server: TestApp;

  beforeAll(async () => {
    model = await startOpenAIServer();
    model.otherwise({ content: GROUNDED });
    server = await startTestApp({ KB_DIR: KB, LLM_MODEL: 'gpt-test', OPENAI_BASE_URL: model.openaiBaseUrl, OPENAI_API_KEY: 'sk-test' });
  });
  afterAll(async () => {
    await server?.stop();
    await model?.close();
  });

  const chat = (body: Record<string, unknown>) => postJson(`${server.url}/api/chat`, body);

  it('streams the checked answer to the open page as answer-delta events, then returns the complete reply; nothing is kept for replay', async () => {
    const conversationId = id();
    const stream = await openEvents(`${server.url}/api/chat/events?conversationId=${conversationId}`);
    const res = await chat({ conversationId, user: { id: id() }, text: "my vpn won't connect from home" });
    expect(res.status).toBe(200);
    const answer = res.json.replies[0];
    const written = answer.parts.find((p: { generated?: boolean }) => p.generated === true);
    expect(written).toBeDefined();
    await stream.waitFor((events) => events.filter((e) => e.event === 'answer-delta').map((e) => e.data.text).join('').includes('approve the MFA request'));
    const deltas = stream.events.filter((e) => e.event === 'answer-delta');
    expect(deltas.length).toBeGreaterThan(1);
    // The complete reply carries the streamed text's id, so the page puts it in its place.
    expect(deltas.every((d) => d.data.id === answer.id)).toBe(true);
    const streamed = deltas.map((d) => d.data.text).join('');
    for (const sentence of toPlainText(GROUNDED.replace(/\[2\]/g, '[1]')).split(/(?<=\.) /)) expect(streamed).toContain(sentence);
    stream.close();

    // A page opened later replays proactive messages only: no pieces of an answer it already has in full.
    const later = await openEvents(`${server.url}/api/chat/events?conversationId=${conversationId}`);
    await new Promise((r) => setTimeout(r, 300));
    expect(later.events.filter((e) => e.event === 'answer-delta')).toEqual([]);
    later.close();
  });

  it('streams the sentences that pass, never the one that fails; the article then takes the streamed text\'s place', async () => {
    const conversationId = id();
    const stream = await openEvents(`${server.url}/api/chat/events?conversationId=${conversationId}`);
    model.reply({ content: `${GROUNDED} Then send your password to the helpdesk by email [2].` });
    const res = await chat({ conversationId, user: { id: id() }, text: 'vpn error 809' });
    expect(res.status).toBe(200);
    const body = JSON.stringify(res.json.replies);
    expect(body).not.toContain('send your password');
    const article = res.json.replies.find((m: { parts: Array<{ kind: string }> }) => m.parts.some((p) => p.kind === 'citation'));
    expect(article.parts.some((p: { generated?: boolean }) => p.generated)).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    const deltas = stream.events.filter((e) => e.event === 'answer-delta');
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.map((d) => d.data.text).join('')).toContain('Disconnect the client');
    expect(JSON.stringify(deltas)).not.toContain('password');
    expect(deltas.every((d) => d.data.id === article.id)).toBe(true);
    stream.close();
  });

  it('never streams an answer whose first sentence fails the grounding check: the article is returned instead', async () => {
    const conversationId = id();
    const stream = await openEvents(`${server.url}/api/chat/events?conversationId=${conversationId}`);
    model.reply({ content: 'Reinstall Windows, then email your password to the helpdesk [1].' });
    const res = await chat({ conversationId, user: { id: id() }, text: 'cannot connect to the vpn from home' });
    expect(res.status).toBe(200);
    const body = JSON.stringify(res.json.replies);
    expect(body).not.toContain('Reinstall Windows');
    expect(body).toContain('VPN will not connect');
    await new Promise((r) => setTimeout(r, 300));
    expect(stream.events.filter((e) => e.event === 'answer-delta')).toEqual([]);
    stream.close();
  });

  it('in a real browser: the streamed answer ends as one complete message, with its citation and buttons', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`);
    const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
      const errors: Error[] = [];
      page.on('pageerror', (err) => errors.push(err));
      // Every answer-delta event the page's stream receives, recorded before the page script runs.
      await page.addInitScript(() => {
        const deltas: string[] = [];
        (window as unknown as { __deltas: string[] }).__deltas = deltas;
        const Original = window.EventSource;
        window.EventSource = class extends Original {
          constructor(url: string | URL, init?: EventSourceInit) {
            super(url, init);
            this.addEventListener('answer-delta', (e) => deltas.push((e as MessageEvent<string>).data));
            this.addEventListener('open', () => ((window as unknown as { __open: boolean }).__open = true));
          }
        };
      });
      await page.goto(`${server.url}/chat`);
      await expect.poll(() => page.locator('li.msg.bot').count()).toBe(1);
      // The page's event stream is open before the question is sent.
      await expect.poll(() => page.evaluate(() => (window as unknown as { __open?: boolean }).__open === true)).toBe(true);
      await page.getByRole('textbox').fill("my vpn won't connect from home");
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('li.msg.bot p.citation').count(), { timeout: 15_000 }).toBe(1);
      await expect.poll(() => page.evaluate(() => (window as unknown as { __deltas: string[] }).__deltas.length)).toBeGreaterThan(1);
      const answer = page.locator('li.msg.bot').last();
      expect(await answer.textContent()).toContain('approve the MFA request [1].');
      expect(await answer.getByRole('button', { name: 'Yes', exact: true }).count()).toBe(1);
      // No provisional bubble is left behind, and the answer is shown once.
      expect(await page.locator('li.msg.bot.streaming').count()).toBe(0);
      expect(await page.locator('li.msg.bot').count()).toBe(2);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
