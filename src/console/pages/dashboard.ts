import { OUTCOMES } from '../../engine/analytics/outcomes.js';
import type { DashboardReport, SegmentReport } from '../../engine/analytics/report.js';
import type { SatisfactionSummary } from '../../engine/analytics/satisfaction.js';
import { html, jsonData, type SafeHtml } from '../html.js';
import { formatPercent } from '../i18n.js';
import { layout, type PageContext } from '../layout.js';

export const PERIODS = [7, 30, 90, 365] as const;

function segmentTable(ctx: PageContext, caption: string, rows: SegmentReport[], label: (key: string) => string): SafeHtml {
  const { t, lang } = ctx;
  return html`<table class="data"><caption>${caption}</caption>
    <thead><tr><th scope="col"></th><th scope="col">${t('dashboard.topics')}</th><th scope="col">${t('dashboard.pending')}</th>
    <th scope="col">${t('dashboard.deflection')}</th><th scope="col">${t('dashboard.escalation')}</th><th scope="col">${t('dashboard.no_feedback')}</th></tr></thead>
    <tbody>${rows.map(
      (r) => html`<tr><th scope="row">${label(r.key)}</th><td>${r.topics}</td><td>${r.pending}</td><td>${formatPercent(r.deflection, lang)}</td>
        <td>${formatPercent(r.escalation, lang)}</td><td>${formatPercent(r.noFeedback, lang)}</td></tr>`,
    )}</tbody></table>`;
}

export function dashboardPage(
  ctx: PageContext,
  report: DashboardReport,
  days: number,
  titleOf: (articleId: string) => string,
  satisfaction?: SatisfactionSummary,
): string {
  const { t, lang } = ctx;
  const outcomeLabel = (o: string) => t(`outcome.${o}`);
  const langLabel = (l: string) => t(`lang.${l}`);
  const chartData = {
    outcomeLabels: Object.fromEntries(OUTCOMES.map((o) => [o, outcomeLabel(o)])),
    perDay: report.perDay,
    outcomes: report.outcomes,
    byLang: report.byLang.map((s) => ({ ...s, label: langLabel(s.key) })),
    byChannel: report.byChannel.map((s) => ({ ...s, label: s.key })),
    labels: { deflection: t('dashboard.deflection'), escalation: t('dashboard.escalation'), topics: t('dashboard.topics'), conversations: t('dashboard.conversations') },
  };
  const card = (label: string, value: string, note: string, id: string) =>
    html`<div class="card" id="${id}"><div class="label">${label}</div><div class="value">${value}</div><div class="note">${note}</div></div>`;
  const r = report.rates;
  const body = html`
<nav class="periods" aria-label="${t('dashboard.period')}">${PERIODS.map((d) =>
    d === days ? html`<strong>${t('dashboard.days', { n: d })}</strong>` : html`<a href="/admin/?days=${d}">${t('dashboard.days', { n: d })}</a>`,
  )} · <a href="/admin/api/analytics.csv?days=${days}" download>${t('dashboard.export_csv')}</a></nav>

<section class="definition" aria-labelledby="def-title">
  <h2 id="def-title">${t('dashboard.definition_title')}</h2>
  <p>${t('dashboard.definition_deflected')}</p>
  <p>${t('dashboard.definition_no_feedback')}</p>
  <p>${t('dashboard.definition_pending')}</p>
</section>

<section class="cards" aria-label="${t('dashboard.key_figures')}">
  ${card(t('dashboard.deflection'), formatPercent(r.deflection, lang), t('dashboard.of_settled', { n: r.settled }), 'kpi-deflection')}
  ${card(t('dashboard.escalation'), formatPercent(r.escalation, lang), t('dashboard.of_settled', { n: r.settled }), 'kpi-escalation')}
  ${card(t('dashboard.no_feedback'), formatPercent(r.noFeedback, lang), t('dashboard.no_feedback_note'), 'kpi-no-feedback')}
  ${card(t('dashboard.feedback_ratio'), formatPercent(report.feedback.ratio, lang), t('dashboard.feedback_counts', { yes: report.feedback.yes, no: report.feedback.no }), 'kpi-feedback')}
  ${card(t('dashboard.pending'), String(r.pending), t('dashboard.pending_note'), 'kpi-pending')}
  ${card(t('dashboard.conversations'), String(report.conversations), t('dashboard.topics_count', { n: report.topics }), 'kpi-conversations')}
  ${satisfaction
    ? card(
        t('dashboard.satisfaction'),
        satisfaction.average === undefined ? '—' : t('dashboard.satisfaction_value', { average: satisfaction.average.toLocaleString(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) }),
        t('dashboard.satisfaction_note', { n: satisfaction.ratings }),
        'kpi-satisfaction',
      )
    : ''}
</section>

<section class="charts">
  <figure><figcaption>${t('dashboard.chart_per_day')}</figcaption><div class="chart-box"><canvas id="chart-per-day" role="img" aria-label="${t('dashboard.chart_per_day')}"></canvas></div></figure>
  <figure><figcaption>${t('dashboard.chart_outcomes')}</figcaption><div class="chart-box"><canvas id="chart-outcomes" role="img" aria-label="${t('dashboard.chart_outcomes')}"></canvas></div></figure>
  <figure><figcaption>${t('dashboard.chart_by_lang')}</figcaption><div class="chart-box"><canvas id="chart-by-lang" role="img" aria-label="${t('dashboard.chart_by_lang')}"></canvas></div></figure>
  <figure><figcaption>${t('dashboard.chart_by_channel')}</figcaption><div class="chart-box"><canvas id="chart-by-channel" role="img" aria-label="${t('dashboard.chart_by_channel')}"></canvas></div></figure>
</section>
<script type="application/json" id="report-data">${jsonData(chartData)}</script>

<section class="tables">
  <table class="data" id="outcomes"><caption>${t('dashboard.outcomes')}</caption>
    <thead><tr><th scope="col">${t('dashboard.outcome')}</th><th scope="col">${t('dashboard.topics')}</th></tr></thead>
    <tbody>${OUTCOMES.map((o) => html`<tr class="outcome-${o}"><th scope="row">${outcomeLabel(o)}</th><td>${report.outcomes[o]}</td></tr>`)}</tbody>
  </table>
  <table class="data" id="top-topics"><caption>${t('dashboard.top_topics')}</caption>
    <thead><tr><th scope="col">${t('dashboard.article')}</th><th scope="col">${t('dashboard.topics')}</th><th scope="col">${t('dashboard.deflected')}</th><th scope="col">${t('dashboard.escalated')}</th></tr></thead>
    <tbody>${report.topTopics.map(
      (tt) => html`<tr><th scope="row">${tt.articleId ? html`<a href="/admin/knowledge/edit/${encodeURIComponent(tt.articleId)}">${titleOf(tt.articleId)}</a>` : t('dashboard.no_article')}</th>
        <td>${tt.topics}</td><td>${tt.deflected}</td><td>${tt.escalated}</td></tr>`,
    )}</tbody>
  </table>
  ${segmentTable(ctx, t('dashboard.by_lang'), report.byLang, langLabel)}
  ${segmentTable(ctx, t('dashboard.by_channel'), report.byChannel, (k) => k)}
</section>`;
  return layout(ctx, { title: t('dashboard.title'), active: 'dashboard', body, scripts: ['chart.umd.min.js'] });
}
