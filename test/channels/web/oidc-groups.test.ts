import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcServer, type OidcServer } from '../../helpers/oidc-server.js';
import { mentions, RESTRICTED, restrictedKb } from '../../helpers/restricted-kb.js';
import { startTestApp, type TestApp } from '../../server/start.js';

/**
 * WEB_AUTH=oidc: the groups claim of the ID token (OIDC_GROUPS_CLAIM, default `groups`) is the
 * user's audiences, kept in the signed session. Two people sign in through a real OpenID Connect
 * provider in Chromium: the member of the article's group is answered with it, the other never is.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('web chat with OpenID Connect: groups from the ID token', () => {
  const kb = restrictedKb();
  let idp: OidcServer;
  let server: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`);
    idp = await startOidcServer({
      nadia: { name: 'Nadia Admin', email: 'nadia@example.com', groups: ['Staff', RESTRICTED.audience] },
      emma: { name: 'Emma Employee', email: 'emma@example.com', groups: ['Staff', 'Finance'] },
    });
    server = await startTestApp({ KB_DIR: kb.kbDir, WEB_AUTH: 'oidc', OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: idp.clientId, OIDC_CLIENT_SECRET: idp.clientSecret });
    idp.register(`${server.url}/chat/auth/callback`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await idp?.close();
    kb.close();
  });

  /** Signs `login` in through the provider's pages, then asks the restricted question through the chat API with that session. */
  async function askAs(login: string): Promise<unknown> {
    const context = await browser.newContext({ locale: 'en-US' });
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/chat`);
      await page.waitForURL((url) => url.origin === idp.issuer, { timeout: 15_000 });
      await page.locator('input[name="login"]').fill(login);
      await page.locator('input[name="password"]').fill('any password');
      await page.locator('button[type="submit"]').click();
      await page.waitForURL((url) => url.origin === idp.issuer || url.href.startsWith(server.url), { timeout: 15_000 });
      if (new URL(page.url()).origin === idp.issuer) await page.locator('button[type="submit"]').click();
      await page.waitForURL(`${server.url}/chat`, { timeout: 15_000 });
      const res = await context.request.post(`${server.url}/api/chat`, { data: { conversationId: randomUUID(), user: { id: 'claimed' }, text: RESTRICTED.question } });
      expect(res.status()).toBe(200);
      return ((await res.json()) as { replies: unknown }).replies;
    } finally {
      await context.close();
    }
  }

  it('answers the member of the group with the restricted article', async () => {
    expect(mentions(await askAs('nadia'), RESTRICTED.id)).toBe(true);
  });

  it('never shows it to an employee outside the group', async () => {
    expect(mentions(await askAs('emma'), RESTRICTED.id)).toBe(false);
  });
});
