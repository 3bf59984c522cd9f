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
});
