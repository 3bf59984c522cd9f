import type { GapCluster } from '../../engine/analytics/gaps.js';
import { html } from '../html.js';
import { formatDateTime } from '../i18n.js';
import { layout, type PageContext } from '../layout.js';
import { PERIODS } from './dashboard.js';

/** Questions listed per group before "and N more". */
const SHOWN_QUESTIONS = 12;
/** Questions carried into the editor's `questions` field. */
const PREFILL_QUESTIONS = 10;

export function prefillLink(c: GapCluster): string {
  const counts = new Map<string, number>();
  for (const i of c.items) counts.set(i.lang, (counts.get(i.lang) ?? 0) + 1);
  const lang = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'en';
  const params = new URLSearchParams({ title: c.label, lang, gap: c.key });
  for (const q of c.questions.slice(0, PREFILL_QUESTIONS)) params.append('q', q);
  return `/admin/knowledge/new?${params.toString()}`;
}

export function gapsPage(ctx: PageContext, clusters: GapCluster[], days: number, titleOf: (id: string) => string): string {
  const { t, lang } = ctx;
  const body = html`
<p>${t('gaps.intro')}</p>
<nav class="periods" aria-label="${t('dashboard.period')}">${PERIODS.map((d) =>
    d === days ? html`<strong>${t('dashboard.days', { n: d })}</strong>` : html`<a href="/admin/gaps?days=${d}">${t('dashboard.days', { n: d })}</a>`,
  )}</nav>
${clusters.length === 0 ? html`<p class="flash ok">${t('gaps.none')}</p>` : ''}
<ol class="gaps">${clusters.map(
    (c) => html`<li class="gap" data-key="${c.key}">
  <h2>${c.label} <span class="count">${t('gaps.size', { n: c.items.length })}</span></h2>
  <p class="meta">${c.reasons.escalated ? html`<span class="badge bad">${t('gaps.reason_escalated', { n: c.reasons.escalated })}</span> ` : ''}
    ${c.reasons.low_confidence ? html`<span class="badge warn">${t('gaps.reason_low_confidence', { n: c.reasons.low_confidence })}</span> ` : ''}
    ${c.reasons.negative_feedback ? html`<span class="badge warn">${t('gaps.reason_negative_feedback', { n: c.reasons.negative_feedback })}</span> ` : ''}
    · ${c.langs.join(', ')} · ${t('gaps.last', { at: formatDateTime(c.lastAt, lang) })}</p>
  <ul class="questions">${c.items.slice(0, SHOWN_QUESTIONS).map(
    (i) => html`<li><a href="/admin/conversations/${encodeURIComponent(i.conversationId)}">${i.question}</a>
      <span class="muted">${i.lang}${i.confidence !== undefined ? ` · ${i.confidence.toFixed(2)}` : ''}${i.articleIds.length ? html` · ${t('gaps.shown')} ${i.articleIds.map(titleOf).join(', ')}` : ''}</span></li>`,
  )}${c.items.length > SHOWN_QUESTIONS ? html`<li class="muted">${t('gaps.more', { n: c.items.length - SHOWN_QUESTIONS })}</li>` : ''}</ul>
  <p><a class="button" href="${prefillLink(c)}">${t('gaps.write_article')}</a></p>
</li>`,
  )}</ol>`;
  return layout(ctx, { title: t('gaps.title'), active: 'gaps', body });
}
