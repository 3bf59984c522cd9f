import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../../src/engine/i18n.js';
import { startDirectLineServer, type DirectLineServer } from '../../helpers/direct-line-server.js';
import { startTestApp, type TestApp } from '../../server/start.js';

/**
 * Microsoft's Bot Framework Web Chat (the `botframework-webchat` UMD bundle, as a page would load
 * it) in Chromium, talking to the real server's /api/messages through a local Direct Line service
 * (test/helpers/direct-line-server.ts), which, like Direct Line emulators, does not name the
 * recipient. Typed turns in English and French, a click on an Adaptive Card button, and the ticket
 * number arriving on its own. Screenshots: test-output/.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = fileURLToPath(new URL('../../../test-output/', import.meta.url));
const require = createRequire(import.meta.url);
// The package's exports do not list its UMD bundle: found next to the CommonJS entry (lib/index.js).
const WEBCHAT_JS = join(dirname(require.resolve('botframework-webchat')), '..', 'dist', 'webchat.js');

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Web Chat</title>
<style>html, body, #webchat { height: 100%; margin: 0; }</style></head>
<body><div id="webchat" role="main"></div>
<script src="/webchat.js"></script>
<script>
  const directLine = window.WebChat.createDirectLine({ domain: location.origin + '/v3/directline', token: 'local-token', webSocket: false, pollingInterval: 200 });
  window.WebChat.renderWebChat({ directLine, userID: 'dl_lea-martin', username: 'Léa Martin', locale: 'en-US' }, document.getElementById('webchat'));
</script></body></html>`;

describe('Microsoft Bot Framework Web Chat over a local Direct Line', () => {
  let server: TestApp;
  let directLine: DirectLineServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const t = translator();

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    server = await startTestApp();
    directLine = await startDirectLineServer({ botUrl: server.url });
    directLine.serve('/', { body: PAGE, type: 'text/html; charset=utf-8' });
    directLine.serve('/webchat.js', { file: WEBCHAT_JS, type: 'text/javascript; charset=utf-8' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await (await browser.newContext({ locale: 'en-US', viewport: { width: 900, height: 1100 } })).newPage();
    page.on('pageerror', (err) => errors.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await directLine?.close();
    await server?.stop();
  });

  const transcript = () => page.locator('#webchat').innerText();
  const botMessages = () => [...directLine.conversations.values()].flat().filter((a) => a.type === 'message' && (a.from as { role?: string } | undefined)?.role !== 'user' && (a.from as { id?: string } | undefined)?.id !== 'dl_lea-martin');

  async function type(text: string): Promise<void> {
    const before = botMessages().length;
    const box = page.locator('[data-id="webchat-sendbox-input"]');
    await box.fill(text);
    await box.press('Enter');
    await expect.poll(() => botMessages().length, { timeout: 20_000 }).toBeGreaterThan(before);
  }

  it('connects, and a typed English question gets the article as a card', async () => {
    await page.goto(`${directLine.url}/`);
    await page.locator('[data-id="webchat-sendbox-input"]').waitFor({ timeout: 30_000 });
    await type('my vpn does not connect');
    await expect.poll(transcript, { timeout: 20_000 }).toMatch(/Source: .*VPN/);
    expect(directLine.botResponses.every((s) => s === 200)).toBe(true);
    expect(await transcript()).not.toMatch(/Unable to connect|Send failed/i);
    await page.screenshot({ path: `${OUT}bf-webchat-answer.png`, fullPage: true });
  });

  it('a typed French question gets a French answer', async () => {
    await type("j'ai oublié mon mot de passe");
    await expect.poll(() => botMessages().at(-1)?.locale, { timeout: 20_000 }).toBe('fr');
    await expect.poll(transcript, { timeout: 20_000 }).toContain(t.t('fr', 'channels.citation.source', { title: '' }).trim());
  });

  it('a click on a card button opens a ticket, and the ticket number arrives on its own', async () => {
    await type('I want to talk to a technician');
    const confirm = page.getByRole('button', { name: t.t('en', 'dialogue.escalation.confirm'), exact: true }).or(page.getByRole('button', { name: t.t('fr', 'dialogue.escalation.confirm'), exact: true })).last();
    await confirm.waitFor({ timeout: 20_000 });
    await confirm.click();
    // Pushed by the outbox once the ticket exists, not as a reply to the click.
    await expect.poll(transcript, { timeout: 30_000 }).toMatch(/HD-\d{6}/);
    const withNumber = botMessages().find((a) => /HD-\d{6}/.test(JSON.stringify(a)));
    expect(withNumber?.replyToId).toBeUndefined();
    expect(directLine.botResponses.every((s) => s === 200)).toBe(true);
    expect(errors).toEqual([]);
    await page.screenshot({ path: `${OUT}bf-webchat-ticket.png`, fullPage: true });
  });
});
