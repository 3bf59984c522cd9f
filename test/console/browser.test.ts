import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../src/engine/i18n.js';
import { ADMIN_TOKEN, startConsoleApp, type ConsoleTestApp } from './helpers.js';

/**
 * Acceptance, in a real browser (Debian's chromium through playwright-core) against the real
 * server: a technician signs in, writes an article, an employee asks the web chat and gets it,
 * answers 👎, and the question shows up under Gaps. Screenshots: test-output/console/.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = fileURLToPath(new URL('../../test-output/console/', import.meta.url));
const t = translator();
const c = (key: string, params?: Record<string, string | number>) => t.t('en', `console.${key}`, params);

// An IT topic the knowledge base does not cover yet. (Not the car park: "car park" and "my badge"
// are facilities requests, which the bot points to the facilities team before any article.)
const ARTICLE = {
  id: 'time-clock-pin-rejected',
  title: 'The time clock terminal rejects my PIN',
  questions: ['time clock terminal rejects my PIN', 'clock-in terminal shows invalid PIN', 'PIN refused at the time clock terminal'],
  body: [
    'For employees whose PIN is no longer accepted by the time clock terminal.',
    '',
    '## Symptoms',
    '- The time clock terminal shows "Invalid PIN" and stays red.',
    '',
    '## Resolution',
    '1. Type the PIN slowly and press the green key once.',
    '2. Check that your time clock PIN is active in the IT Self-Service portal.',
    '3. If it expired, set a new one under **Workplace > Time clock PIN**.',
    '',
    '## If it still doesn\'t work',
    'Ask the bot to open a ticket and mention the time clock terminal you used.',
  ].join('\n'),
};
const QUESTION = 'the time clock terminal rejects my PIN';

describe('technician console in a browser', () => {
  let server: ConsoleTestApp;
  let browser: Browser;
  let context: BrowserContext;
  let admin: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`);
    mkdirSync(OUT, { recursive: true });
    server = await startConsoleApp();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 1000 } });
    admin = await context.newPage();
    admin.on('pageerror', (err) => errors.push(err.message));
    admin.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('signs in with the token and shows the dashboard with the deflection definition and charts', async () => {
    await admin.goto(`${server.url}/admin/`);
    expect(new URL(admin.url()).pathname).toBe('/admin/login');
    await admin.getByLabel(c('login.token')).fill(ADMIN_TOKEN);
    await admin.getByRole('button', { name: c('login.submit') }).click();
    await admin.waitForURL(`${server.url}/admin/`);
    await admin.getByRole('heading', { name: c('dashboard.definition_title') }).waitFor();
    expect(await admin.locator('.definition').textContent()).toContain(c('dashboard.definition_no_feedback'));
    // chart.js, served by the app, drew the charts (no CDN, no CSP violation).
    expect(await admin.evaluate(() => typeof (window as unknown as { Chart?: unknown }).Chart)).toBe('function');
    expect(await admin.locator('canvas#chart-per-day').evaluate((el) => (el as HTMLCanvasElement).width)).toBeGreaterThan(0);
    await admin.screenshot({ path: join(OUT, 'dashboard.png'), fullPage: true });
  });

  it('creates an article with the front-matter form and the Markdown editor, previewed live', async () => {
    await admin.getByRole('link', { name: c('nav.knowledge') }).click();
    await admin.getByRole('link', { name: c('knowledge.new') }).click();
    await admin.getByLabel(c('field.id'), { exact: true }).fill(ARTICLE.id);
    await admin.getByLabel(c('field.title'), { exact: true }).fill(ARTICLE.title);
    await admin.getByLabel(c('field.category')).fill('devices');
    await admin.getByLabel(c('field.questions')).fill(ARTICLE.questions.join('\n'));
    await admin.getByLabel(c('editor.body')).fill(ARTICLE.body);
    await expect.poll(() => admin.locator('#preview ol li').count(), { timeout: 5_000 }).toBe(3);
    expect(await admin.locator('#preview strong').first().textContent()).toBe('Workplace > Time clock PIN');
    await admin.screenshot({ path: join(OUT, 'editor.png'), fullPage: true });
    await admin.getByRole('button', { name: c('editor.save') }).click();
    await admin.waitForURL(`${server.url}/admin/knowledge/edit/${ARTICLE.id}?saved=1`);
    expect(await admin.getByRole('status').textContent()).toBe(c('editor.saved', { file: `articles/en/${ARTICLE.id}.md` }));
    expect(readFileSync(join(server.kbDir, 'articles', 'en', `${ARTICLE.id}.md`), 'utf8')).toContain(`title: ${ARTICLE.title}`);
  });

  it('the web chat answers the question with that article, and the employee answers 👎', async () => {
    const chat = await context.newPage();
    await chat.goto(`${server.url}/chat`);
    await chat.locator('li.msg.bot').first().waitFor();
    await chat.getByLabel(t.t('en', 'webchat.input_label')).fill(QUESTION);
    await chat.keyboard.press('Enter');
    const answer = chat.locator('li.msg.bot', { has: chat.locator('p.citation') }).last();
    // A close second candidate makes the gate ask "which one?": picking ours is still getting that article.
    const pick = chat.getByRole('button', { name: ARTICLE.title, exact: true });
    await answer.or(pick).first().waitFor({ timeout: 15_000 });
    if (!(await answer.isVisible())) await pick.click();
    await answer.waitFor({ timeout: 15_000 });
    expect(await answer.locator('p.citation').textContent()).toContain(ARTICLE.title);
    expect(await answer.locator('ol.steps > li').count()).toBe(3);
    const bots = await chat.locator('li.msg.bot').count();
    await answer.getByRole('button', { name: t.t('en', 'common.no'), exact: true }).click();
    await expect.poll(() => chat.locator('li.msg.bot').count(), { timeout: 15_000 }).toBeGreaterThan(bots);
    await chat.screenshot({ path: join(OUT, 'webchat-no.png'), fullPage: true });
    await chat.close();
  });

  it('shows the question under Gaps, with a prefilled "write an article" link', async () => {
    await admin.getByRole('link', { name: c('nav.gaps') }).click();
    const gap = admin.locator('li.gap', { hasText: QUESTION });
    await gap.waitFor();
    expect(await gap.locator('.badge').allTextContents()).toContain(c('gaps.reason_negative_feedback', { n: 1 }));
    await admin.screenshot({ path: join(OUT, 'gaps.png'), fullPage: true });
    await gap.getByRole('link', { name: c('gaps.write_article') }).click();
    expect(await admin.getByLabel(c('field.title'), { exact: true }).inputValue()).toBe(QUESTION);
    expect(await admin.getByLabel(c('field.questions')).inputValue()).toContain(QUESTION);
  });

  it('shows the transcript with the gate decision, confidence and explanation, in French on request', async () => {
    await admin.goto(`${server.url}/admin/conversations?text=${encodeURIComponent('time clock')}&lang=fr`);
    const rows = admin.locator('#conversations tbody tr');
    expect(await rows.count()).toBe(1);
    await rows.first().getByRole('link').click();
    const gate = admin.locator('.gate').first();
    expect(await gate.textContent()).toContain(t.t('fr', 'console.transcript.gate'));
    expect(await gate.locator('.confidence').textContent()).toMatch(/^0\.\d\d$|^1\.00$/);
    expect((await gate.locator('.explanation').textContent())?.length).toBeGreaterThan(5);
    expect(await admin.evaluate(() => document.documentElement.lang)).toBe('fr');
    await admin.screenshot({ path: join(OUT, 'transcript-fr.png'), fullPage: true });

    // The request is too recent to count: pending, never a success yet.
    await admin.goto(`${server.url}/admin/?lang=en`);
    expect(await admin.locator('#kpi-pending .value').textContent()).toBe('1');
    expect(await admin.locator('#kpi-deflection .value').textContent()).toBe('—');
    await admin.screenshot({ path: join(OUT, 'dashboard-after.png'), fullPage: true });
    expect(errors).toEqual([]);
  });
});
