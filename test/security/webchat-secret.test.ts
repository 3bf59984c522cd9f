import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../src/engine/i18n.js';
import { startTestApp, type TestApp } from '../server/start.js';

/**
 * Issue 15, High 3: in the web chat (real Chromium, real server) a secret the user types is masked
 * in their own bubble once the server has answered, and is never kept in browser storage.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SECRET = 'Soleil2024!x';

describe('web chat: the user’s own secret is masked and not stored in the browser', () => {
  let server: TestApp;
  let browser: Browser;
  let page: Page;
  const t = translator();

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`);
    server = await startTestApp();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await (await browser.newContext({ locale: 'en-US' })).newPage();
    page.on('pageerror', (err) => {
      throw err;
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const storage = () => page.evaluate(() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }));

  it('masks the bubble, keeps only the redacted text, and a reload shows no secret', async () => {
    await page.goto(`${server.url}/chat`);
    await expect.poll(() => page.locator('li.msg.bot').count()).toBeGreaterThan(0);
    const bots = await page.locator('li.msg.bot').count();
    await page.getByLabel(t.t('en', 'webchat.input_label')).fill(`Outlook refuses it, my password is ${SECRET} since Monday`);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('li.msg.bot').count(), { timeout: 15_000 }).toBeGreaterThan(bots);

    const bubble = page.locator('li.msg.user').last();
    await expect.poll(() => bubble.textContent()).toContain('[REDACTED:password]');
    expect(await bubble.textContent()).toContain('Outlook refuses it');
    expect(await page.locator('#log').textContent()).not.toContain(SECRET);
    expect(await storage()).not.toContain(SECRET);
    expect(await storage()).toContain('[REDACTED:password]');

    await page.reload();
    await expect.poll(() => page.locator('li.msg.user').count()).toBe(1);
    expect(await page.locator('li.msg.user').textContent()).toContain('[REDACTED:password]');
    expect(await page.content()).not.toContain(SECRET);
    expect(await storage()).not.toContain(SECRET);
  });
});
