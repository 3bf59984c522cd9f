import { formatLintIssue, type LintIssue } from '../../engine/lint-issue.js';
import type { Flow } from '../../engine/flows/schema.js';
import { html } from '../html.js';
import { layout, type PageContext } from '../layout.js';

export interface FlowRow {
  file: string;
  flow?: Flow;
  issues: LintIssue[];
  /** Articles whose `flow:` is this flow. */
  articles: number;
  started: number;
  resolved: number;
  escalated: number;
}

export function flowsPage(ctx: PageContext, rows: FlowRow[]): string {
  const { t, lang } = ctx;
  const body = html`<p>${t('flows.intro')}</p>
<table class="data" id="flows"><thead><tr><th scope="col">${t('flows.flow')}</th><th scope="col">${t('flows.status')}</th><th scope="col">${t('flows.steps')}</th>
<th scope="col">${t('flows.articles')}</th><th scope="col">${t('flows.started')}</th><th scope="col">${t('flows.resolved')}</th><th scope="col">${t('flows.escalated')}</th></tr></thead>
<tbody>${rows.map((r) => {
    const errors = r.issues.filter((i) => i.severity === 'error');
    const status = errors.length ? html`<span class="badge bad">${t('flows.invalid')}</span>` : r.issues.length ? html`<span class="badge warn">${t('flows.warnings')}</span>` : html`<span class="badge ok">${t('flows.valid')}</span>`;
    return html`<tr><td>${r.flow ? r.flow.title[lang] : ''}<br><code class="muted">${r.file}</code></td><td>${status}${r.issues.length ? html`<ul class="issues">${r.issues.map((i) => html`<li><code>${formatLintIssue(i)}</code></li>`)}</ul>` : ''}</td>
      <td>${r.flow?.steps.length ?? ''}</td><td>${r.articles}</td><td>${r.started}</td><td>${r.resolved}</td><td>${r.escalated}</td></tr>`;
  })}</tbody></table>`;
  return layout(ctx, { title: t('flows.title'), active: 'flows', body });
}
