import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../../src/engine/i18n.js';
import { startOidcServer, type OidcServer } from '../../helpers/oidc-server.js';
import { startTestApp, type TestApp } from '../../server/start.js';
import { sqliteDb } from '../../helpers/sqlite-handle.js';

/**
 * WEB_AUTH=oidc end to end, in Chromium, against a real OpenID Connect provider on 127.0.0.1: the
 * chat sends the browser to sign in, shows who is signed in, opens a ticket whose requester is the
 * signed-in name and e-mail (from the ID token), and a new tab finds the ticket again ("my tickets").
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('web chat with OpenID Connect sign-in, in a browser', () => {
  let idp: OidcServer;
  let server: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let ticketNumber = '';
  const t = translator();

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`);
    idp = await startOidcServer({ ada: { name: 'Ada Lovelace', email: 'ada.lovelace@example.com' } });
    server = await startTestApp({ WEB_AUTH: 'oidc', OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: idp.clientId, OIDC_CLIENT_SECRET: idp.clientSecret });
    idp.register(`${server.url}/chat/auth/callback`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 900, height: 1000 } });
    page = await context.newPage();
    page.on('pageerror', (err) => {
      throw err;
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await idp?.close();
  });

  async function ask(p: Page, text: string): Promise<void> {
    const count = await p.locator('li.msg.bot').count();
    await p.getByLabel(t.t('en', 'webchat.input_label')).fill(text);
    await p.keyboard.press('Enter');
    await expect.poll(() => p.locator('li.msg.bot').count(), { timeout: 15_000 }).toBeGreaterThan(count);
  }

  it('refuses the chat API without a sign-in', async () => {
    const res = await fetch(`${server.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ conversationId: 'no-session-conversation', user: { id: 'U024BE7LH' }, text: 'my tickets' }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'sign_in_required', signInUrl: expect.stringMatching(/^\/chat\/login/) });
  });

  it('sends the browser to the provider, and back signed in', async () => {
    await page.goto(`${server.url}/chat`);
    // The provider's own login page (development interactions: any password).
    await page.waitForURL((url) => url.origin === idp.issuer, { timeout: 15_000 });
    await page.locator('input[name="login"]').fill('ada');
    await page.locator('input[name="password"]').fill('any password');
    await page.locator('button[type="submit"]').click();
    // Consent, then back to the chat.
    await page.waitForURL((url) => url.origin === idp.issuer || url.href.startsWith(server.url), { timeout: 15_000 });
    if (new URL(page.url()).origin === idp.issuer) await page.locator('button[type="submit"]').click();
    await page.waitForURL(`${server.url}/chat`, { timeout: 15_000 });
    await expect.poll(() => page.locator('#who').textContent(), { timeout: 10_000 }).toBe(t.t('en', 'webchat.signed_in_as', { name: 'Ada Lovelace' }));
    expect(await page.locator('#sign-out').isVisible()).toBe(true);
    const cookies = await context.cookies(server.url);
    const session = cookies.find((c) => c.name === 'hd_web');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
  });

  it('opens a ticket whose requester is the signed-in name and e-mail, without asking for them', async () => {
    await ask(page, 'I want to talk to a technician');
    const bot = page.locator('li.msg.bot').last();
    await bot.getByRole('button', { name: t.t('en', 'dialogue.escalation.confirm') }).click();
    const opened = page.locator('section.notice.ticket-opened');
    await opened.waitFor({ timeout: 20_000 });
    ticketNumber = (await opened.locator('dd').first().textContent()) ?? '';
    expect(ticketNumber).toMatch(/^HD-\d{6}$/);
    expect(await page.locator('li.msg.bot').allTextContents()).not.toContain(t.t('en', 'dialogue.escalation.contact.ask_name'));
    const row = sqliteDb(server.app)
      .prepare('SELECT requester_id, requester_name, requester_email FROM local_tickets WHERE number = ?')
      .get(ticketNumber) as { requester_id: string; requester_name: string; requester_email: string };
    expect(row).toEqual({ requester_id: expect.stringMatching(new RegExp(`^oidc:${idp.issuer}\\|ada$`)), requester_name: 'Ada Lovelace', requester_email: 'ada.lovelace@example.com' });
  });

  it('finds the ticket again from a new tab', async () => {
    const tab = await context.newPage();
    await tab.goto(`${server.url}/chat`);
    await expect.poll(() => tab.locator('#who').textContent(), { timeout: 10_000 }).toContain('Ada Lovelace');
    await ask(tab, 'my tickets');
    await expect.poll(() => tab.locator('li.msg.bot').last().textContent(), { timeout: 10_000 }).toContain(ticketNumber);
    await tab.close();
  });

  it('signs out: the chat then needs a new sign-in', async () => {
    await page.locator('#sign-out button').click();
    await page.waitForURL(/\/chat\?signed_out=1$/, { timeout: 10_000 });
    await expect.poll(() => page.locator('#sign-in').isVisible()).toBe(true);
    expect((await context.cookies(server.url)).find((c) => c.name === 'hd_web')).toBeUndefined();
  });
});
