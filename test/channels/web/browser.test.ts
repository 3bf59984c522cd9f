import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../../src/engine/i18n.js';
import { startTestApp, type TestApp } from '../../server/start.js';

/**
 * The web chat in a real browser (Debian's chromium through playwright-core) against the real
 * server: ask, get an answer with steps and a citation, press a button, escalate and receive the
 * ticket number pushed by the server, and follow the reply language. Screenshots go to
 * test-output/ (not committed).
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = fileURLToPath(new URL('../../../test-output/', import.meta.url));

describe('web chat in a browser', () => {
  let server: TestApp;
  let browser: Browser;
  let page: Page;
  const t = translator();

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`);
    mkdirSync(OUT, { recursive: true });
    server = await startTestApp();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 900, height: 1000 } });
    page = await context.newPage();
    page.on('pageerror', (err) => {
      throw err;
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const lastBot = () => page.locator('li.msg.bot').last();

  async function ask(text: string): Promise<void> {
    const count = await page.locator('li.msg.bot').count();
    await page.getByLabel(t.t('en', 'webchat.input_label')).or(page.getByLabel(t.t('fr', 'webchat.input_label'))).fill(text);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('li.msg.bot').count(), { timeout: 15_000 }).toBeGreaterThan(count);
  }

  it('greets, answers with numbered steps and a cited article', async () => {
    await page.goto(`${server.url}/chat`);
    await expect.poll(() => page.locator('li.msg.bot').first().textContent()).toContain(t.t('en', 'dialogue.greeting_anonymous').slice(0, 20));
    expect(await page.getByRole('log').count()).toBe(1);

    await ask('my vpn does not connect');
    const answer = lastBot();
    expect(await answer.locator('ol.steps > li').count()).toBeGreaterThan(2);
    const citation = answer.locator('p.citation');
    expect(await citation.textContent()).toMatch(/^📄 Source: .*VPN/);
    await page.screenshot({ path: `${OUT}webchat-answer.png`, fullPage: true });
  });

  it('presses a button: it is disabled, the answer is noted, the bot replies', async () => {
    // Pinned by id: once the bot replies, it is no longer the last message.
    const answer = page.locator(`li.msg.bot[data-message-id="${await lastBot().getAttribute('data-message-id')}"]`);
    const yes = answer.getByRole('button', { name: 'Yes', exact: true });
    const count = await page.locator('li.msg.bot').count();
    await yes.click();
    await expect.poll(() => page.locator('li.msg.bot').count(), { timeout: 15_000 }).toBeGreaterThan(count);
    expect(await yes.isDisabled()).toBe(true);
    expect(await answer.locator('p.answered').textContent()).toBe(t.t('en', 'channels.answered', { answer: 'Yes' }));
  });

  it('receives the ticket number pushed by the server after an escalation', async () => {
    await ask('I want to talk to a technician');
    const count = await page.locator('li.msg.bot').count();
    await lastBot().getByRole('button', { name: t.t('en', 'dialogue.escalation.confirm') }).click();
    // An anonymous session: the bot asks for a name and a contact address first.
    await expect.poll(() => page.locator('li.msg.bot').count(), { timeout: 15_000 }).toBeGreaterThan(count);
    expect(await lastBot().textContent()).toContain(t.t('en', 'dialogue.escalation.contact.ask_name'));
    await ask('Léa Martin');
    expect(await lastBot().textContent()).toContain(t.t('en', 'dialogue.escalation.contact.ask_email'));
    await ask('lea.martin@example.org');
    const opened = page.locator('section.notice.ticket-opened');
    await opened.waitFor({ timeout: 20_000 });
    expect(await opened.locator('h2').textContent()).toBe(t.t('en', 'channels.ticket.opened'));
    expect(await opened.locator('dd').first().textContent()).toMatch(/^HD-\d{6}$/);
    expect(await opened.locator('xpath=ancestor::li').getAttribute('class')).toContain('proactive');
    await page.screenshot({ path: `${OUT}webchat-ticket.png`, fullPage: true });
  });

  it('switches the page to French when the bot answers in French, and keeps the conversation on reload', async () => {
    await ask("je n'arrive pas à me connecter au wifi");
    expect(await lastBot().getAttribute('lang')).toBe('fr');
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('fr');
    expect(await page.locator('#chat-input').getAttribute('placeholder')).toBe(t.t('fr', 'webchat.placeholder'));
    expect(await page.locator('#send').textContent()).toBe(t.t('fr', 'webchat.send'));
    await page.screenshot({ path: `${OUT}webchat-french.png`, fullPage: true });

    const before = await page.locator('li.msg').count();
    await page.reload();
    await expect.poll(() => page.locator('li.msg').count()).toBe(before);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
  });

  it('makes http(s) links and Markdown links clickable, safely; other schemes stay text', async () => {
    await page.locator('#new-conversation').click();
    await ask('I forgot my password');
    const portal = lastBot().locator('a[href="https://aka.ms/sspr"]').first();
    expect(await portal.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await portal.getAttribute('target')).toBe('_blank');

    // A message pushed by the server (as a technician's reply would be) with every kind of address.
    const conversationId = await page.evaluate(() => JSON.parse(sessionStorage.getItem('helpdesk.webchat') ?? '{}').conversationId as string);
    const count = await page.locator('li.msg.bot').count();
    await server.app.proactive.send(
      { channel: 'web', conversationId },
      { lang: 'en', parts: [{ kind: 'text', text: 'See [the guide](https://example.org/guide), https://example.org/a_(b). Not [this](javascript:alert(1)), nor javascript:alert(2) or file:///etc/passwd.' }] },
    );
    await expect.poll(() => page.locator('li.msg.bot').count(), { timeout: 15_000 }).toBeGreaterThan(count);
    const pushed = lastBot();
    const hrefs = await pushed.locator('a').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.getAttribute('rel'), a.getAttribute('target')]));
    expect(hrefs).toEqual([
      ['https://example.org/guide', 'noopener noreferrer', '_blank'],
      ['https://example.org/a_(b)', 'noopener noreferrer', '_blank'],
    ]);
    expect(await pushed.textContent()).toContain('javascript:alert(2) or file:///etc/passwd.');
    expect(await pushed.locator('script').count()).toBe(0);
  });

  it('answered and superseded buttons are disabled, also after a reload; focus returns to the input', async () => {
    await page.locator('#new-conversation').click();
    await ask('my vpn does not connect');
    const first = page.locator(`li.msg.bot[data-message-id="${await lastBot().getAttribute('data-message-id')}"]`);
    expect(await first.getByRole('button', { name: 'Yes', exact: true }).isEnabled()).toBe(true);
    // Typing a new question supersedes the earlier buttons.
    await ask('the printer does not print');
    expect(await first.getByRole('button', { name: 'Yes', exact: true }).isDisabled()).toBe(true);
    const second = page.locator(`li.msg.bot[data-message-id="${await lastBot().getAttribute('data-message-id')}"]`);
    const no = second.getByRole('button', { name: 'No', exact: true });
    expect(await no.isEnabled()).toBe(true);
    const count = await page.locator('li.msg.bot').count();
    await no.click();
    await expect.poll(() => page.locator('li.msg.bot').count(), { timeout: 15_000 }).toBeGreaterThan(count);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('chat-input');
    expect(await no.isDisabled()).toBe(true);

    const live = async () => page.locator('li.msg.bot .choices button:not([disabled])').evaluateAll((bs) => bs.map((b) => b.closest('li')?.getAttribute('data-message-id')));
    const liveBefore = await live();
    // Only the newest reply may still have live buttons.
    expect(new Set(liveBefore).size).toBeLessThanOrEqual(1);
    await page.reload();
    await expect.poll(() => page.locator('li.msg.bot').count()).toBeGreaterThan(2);
    expect(await live()).toEqual(liveBefore);
    expect(await page.locator(`li.msg.bot[data-message-id="${await second.getAttribute('data-message-id')}"] p.answered`).textContent()).toBe(
      t.t('en', 'channels.answered', { answer: 'No' }),
    );
  });

  it('shows a long pasted message folded, with a bilingual show more / show less', async () => {
    await page.locator('#new-conversation').click();
    const log = Array.from({ length: 40 }, (_, i) => `2026-12-07 00:${String(i).padStart(2, '0')}:00 ERROR vpnagent: tunnel negotiation failed (code 809)`).join('\n');
    await ask(log);
    const bubble = page.locator('li.msg.user').last();
    const text = bubble.locator('.text');
    const toggle = bubble.locator('button.more');
    expect(await toggle.textContent()).toBe(t.t('en', 'webchat.show_more'));
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    const folded = await text.evaluate((e) => e.getBoundingClientRect().height);
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    expect(await toggle.textContent()).toBe(t.t('en', 'webchat.show_less'));
    expect(await text.evaluate((e) => e.getBoundingClientRect().height)).toBeGreaterThan(folded * 3);
    expect(await text.textContent()).toBe(log);
    await page.locator('.lang-switch button[data-lang="fr"]').click();
    expect(await toggle.textContent()).toBe(t.t('fr', 'webchat.show_less'));
    // Short messages are not folded.
    await ask('merci');
    expect(await page.locator('li.msg.user').last().locator('button.more').count()).toBe(0);
  });
});
