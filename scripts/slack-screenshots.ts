/**
 * Renders what the Slack channel really sends, with the project's own Block Kit builders, and
 * takes screenshots in Chromium:
 * - docs/slack-answer.png: a knowledge answer (renderSlackMessage) for the shipped
 *   "password-forgotten" article, as showArticle builds it without a language model: title and
 *   summary, numbered steps, source link with its age, "Did this solve it?" with Yes / No /
 *   Guide me, and the 👍/👎 feedback_buttons (context_actions).
 * - docs/slack-home.png: the App Home tab (renderHome) with two open tickets and their
 *   "Add a comment" buttons.
 * The blocks are drawn by `slack-blocks-to-jsx` (a React Block Kit renderer, bundled for the
 * browser with esbuild), not by Slack, so spacing and chrome are the renderer's. Lato (Slack's
 * typeface) and Noto Emoji come from @fontsource, so the picture does not depend on the machine's
 * fonts (without an emoji font, 📄 draws as a box). Noto Emoji is the monochrome one: this
 * Chromium draws the COLR glyphs of Noto Color Emoji as blanks; Slack shows colour emoji. The
 * Home tab is a view, not a message: it is drawn without the renderer's message header.
 *
 *   npx tsx scripts/slack-screenshots.ts [--lang fr]
 *
 * The article gets an illustrative intranet `url` (no shipped article has one) so the source line
 * shows a link; the ticket numbers and titles are made up.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { OutboundMessage, ReplyPart } from '../src/engine/contract.js';
import { translator } from '../src/engine/i18n.js';
import type { Lang } from '../src/engine/lang.js';
import type { TicketStatus } from '../src/engine/ports/tickets.js';
import { loadKnowledgeBase } from '../src/engine/knowledge/loader.js';
import { updatedLabel } from '../src/engine/dialogue/freshness.js';
import { renderSlackMessage } from '../src/channels/slack/blocks.js';
import { renderHome } from '../src/channels/slack/home.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const lang: Lang = process.argv.includes('--lang') && process.argv[process.argv.indexOf('--lang') + 1] === 'fr' ? 'fr' : 'en';
const t = translator();
const suffix = lang === 'en' ? '' : `-${lang}`;

// The knowledge answer, part for part as showArticle (src/engine/dialogue/answer.ts) sends it.
const kb = loadKnowledgeBase(join(root, 'knowledge'));
const article = kb.byId.get(lang === 'fr' ? 'password-forgotten-fr' : 'password-forgotten') ?? kb.byId.get('password-forgotten')!;
const updated = updatedLabel(article.updated, new Date(), lang, t);
const parts: ReplyPart[] = [{ kind: 'text', text: [`**${article.title}**`, article.summary].filter(Boolean).join('\n\n') }];
if (article.steps.length) parts.push({ kind: 'steps', steps: article.steps });
parts.push(
  { kind: 'citation', articleId: article.id, title: article.title, url: `https://intranet.example.com/kb/${article.id}`, ...(updated ? { updatedLabel: updated } : {}) },
  {
    kind: 'choices',
    prompt: t.t(lang, 'dialogue.answer.did_it_help'),
    choices: [
      { label: t.t(lang, 'common.yes'), value: { a: 'feedback', v: 'yes', n: 'x' }, style: 'primary' },
      { label: t.t(lang, 'common.no'), value: { a: 'feedback', v: 'no', n: 'x' } },
      ...(article.flow ? [{ label: t.t(lang, 'dialogue.answer.guide_me'), value: { a: 'flow.start' as const, f: article.flow, n: 'x' } }] : []),
    ],
  },
);
const answer = renderSlackMessage({ lang, parts } satisfies OutboundMessage, t);

// The Home tab, with the state labels the channel uses (src/channels/slack/index.ts).
const tickets: TicketStatus[] = [
  { provider: 'local', id: '1', number: 'HD-000123', url: 'https://helpdesk.example.com/console/tickets/1', state: 'in_progress', rawStatus: 'In progress', title: lang === 'fr' ? 'Le VPN se déconnecte toutes les 10 minutes' : 'VPN disconnects every 10 minutes' },
  { provider: 'local', id: '2', number: 'HD-000131', url: 'https://helpdesk.example.com/console/tickets/2', state: 'new', rawStatus: 'New', title: lang === 'fr' ? "Accès au dossier partagé Finance" : 'Access to the Finance shared folder' },
];
const home = renderHome({ lang, tickets, canComment: true, stateLabel: (tk) => t.t(lang, `dialogue.status.state.${tk.state}`, { raw: tk.rawStatus }) }, t);

// A browser bundle of React + the renderer; the blocks come in as data from the page.
const bundle = await build({
  stdin: {
    contents: `
      import { createElement } from 'react';
      import { createRoot } from 'react-dom/client';
      import { Message } from 'slack-blocks-to-jsx';
      const { blocks, name, logo, time, withoutWrapper } = window.__SLACK__;
      createRoot(document.getElementById('root')).render(createElement(Message, { blocks, name, logo, time: new Date(time), theme: 'light', withoutWrapper }));
    `,
    resolveDir: root,
    loader: 'js',
  },
  bundle: true,
  write: false,
  format: 'iife',
  platform: 'browser',
  minify: true,
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'error',
});
const script = bundle.outputFiles[0]!.text;
const css = readFileSync(require.resolve('slack-blocks-to-jsx/dist/style.css'), 'utf8');
const logo = `data:image/png;base64,${readFileSync(join(root, 'manifest/teams/color.png')).toString('base64')}`;

function page(blocks: unknown, withoutWrapper: boolean): string {
  const data = { blocks, name: 'IT Helpdesk', logo, time: '2026-12-07T09:41:00Z', withoutWrapper };
  const fonts = ['lato/400.css', 'lato/700.css', 'lato/400-italic.css', 'noto-emoji/400.css'].map((f) => `<link rel="stylesheet" href="/fonts/${f}">`).join('');
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">${fonts}<style>${css}
  body { margin: 0; background: #fff; width: 672px; } #root { padding: 16px; }
  body, .slack_blocks_to_jsx.styles_enabled { font-family: Lato, 'Noto Emoji', sans-serif !important; }
  </style></head><body><div id="root"></div>
  <script>window.__SLACK__ = ${JSON.stringify(data).replace(/</g, '\\u003c')};</script><script>${script}</script></body></html>`;
}

const outDir = join(root, 'docs');
mkdirSync(outDir, { recursive: true });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const context = await browser.newContext({ viewport: { width: 672, height: 400 }, deviceScaleFactor: 2, timezoneId: 'UTC' });
  const fontDir = dirname(dirname(require.resolve('@fontsource/lato/package.json')));
  for (const [name, blocks, bare] of [['slack-answer', answer.blocks, false], ['slack-home', home.blocks, true]] as const) {
    const tab = await context.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    await tab.route('http://render.local/fonts/**', (r) => r.fulfill({ path: join(fontDir, new URL(r.request().url()).pathname.slice('/fonts/'.length)) }));
    await tab.route('http://render.local/', (r) => r.fulfill({ body: page(blocks, bare), contentType: 'text/html; charset=utf-8' }));
    await tab.goto('http://render.local/');
    await tab.locator('#slack_blocks_to_jsx').first().waitFor();
    // Load every font subset the text needs (emoji subsets load lazily), then let a frame paint.
    await tab.evaluate(async () => {
      const text = document.body.innerText;
      await Promise.all(['400', '700'].map((w) => document.fonts.load(`${w} 15px Lato, "Noto Emoji"`, text)));
      await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    });
    if (errors.length) throw new Error(errors.join('\n'));
    const file = join(outDir, `${name}${suffix}.png`);
    await tab.locator('#root').screenshot({ path: file });
    console.log(file);
  }
} finally {
  await browser.close();
}
