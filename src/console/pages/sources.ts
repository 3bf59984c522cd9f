import type { SyncState } from '../../knowledge-sources/state.js';
import type { SyncReport } from '../../knowledge-sources/sync.js';
import { html } from '../html.js';
import { formatDateTime } from '../i18n.js';
import { csrfField, layout, type PageContext } from '../layout.js';

/** Imported knowledge: per source, the last sync and every article with its source id and link; "Sync now" (a CSRF-protected form). */

export interface SourceView {
  name: string;
  out: string;
  state?: SyncState;
  lastReport?: SyncReport;
}

export function sourcesPage(ctx: PageContext, data: { sources: SourceView[]; synced: boolean }): string {
  const { t, lang } = ctx;
  const body = html`
<p>${t('sources.intro')}</p>
${data.synced ? html`<p class="notice" role="status">${t('sources.synced')}</p>` : ''}
${data.sources.length === 0
  ? html`<p class="muted">${t('sources.none')}</p>`
  : html`<form method="post" action="/admin/knowledge/sync">${csrfField(ctx)}<button type="submit">${t('sources.sync_now')}</button></form>
${data.sources.map((s) => {
  const run = s.state?.lastRun;
  const articles = Object.entries(s.state?.articles ?? {}).sort((a, b) => a[1].id.localeCompare(b[1].id));
  return html`<section class="source" data-source="${s.name}"><h2>${t('sources.source')}: ${s.name}</h2>
<p>${t('sources.folder')}: <code>${s.out}</code><br>${t('sources.last_sync')}: ${run
    ? html`${formatDateTime(run.at, lang)} — ${run.ok ? html`<span class="badge ok">${t('sources.ok')}</span>` : html`<span class="badge warn">${t('sources.failed')}</span> ${run.error ?? ''}`}
  (${t('sources.counts', { created: run.created, updated: run.updated, retired: run.retired, skipped: run.skipped, failed: run.failed })})`
    : t('sources.never')}</p>
${articles.length ? html`<table class="data"><thead><tr><th scope="col">${t('sources.article')}</th><th scope="col">${t('sources.source_id')}</th><th scope="col">${t('sources.source_link')}</th><th scope="col">${t('sources.synced_at')}</th></tr></thead>
<tbody>${articles.map(
  ([sourceId, a]) => html`<tr data-id="${a.id}"><td><a href="/admin/knowledge/edit/${encodeURIComponent(a.id)}">${a.id}</a></td><td><code>${sourceId}</code></td>
  <td>${a.url && /^https?:\/\//.test(a.url) ? html`<a href="${a.url}" rel="noopener noreferrer" target="_blank">${a.url}</a>` : '—'}</td><td>${formatDateTime(a.syncedAt, lang)}</td></tr>`,
)}</tbody></table>` : ''}
</section>`;
})}`}`;
  return layout(ctx, { title: t('sources.heading'), active: 'knowledge', body });
}
