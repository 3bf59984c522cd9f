import type { RiskCoverageRow } from '../../engine/gate/calibrate.js';
import { LABEL_SOURCES, type LabelSource } from '../../engine/ports/labelled-examples.js';
import { html } from '../html.js';
import { formatDateTime } from '../i18n.js';
import { csrfField, layout, type PageContext } from '../layout.js';

/**
 * Learning from the desk: how many judgements the desk has given, a button that refits the
 * ranker and the gate on them (above the zero-label examples), the risk–coverage curve before and
 * after, and the operating point (a target precision) a technician chooses.
 */

export interface CalibrationOutcome {
  finishedAt: string;
  targetPrecision: number;
  mode: string;
  labelsUsed: number;
  skipped: { notArticle: number; unknownArticle: number };
  before: RiskCoverageRow[];
  after: RiskCoverageRow[];
  beforeThreshold: number;
  thresholds: { answer: number; clarify: number };
  /** What the curves were measured on: the desk's labelled examples, or (none yet) all examples. */
  measuredOn: 'labels' | 'all';
}

export interface CalibrationView {
  labels: Record<LabelSource, number>;
  running: boolean;
  startedAt?: string;
  last?: CalibrationOutcome;
  error?: string;
  /** Where the models in use come from and their thresholds. */
  current: { note?: string; thresholds?: { answer: number; clarify: number }; targetPrecision?: number };
}

/** What the composition root gives the console to refit and to move the operating point. */
export interface DeskCalibrationControl {
  view(): Promise<CalibrationView>;
  /** Starts a refit in the background; false when one is already running. */
  refit(targetPrecision: number): boolean;
  /** New thresholds for `targetPrecision` from the last refit's predictions, saved and put in use; false without a refit. */
  choose(targetPrecision: number): Promise<boolean>;
}

export const TARGET_PRECISIONS = [0.8, 0.85, 0.9, 0.95] as const;
const DONE = ['started', 'busy', 'chosen', 'no_refit', 'invalid'] as const;

function curve(ctx: PageContext, id: string, rows: RiskCoverageRow[], chosen: number) {
  const { t } = ctx;
  return html`<table class="data" id="${id}"><thead><tr><th scope="col">${t('calibration.threshold')}</th><th scope="col">${t('calibration.answered')}</th>
<th scope="col">${t('calibration.precision')}</th><th scope="col">${t('calibration.coverage')}</th><th scope="col">${t('calibration.oos_answered')}</th></tr></thead>
<tbody>${rows.map(
    (r) => html`<tr${Math.abs(r.threshold - chosen) < 0.025 ? html` class="chosen"` : ''}><td class="num">${r.threshold.toFixed(2)}</td><td class="num">${r.answered}</td>
<td class="num">${r.precision.toFixed(3)}</td><td class="num">${r.coverage.toFixed(3)}</td><td class="num">${r.oosAnswered.toFixed(3)}</td></tr>`,
  )}</tbody></table>`;
}

export function calibrationPage(ctx: PageContext, v: CalibrationView, done: string): string {
  const { t, lang } = ctx;
  const total = LABEL_SOURCES.reduce((s, k) => s + v.labels[k], 0);
  const targetSelect = (selected: number | undefined) =>
    html`<select name="target">${TARGET_PRECISIONS.map((p) => html`<option value="${p}"${Math.abs((selected ?? 0.9) - p) < 1e-9 ? html` selected` : ''}>${(p * 100).toFixed(0)} %</option>`)}</select>`;
  const last = v.last;
  const body = html`
${(DONE as readonly string[]).includes(done) ? html`<p class="flash ${done === 'started' || done === 'chosen' ? 'ok' : 'bad'}" role="status">${t(`calibration.done_${done}`)}</p>` : ''}
<p>${t('calibration.intro')}</p>
<table class="data" id="label-counts"><thead><tr><th scope="col">${t('calibration.source')}</th><th scope="col">${t('calibration.count')}</th></tr></thead>
<tbody>${LABEL_SOURCES.map((k) => html`<tr data-source="${k}"><td>${t(`calibration.source_${k}`)}</td><td class="num">${v.labels[k]}</td></tr>`)}
<tr><th scope="row">${t('calibration.total')}</th><td class="num">${total}</td></tr></tbody></table>
<p id="current">${t('calibration.current')} ${v.current.note ?? '—'}${v.current.thresholds ? html` · ${t('calibration.thresholds', { answer: v.current.thresholds.answer.toFixed(2), clarify: v.current.thresholds.clarify.toFixed(2) })}` : ''}</p>
${v.running
    ? html`<p class="flash info" id="running" role="status">${t('calibration.running', { at: v.startedAt ? formatDateTime(v.startedAt, lang) : '' })}</p>`
    : html`<form method="post" action="/admin/calibration/refit" class="stack" id="refit">${csrfField(ctx)}
  <label>${t('calibration.target')} ${targetSelect(v.current.targetPrecision)}</label>
  <button type="submit">${t('calibration.refit')}</button></form>`}
${v.error ? html`<p class="flash bad" role="alert">${t('calibration.failed', { error: v.error })}</p>` : ''}
${last
    ? html`<section id="last-refit"><h2>${t('calibration.last', { at: formatDateTime(last.finishedAt, lang) })}</h2>
<p>${t('calibration.used', { used: last.labelsUsed, wrong: last.skipped.notArticle, unknown: last.skipped.unknownArticle, mode: last.mode })}</p>
<p class="muted">${t(last.measuredOn === 'labels' ? 'calibration.measured_labels' : 'calibration.measured_all')}</p>
<div class="ticket-grid"><div><h3>${t('calibration.before', { answer: last.beforeThreshold.toFixed(2) })}</h3>${curve(ctx, 'curve-before', last.before, last.beforeThreshold)}</div>
<div><h3>${t('calibration.after', { answer: last.thresholds.answer.toFixed(2) })}</h3>${curve(ctx, 'curve-after', last.after, last.thresholds.answer)}</div></div>
<form method="post" action="/admin/calibration/operating-point" class="stack" id="operating-point">${csrfField(ctx)}
  <label>${t('calibration.operating_point')} ${targetSelect(last.targetPrecision)}</label>
  <button type="submit" class="secondary">${t('calibration.choose')}</button></form></section>`
    : html`<p class="muted">${t('calibration.never')}</p>`}`;
  return layout(ctx, { title: t('calibration.title'), active: 'calibration', body });
}
