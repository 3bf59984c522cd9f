import type { OutboxItem, OutboxStatus } from '../../engine/ports/outbox.js';
import { html, type SafeHtml } from '../html.js';
import { formatDateTime } from '../i18n.js';
import { csrfField, layout, type PageContext } from '../layout.js';

export interface TicketsData {
  provider: string;
  counts: Record<OutboxStatus, number>;
  dead: OutboxItem[];
  pending: OutboxItem[];
  delivered: OutboxItem[];
  /** The local tickets' queue (pages/ticket.ts), with the local provider. */
  queue?: SafeHtml;
  flash?: string;
}

export function ticketsPage(ctx: PageContext, d: TicketsData): string {
  const { t, lang } = ctx;
  const requester = (i: OutboxItem) => i.packet.user.name ?? i.packet.user.email ?? i.packet.user.id;
  const outboxRow = (i: OutboxItem, retry: boolean) => html`<tr id="outbox-${i.id}"><td>${formatDateTime(i.createdAt, lang)}</td><td>${requester(i)}</td>
    <td><a href="/admin/conversations/${encodeURIComponent(i.conversationId)}">${i.packet.question}</a></td><td>${i.packet.priority}</td>
    <td>${i.ticket ? html`<strong>${i.ticket.number}</strong>` : t(`outbox.status_${i.status}`)}</td><td>${i.totalAttempts}</td><td class="error">${i.lastError ?? ''}</td>
    <td>${retry ? html`<form method="post" action="/admin/outbox/${encodeURIComponent(i.id)}/retry">${csrfField(ctx)}<button type="submit">${t('outbox.retry')}</button></form>` : ''}</td></tr>`;
  const head = html`<thead><tr><th scope="col">${t('outbox.queued')}</th><th scope="col">${t('outbox.requester')}</th><th scope="col">${t('outbox.question')}</th>
    <th scope="col">${t('outbox.priority')}</th><th scope="col">${t('outbox.ticket')}</th><th scope="col">${t('outbox.attempts')}</th><th scope="col">${t('outbox.last_error')}</th><th scope="col"></th></tr></thead>`;
  const body = html`
${d.flash ? html`<p class="flash ok" role="status">${d.flash}</p>` : ''}
${d.queue ?? ''}
<p>${t('outbox.summary', { provider: d.provider, pending: d.counts.pending + d.counts.delivering, delivered: d.counts.delivered, dead: d.counts.dead })}</p>
<section id="dead-letters"><h2>${t('outbox.dead_title', { n: d.counts.dead })}</h2><p class="muted">${t('outbox.dead_note')}</p>
${d.dead.length ? html`<table class="data">${head}<tbody>${d.dead.map((i) => outboxRow(i, true))}</tbody></table>` : html`<p>${t('outbox.none')}</p>`}</section>
<section id="pending"><h2>${t('outbox.pending_title', { n: d.counts.pending + d.counts.delivering })}</h2>
${d.pending.length ? html`<table class="data">${head}<tbody>${d.pending.map((i) => outboxRow(i, false))}</tbody></table>` : html`<p>${t('outbox.none')}</p>`}</section>
<section id="delivered"><h2>${t('outbox.delivered_title')}</h2>
${d.delivered.length ? html`<table class="data">${head}<tbody>${d.delivered.map((i) => outboxRow(i, false))}</tbody></table>` : html`<p>${t('outbox.none')}</p>`}</section>
`;
  return layout(ctx, { title: t('tickets.title'), active: 'tickets', body });
}
