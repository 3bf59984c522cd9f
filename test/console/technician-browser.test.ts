import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../src/engine/i18n.js';
import { ADMIN_TOKEN, startConsoleApp, type ConsoleTestApp } from './helpers.js';

/**
 * A technician works a ticket in the console, in Chromium against the real server, while the
 * employee who escalated keeps the web chat open: the queue and its filters, the ticket page with
 * the escalation packet (transcript with Markdown and the buttons' labels, articles and scores,
 * user details, priority), assign to me, an internal note the employee never sees, a reply that
 * reaches the employee's chat, and state changes; Gaps without confident answers; an article edit
 * that bumps `updated` and flags its French translation as behind. Screenshots: test-output/console/.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = fileURLToPath(new URL('../../test-output/console/', import.meta.url));
const t = translator();
const c = (key: string, params?: Record<string, string | number>) => t.t('en', `console.${key}`, params);

describe('technician console: tickets in a browser', () => {
  let server: ConsoleTestApp;
  let browser: Browser;
  let context: BrowserContext;
  let admin: Page;
  let chat: Page;
  let number = '';
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    // A technician's test types faster than a person: the per-user rate limit (test/server/rate-limit.test.ts) is off here.
    server = await startConsoleApp({ RATE_LIMIT_BURST: '0' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 1100 } });
    admin = await context.newPage();
    chat = await context.newPage();
    for (const p of [admin, chat]) {
      p.on('pageerror', (err) => errors.push(err.message));
      p.on('response', (res) => {
        // Chromium asks every origin for /favicon.ico; neither page has one.
        if (res.status() >= 400 && !res.url().endsWith('/favicon.ico')) errors.push(`${res.status()} ${res.url()}`);
      });
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function say(text: string): Promise<void> {
    const count = await chat.locator('li.msg.bot').count();
    await chat.getByLabel(t.t('en', 'webchat.input_label')).fill(text);
    await chat.keyboard.press('Enter');
    await expect.poll(() => chat.locator('li.msg.bot').count(), { timeout: 15_000 }).toBeGreaterThan(count);
  }

  // The web chat's session is anonymous: after "Open the ticket" the bot asks a name, then an e-mail.
  async function confirmTicket(): Promise<void> {
    const count = await chat.locator('li.msg.bot').count();
    await chat.locator('li.msg.bot').last().getByRole('button', { name: t.t('en', 'dialogue.escalation.confirm') }).click();
    await expect.poll(() => chat.locator('li.msg.bot').count(), { timeout: 15_000 }).toBeGreaterThan(count);
    const last = async () => (await chat.locator('li.msg.bot').last().textContent()) ?? '';
    if ((await last()).includes(t.t('en', 'dialogue.escalation.contact.ask_name'))) await say('Léa Martin');
    if ((await last()).includes(t.t('en', 'dialogue.escalation.contact.ask_email'))) await say('lea.martin@example.org');
  }

  it('an employee escalates from the web chat and gets a ticket number', async () => {
    await chat.goto(`${server.url}/chat`);
    await say('my vpn does not connect');
    await chat.locator('li.msg.bot').last().getByRole('button', { name: t.t('en', 'common.no'), exact: true }).click();
    await say('I want to talk to a technician');
    await confirmTicket();
    const opened = chat.locator('section.notice.ticket-opened');
    await opened.waitFor({ timeout: 20_000 });
    number = (await opened.locator('dd').first().textContent()) ?? '';
    expect(number).toMatch(/^HD-\d{6}$/);
  });

  it('the queue lists it with filters, and the ticket page shows the escalation packet', async () => {
    await admin.goto(`${server.url}/admin/tickets`);
    await admin.getByLabel(c('login.token')).fill(ADMIN_TOKEN);
    await admin.getByRole('button', { name: c('login.submit') }).click();
    await admin.waitForURL(`${server.url}/admin/tickets`);
    const row = admin.locator(`#ticket-${number}`);
    await row.waitFor();
    expect(await row.locator('.badge').first().textContent()).toBe(c('ticket.state_new'));

    // Filters: resolved tickets only → not there; unassigned → there.
    await admin.getByLabel(c('tickets.state')).selectOption('resolved');
    await admin.getByRole('button', { name: c('common.search') }).click();
    await admin.getByText(c('ticket.queue_empty')).waitFor();
    await admin.getByLabel(c('tickets.state')).selectOption('');
    await admin.getByLabel(c('tickets.assignee')).selectOption('unassigned');
    await admin.getByRole('button', { name: c('common.search') }).click();
    await row.waitFor();
    await admin.screenshot({ path: join(OUT, 'ticket-queue.png'), fullPage: true });

    await row.getByRole('link', { name: number }).click();
    await admin.waitForURL(`${server.url}/admin/tickets/${number}`);
    expect(await admin.locator('#ticket-requester').textContent()).toBeTruthy();
    expect(await admin.locator('.question').textContent()).toContain('vpn');
    // Articles shown with their scores, and the employee's 👎.
    const articles = admin.locator('#articles-shown tbody tr');
    expect(await articles.count()).toBeGreaterThan(0);
    expect(await articles.first().locator('td.num').textContent()).toMatch(/^\d\.\d\d$/);
    expect(await admin.locator('#articles-shown').textContent()).toContain('👎');
    // The transcript: the bot's Markdown is rendered, buttons show their own labels.
    const transcript = admin.locator('#ticket-transcript');
    expect(await transcript.textContent()).not.toContain('[button]');
    expect(await transcript.locator('.pressed .button-label').allTextContents()).toContain(t.t('en', 'dialogue.escalation.confirm'));
    expect(await transcript.locator('.turn.out .markdown').count()).toBeGreaterThan(0);
    expect(await transcript.locator('.turn.out').filter({ hasText: '**' }).count()).toBe(0);
    await admin.screenshot({ path: join(OUT, 'ticket-page.png'), fullPage: true });
  });

  it('assign to me, an internal note, a reply that reaches the employee, state changes', async () => {
    await admin.getByLabel(c('ticket.your_name')).fill('Sam Okafor');
    await admin.getByRole('button', { name: c('ticket.assign_me') }).click();
    await admin.getByRole('status').filter({ hasText: c('ticket.done_assigned') }).waitFor();
    expect(await admin.locator('#ticket-assignee').textContent()).toBe('Sam Okafor');
    expect(await admin.locator('#ticket-state').textContent()).toBe(c('ticket.state_in_progress'));

    const botCount = async () => chat.locator('li.msg.bot').count();
    const before = await botCount();
    await admin.getByLabel(c('ticket.note_label')).fill('Checked the VPN gateway logs: certificate renewed yesterday.');
    await admin.getByRole('button', { name: c('ticket.add_note') }).click();
    await admin.getByRole('status').filter({ hasText: c('ticket.done_note') }).waitFor();
    expect(await admin.locator('#ticket-activity li.note').textContent()).toContain('certificate renewed yesterday');

    await admin.getByLabel(c('ticket.reply_label')).fill('Please restart the VPN client and tell me if it connects.');
    await admin.getByRole('button', { name: c('ticket.send_reply') }).click();
    await admin.getByRole('status').filter({ hasText: c('ticket.done_replied') }).waitFor();
    expect(await admin.locator('#ticket-activity li.reply .badge').textContent()).toBe(c('ticket.delivered'));
    const reply = chat.locator('li.msg.bot.proactive', { hasText: 'Please restart the VPN client' });
    await reply.waitFor({ timeout: 15_000 });
    expect(await reply.textContent()).toContain('Sam Okafor');
    expect(await reply.textContent()).toContain(number);
    // The internal note never reached the employee.
    expect(await chat.locator('li.msg.bot', { hasText: 'certificate renewed' }).count()).toBe(0);
    expect(await botCount()).toBeGreaterThan(before);

    await admin.getByLabel(c('ticket.set_state')).selectOption('on_hold');
    await admin.getByRole('button', { name: c('ticket.save_state') }).click();
    await admin.getByRole('status').filter({ hasText: c('ticket.done_state') }).waitFor();
    expect(await admin.locator('#ticket-state').textContent()).toBe(c('ticket.state_on_hold'));

    // "Assigned to me" in the queue knows who "me" is.
    await admin.goto(`${server.url}/admin/tickets?assignee=mine`);
    await admin.locator(`#ticket-${number}`).waitFor();

    await admin.goto(`${server.url}/admin/tickets/${number}`);
    await admin.getByLabel(c('ticket.set_state')).selectOption('resolved');
    await admin.getByLabel(c('tickets.resolution')).fill('Renewed the VPN client certificate.');
    await admin.getByRole('button', { name: c('ticket.save_state') }).click();
    await admin.getByRole('status').filter({ hasText: c('ticket.done_state') }).waitFor();
    expect(await admin.locator('#ticket-state').textContent()).toBe(c('ticket.state_resolved'));
    // The employee hears about the resolution in the open chat.
    await chat.locator('li.msg.bot.proactive', { hasText: 'Renewed the VPN client certificate.' }).waitFor({ timeout: 20_000 });

    await admin.goto(`${server.url}/admin/tickets/${number}?lang=fr`);
    expect(await admin.locator('#ticket-state').textContent()).toBe(t.t('fr', 'console.ticket.state_resolved'));
    expect(await admin.getByRole('button', { name: t.t('fr', 'console.ticket.assign_me') }).count()).toBe(1);
    await admin.screenshot({ path: join(OUT, 'ticket-page-fr.png'), fullPage: true });
    await chat.screenshot({ path: join(OUT, 'webchat-technician-reply.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('Gaps list the question marked unhelpful, not a confident answer followed by a request for a technician', async () => {
    await chat.locator('#new-conversation').click();
    await say('my printer is not printing');
    expect(await chat.locator('li.msg.bot').last().locator('p.citation').count()).toBe(1);
    await say('I want to talk to a technician');
    await confirmTicket();
    await chat.locator('section.notice.ticket-opened').last().waitFor({ timeout: 20_000 });

    await admin.goto(`${server.url}/admin/gaps?lang=en`);
    await admin.locator('li.gap', { hasText: 'my vpn does not connect' }).waitFor();
    expect(await admin.locator('li.gap', { hasText: 'my printer is not printing' }).count()).toBe(0);
    await admin.screenshot({ path: join(OUT, 'gaps-after-tickets.png'), fullPage: true });
  });

  it('editing an article bumps its updated date and flags its translation as behind (badge and lint warning)', async () => {
    const today = new Date().toISOString().slice(0, 10);
    await admin.goto(`${server.url}/admin/knowledge/edit/vpn-cannot-connect?lang=en`);
    const summary = admin.getByLabel(c('field.summary'));
    await summary.fill(`${await summary.inputValue()} Also check the VPN client's certificate.`);
    await admin.getByRole('button', { name: c('editor.save') }).click();
    await admin.waitForURL(/saved=1/);
    expect(readFileSync(join(server.kbDir, 'articles', 'en', 'vpn-cannot-connect.md'), 'utf8')).toContain(`updated: ${today}`);

    await admin.goto(`${server.url}/admin/knowledge?filter=behind`);
    const row = admin.locator('#articles tr[data-id="vpn-cannot-connect-fr"]');
    expect(await row.locator('.translation-behind').textContent()).toBe(c('knowledge.translation_behind', { lang: 'en', date: today }));
    expect(await admin.locator('#articles tr[data-id="vpn-cannot-connect"]').count()).toBe(0);
    await admin.screenshot({ path: join(OUT, 'translation-behind.png'), fullPage: true });
    await row.locator('.translation-behind').click();
    expect(await admin.locator('.issues.warnings').textContent()).toContain('translation behind: vpn-cannot-connect (en)');
  });
});
