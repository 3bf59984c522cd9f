/**
 * Renders the Teams answer to a question answered by the language model, as the channel sends
 * it (renderStreamFinal + withAiConventions: the final message of the stream), and takes a
 * screenshot in Chromium: the message text (markdown-it), the Adaptive Card drawn by the
 * `adaptivecards` renderer (schema 1.5, the library the card tests use), and the citations and
 * AI label of the message entity, listed as Teams shows them under a message ("References").
 * Teams' own chrome is not imitated. Output: docs/teams-answer.png (committed, shown in README).
 *
 *   npx tsx scripts/teams-answer-screenshot.ts [--lang fr]
 *
 * The article is the shipped "password-forgotten" with an illustrative intranet `url` (no shipped
 * article has one); the answer text is one the grounding check accepts for it.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { OutboundMessage } from '../src/engine/contract.js';
import { translator } from '../src/engine/i18n.js';
import type { Lang } from '../src/engine/lang.js';
import { loadKnowledgeBase } from '../src/engine/knowledge/loader.js';
import { updatedLabel } from '../src/engine/dialogue/freshness.js';
import { renderStreamFinal } from '../src/channels/teams/cards.js';
import { withAiConventions } from '../src/channels/teams/ai-entities.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const lang: Lang = process.argv.includes('--lang') && process.argv[process.argv.indexOf('--lang') + 1] === 'fr' ? 'fr' : 'en';
const t = translator();

const ANSWERS: Record<Lang, { id: string; text: string }> = {
  en: {
    id: 'password-forgotten',
    text: "Let's reset it [1].\n- Open https://aka.ms/sspr, enter your work email address, prove it is you, then type a new password twice and select **Finish** [1].",
  },
  fr: {
    id: 'password-forgotten-fr',
    text: 'Réinitialisons-le [1].\n- Ouvrez https://aka.ms/sspr, saisissez votre adresse e-mail professionnelle, prouvez votre identité, puis tapez deux fois un nouveau mot de passe et sélectionnez **Terminer** [1].',
  },
};

const kb = loadKnowledgeBase(join(root, 'knowledge'));
const answer = ANSWERS[lang];
const article = kb.byId.get(answer.id) ?? kb.byId.get('password-forgotten')!;
const now = new Date();
const updated = updatedLabel(article.updated, now, lang, t);
const message: OutboundMessage = {
  lang,
  parts: [
    { kind: 'text', text: answer.text, generated: true },
    { kind: 'text', text: t.t(lang, 'llm.disclosure') },
    { kind: 'citation', articleId: article.id, title: article.title, url: `https://intranet.example.com/kb/${article.id}`, ...(updated ? { updatedLabel: updated } : {}) },
    {
      kind: 'choices',
      prompt: t.t(lang, 'dialogue.answer.did_it_help'),
      choices: [
        { label: t.t(lang, 'common.yes'), value: { a: 'feedback', v: 'yes', n: 'x' }, style: 'primary' },
        { label: t.t(lang, 'common.no'), value: { a: 'feedback', v: 'no', n: 'x' } },
        { label: t.t(lang, 'dialogue.answer.guide_me'), value: { a: 'flow.start', f: 'password-reset', n: 'x' } },
      ],
    },
  ],
};
const activity = withAiConventions(renderStreamFinal(message, t), message);

const page = `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
<style>
  body { font-family: 'Segoe UI', system-ui, sans-serif; background: #f5f5f5; margin: 0; padding: 24px; width: 640px; }
  .bubble { background: #fff; border-radius: 6px; padding: 12px 16px; box-shadow: 0 1px 2px rgba(0,0,0,.15); }
  .meta { font-size: 12px; color: #616161; margin-bottom: 6px; }
  .label { border: 1px solid #c7c7c7; border-radius: 4px; padding: 0 4px; margin-left: 6px; }
  .text p { margin: 4px 0; } .text ul { margin: 4px 0; padding-left: 20px; }
  .refs { border-top: 1px solid #e0e0e0; margin-top: 10px; padding-top: 6px; font-size: 12px; }
  .refs a { color: #4f52b2; } .refs span { color: #616161; }
  .ac-pushButton { border: 1px solid #d1d1d1; background: #fff; border-radius: 4px; padding: 5px 12px; font: inherit; }
  .ac-pushButton.style-positive { background: #5b5fc7; color: #fff; border-color: #5b5fc7; }
</style>
<script src="/ac.js"></script><script src="/md.js"></script></head>
<body><div class="bubble"><div class="meta" id="meta"></div><div class="text" id="text"></div><div id="card"></div><div class="refs" id="refs"></div></div>
<script>
  const activity = ${JSON.stringify(activity)};
  const md = window.markdownit({ linkify: true });
  const entity = (activity.entities || []).find((e) => e.type === 'https://schema.org/Message') || {};
  document.getElementById('meta').innerHTML = 'IT Helpdesk' + ((entity.additionalType || []).includes('AIGeneratedContent') ? '<span class="label">${lang === 'fr' ? 'Généré par IA' : 'AI generated'}</span>' : '');
  document.getElementById('text').innerHTML = md.render(activity.text || '');
  AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => { result.outputHtml = md.render(text); result.didProcess = true; };
  const card = new AdaptiveCards.AdaptiveCard();
  card.parse(activity.attachments[0].content);
  document.getElementById('card').appendChild(card.render());
  document.getElementById('refs').innerHTML = (entity.citation || []).map((c) =>
    '[' + c.position + '] <a href="' + (c.appearance.url || '#') + '">' + c.appearance.name + '</a> <span>' + c.appearance.abstract + '</span>').join('<br>');
</script></body></html>`;

const outDir = join(root, 'docs');
mkdirSync(outDir, { recursive: true });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const context = await browser.newContext({ viewport: { width: 690, height: 400 }, deviceScaleFactor: 2 });
  const tab = await context.newPage();
  await tab.route('**/ac.js', (r) => r.fulfill({ path: require.resolve('adaptivecards/dist/adaptivecards.min.js'), contentType: 'text/javascript' }));
  await tab.route('**/md.js', (r) => r.fulfill({ path: require.resolve('markdown-it/dist/markdown-it.min.js'), contentType: 'text/javascript' }));
  await tab.route('http://render.local/', (r) => r.fulfill({ body: page, contentType: 'text/html; charset=utf-8' }));
  const errors: string[] = [];
  tab.on('pageerror', (e) => errors.push(e.message));
  await tab.goto('http://render.local/');
  await tab.locator('#card .ac-adaptiveCard').waitFor();
  if (errors.length) throw new Error(errors.join('\n'));
  const file = join(outDir, `teams-answer${lang === 'en' ? '' : `-${lang}`}.png`);
  await tab.locator('.bubble').screenshot({ path: file });
  console.log(file);
} finally {
  await browser.close();
}
