import type { ActionAuditEntry } from '../../engine/ports/action-audit.js';
import { html } from '../html.js';
import { formatDateTime } from '../i18n.js';
import { layout, type PageContext } from '../layout.js';

/** The account actions' audit log: who, what, when, on which account, and the result. */
export function actionsPage(ctx: PageContext, entries: ActionAuditEntry[]): string {
  const { t, lang } = ctx;
  const badge = { ok: 'ok', fail: 'bad', refused: 'warn' } as const;
  const body = html`
<p>${t('actions.intro')}</p>
${entries.length === 0
    ? html`<p class="flash ok">${t('actions.none')}</p>`
    : html`<table class="actions-log">
  <thead><tr><th>${t('actions.at')}</th><th>${t('actions.action')}</th><th>${t('actions.user')}</th><th>${t('actions.account')}</th><th>${t('actions.outcome')}</th><th>${t('actions.detail')}</th></tr></thead>
  <tbody>${entries.map(
    (e) => html`<tr data-outcome="${e.outcome}">
    <td>${formatDateTime(e.at, lang)}</td>
    <td><code>${e.action}</code> <span class="muted">${e.provider}</span></td>
    <td>${e.userName ?? e.userId} <span class="muted">${e.channel}</span><br><a href="/admin/conversations/${encodeURIComponent(e.conversationId)}">${t('actions.conversation')}</a></td>
    <td>${e.account ?? '—'}</td>
    <td><span class="badge ${badge[e.outcome]}">${t(`actions.outcome_${e.outcome}`)}</span></td>
    <td>${e.detail ?? ''}</td>
  </tr>`,
  )}</tbody>
</table>`}`;
  return layout(ctx, { title: t('actions.title'), active: 'actions', body });
}
