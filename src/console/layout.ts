import type { Lang } from '../engine/lang.js';
import { html, type HtmlValue, type SafeHtml } from './html.js';
import type { T } from './i18n.js';

/** What every console page is rendered with. */
export interface PageContext {
  t: T;
  /** Any locale key (not only `console.*`) in the page language, e.g. the gate's explanations. */
  tKey: T;
  lang: Lang;
  /** The session's anti-CSRF token for forms ('' for bearer requests and the login page). */
  csrf: string;
  /** Current path with its query, for the language switch. */
  url: string;
}

export const NAV = ['dashboard', 'knowledge', 'gaps', 'conversations', 'tickets', 'flows', 'actions', 'calibration'] as const;
export type NavItem = (typeof NAV)[number];

const HREF: Record<NavItem, string> = {
  dashboard: '/admin/',
  knowledge: '/admin/knowledge',
  gaps: '/admin/gaps',
  conversations: '/admin/conversations',
  tickets: '/admin/tickets',
  flows: '/admin/flows',
  actions: '/admin/actions',
  calibration: '/admin/calibration',
};

function withLang(url: string, lang: Lang): string {
  const u = new URL(url, 'http://console.invalid');
  u.searchParams.set('lang', lang);
  return `${u.pathname}${u.search}`;
}

/** A hidden field carrying the anti-CSRF token, for every state-changing form. */
export function csrfField(ctx: PageContext): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;
}

export function layout(ctx: PageContext, options: { title: string; active?: NavItem; body: HtmlValue; scripts?: string[] }): string {
  const { t } = ctx;
  const nav = options.active
    ? html`<nav aria-label="${t('nav.label')}"><ul>${NAV.map(
        (item) => html`<li><a href="${HREF[item]}"${item === options.active ? html` aria-current="page"` : ''}>${t(`nav.${item}`)}</a></li>`,
      )}</ul>
      <div class="session">
        <span class="langs">${(['en', 'fr'] as const).map((l) =>
          l === ctx.lang ? html`<strong lang="${l}">${l.toUpperCase()}</strong>` : html`<a href="${withLang(ctx.url, l)}" lang="${l}" hreflang="${l}">${l.toUpperCase()}</a>`,
        )}</span>
        ${ctx.csrf ? html`<form method="post" action="/admin/logout">${csrfField(ctx)}<button type="submit" class="link">${t('nav.logout')}</button></form>` : ''}
      </div></nav>`
    : html`<div class="session"><span class="langs">${(['en', 'fr'] as const).map((l) =>
        l === ctx.lang ? html`<strong>${l.toUpperCase()}</strong>` : html`<a href="${withLang(ctx.url, l)}" hreflang="${l}">${l.toUpperCase()}</a>`,
      )}</span></div>`;
  return html`<!doctype html>
<html lang="${ctx.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${ctx.csrf}">
<title>${options.title} · ${t('product')}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/admin/assets/console.css">
</head>
<body>
<header class="top"><a class="brand" href="/admin/">${t('product')}</a>${nav}</header>
<main id="main">
<h1>${options.title}</h1>
${options.body}
</main>
${(options.scripts ?? []).map((s) => html`<script src="/admin/assets/${s}" defer></script>`)}
<script src="/admin/assets/console.js" defer></script>
</body>
</html>`.value;
}
