import type { TicketNote } from '../../engine/ports/ticket-notes.js';
import type { TicketState } from '../../engine/ports/tickets.js';
import type { LocalTicket, LocalTicketEvent } from '../../engine/ports/local-tickets.js';
import { html } from '../html.js';
import { formatDateTime } from '../i18n.js';
import { csrfField, layout, type PageContext } from '../layout.js';
import { turnText } from './turn-text.js';

/** The states a technician moves a ticket through; on_hold reads "Waiting for the user". */
export const WORK_STATES = ['new', 'in_progress', 'on_hold', 'resolved', 'closed'] as const satisfies readonly TicketState[];
export const QUEUE_PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export const ASSIGNEE_FILTERS = ['any', 'mine', 'unassigned'] as const;

export interface QueueQuery {
  state: string;
  priority: string;
  assignee: (typeof ASSIGNEE_FILTERS)[number];
  q: string;
}

export interface TicketPageData {
  ticket: LocalTicket;
  history: LocalTicketEvent[];
  notes: TicketNote[];
  /** The technician's name as they gave it (cookie), for "assign to me". */
  me?: string;
  /** Whether a reply can reach the employee's channel (it is running). */
  canReply: boolean;
  flash?: { kind: 'ok' | 'bad'; text: string };
}

const requester = (tk: LocalTicket) => [tk.requesterName, tk.requesterEmail, tk.requesterId].filter(Boolean).join(' · ');

/** The queue of local tickets with its filters (part of the Tickets page). */
export function ticketQueue(ctx: PageContext, tickets: LocalTicket[], q: QueueQuery, me: string | undefined) {
  const { t, lang } = ctx;
  return html`<section id="local-tickets"><h2>${t('tickets.local_title')}</h2>
<form method="get" action="/admin/tickets" class="search" role="search" aria-label="${t('ticket.filters')}">
  <label>${t('tickets.state')} <select name="state"><option value="">${t('ticket.open_states')}</option><option value="all"${q.state === 'all' ? html` selected` : ''}>${t('conversations.any')}</option>${WORK_STATES.map(
    (s) => html`<option value="${s}"${q.state === s ? html` selected` : ''}>${t(`ticket.state_${s}`)}</option>`,
  )}</select></label>
  <label>${t('outbox.priority')} <select name="priority"><option value="">${t('conversations.any')}</option>${QUEUE_PRIORITIES.map(
    (p) => html`<option value="${p}"${q.priority === p ? html` selected` : ''}>${t(`ticket.priority_${p}`)}</option>`,
  )}</select></label>
  <label>${t('tickets.assignee')} <select name="assignee">${ASSIGNEE_FILTERS.map(
    (a) => html`<option value="${a}"${q.assignee === a ? html` selected` : ''}${a === 'mine' && !me ? html` disabled` : ''}>${t(`ticket.assignee_${a}`)}</option>`,
  )}</select></label>
  <label>${t('conversations.text')} <input type="search" name="q" value="${q.q}"></label>
  <button type="submit">${t('common.search')}</button>
</form>
${tickets.length
    ? html`<table class="data" id="queue"><thead><tr><th scope="col">${t('tickets.number')}</th><th scope="col">${t('tickets.state')}</th><th scope="col">${t('outbox.priority')}</th><th scope="col">${t('tickets.title_col')}</th>
<th scope="col">${t('outbox.requester')}</th><th scope="col">${t('tickets.assignee')}</th><th scope="col">${t('tickets.updated')}</th></tr></thead>
<tbody>${tickets.map(
        (tk) => html`<tr id="ticket-${tk.number}"><td><a href="/admin/tickets/${encodeURIComponent(tk.number)}"><strong>${tk.number}</strong></a></td>
  <td><span class="badge state-${tk.state}">${t(`ticket.state_${tk.state}`)}</span></td><td><span class="badge priority-${tk.priority}">${t(`ticket.priority_${tk.priority}`)}</span></td>
  <td><a href="/admin/tickets/${encodeURIComponent(tk.number)}">${tk.title}</a></td><td>${requester(tk)}</td><td>${tk.assignee ?? ''}</td><td>${formatDateTime(tk.updatedAt, lang)}</td></tr>`,
      )}</tbody></table>`
    : html`<p>${t('ticket.queue_empty')}</p>`}
</section>`;
}

export function ticketPage(ctx: PageContext, d: TicketPageData): string {
  const { t, lang } = ctx;
  const tk = d.ticket;
  const p = tk.packet;
  const action = (name: string) => `/admin/tickets/${encodeURIComponent(tk.number)}/${name}`;
  const historyLine = (e: LocalTicketEvent) =>
    e.kind === 'created'
      ? t('ticket.event_created')
      : e.kind === 'assigned'
        ? t('ticket.event_assigned', { assignee: e.assignee ?? '—' })
        : e.kind === 'commented'
          ? t('ticket.event_commented')
          : t('ticket.event_state', { state: t(`ticket.state_${e.toState}`) });
  const body = html`
${d.flash ? html`<p class="flash ${d.flash.kind}" role="${d.flash.kind === 'ok' ? 'status' : 'alert'}">${d.flash.text}</p>` : ''}
<p><a href="/admin/tickets">${t('ticket.back')}</a></p>
<div class="ticket-grid">
<section class="packet" aria-labelledby="packet-h">
  <h2 id="packet-h">${t('ticket.packet')}</h2>
  <dl class="facts">
    <dt>${t('tickets.state')}</dt><dd><span class="badge state-${tk.state}" id="ticket-state">${t(`ticket.state_${tk.state}`)}</span></dd>
    <dt>${t('outbox.priority')}</dt><dd><span class="badge priority-${tk.priority}">${t(`ticket.priority_${tk.priority}`)}</span></dd>
    <dt>${t('tickets.assignee')}</dt><dd id="ticket-assignee">${tk.assignee ?? t('ticket.unassigned')}</dd>
    <dt>${t('outbox.requester')}</dt><dd id="ticket-requester">${requester(tk)}</dd>
    <dt>${t('conversations.channel')}</dt><dd>${tk.channel} · <a href="/admin/conversations/${encodeURIComponent(tk.conversationId)}">${t('ticket.conversation')}</a></dd>
    <dt>${t('knowledge.lang')}</dt><dd>${tk.lang}</dd>
    <dt>${t('ticket.reason')}</dt><dd>${p.reasonText}</dd>
    ${p.category ? html`<dt>${t('ticket.category')}</dt><dd>${p.category}</dd>` : ''}
    <dt>${t('ticket.created')}</dt><dd>${formatDateTime(tk.createdAt, lang)}</dd>
  </dl>
  <h3>${t('outbox.question')}</h3><p class="question">${p.question}</p>
  ${p.userDetails ? html`<h3>${t('ticket.user_details')}</h3><p class="plain">${p.userDetails}</p>` : ''}
  ${p.summary ? html`<h3>${t('ticket.summary')}</h3><p>${p.summary}</p>` : ''}
  <h3>${t('ticket.articles')}</h3>
  ${p.articlesShown.length
    ? html`<table class="data" id="articles-shown"><thead><tr><th scope="col">${t('ticket.article')}</th><th scope="col">${t('ticket.score')}</th><th scope="col">${t('ticket.feedback')}</th></tr></thead>
    <tbody>${p.articlesShown.map(
      (a) => html`<tr><td>${a.title} <span class="muted">(${a.articleId})</span></td><td class="num">${a.score.toFixed(2)}</td><td>${a.feedback === 'yes' ? '👍' : a.feedback === 'no' ? '👎' : '—'}</td></tr>`,
    )}</tbody></table>`
    : html`<p class="muted">${t('ticket.no_articles')}</p>`}
  ${p.gate ? html`<p class="muted">${t('transcript.gate')} ${t(`decision.${p.gate.decision}`)} · ${t('transcript.confidence')} ${p.gate.confidence.toFixed(2)}</p>` : ''}
  <h3>${t('ticket.steps')}</h3>
  ${p.flow && p.flow.path.length
    ? html`<ol id="steps-tried">${p.flow.path.map((s) => html`<li><code>${s.stepId}</code>${s.answer ? html` — ${s.answer}` : ''}</li>`)}</ol><p class="muted">${t('ticket.flow', { flow: p.flow.flowId, outcome: p.flow.outcome })}</p>`
    : html`<p class="muted">${t('ticket.no_steps')}</p>`}
  <h3>${t('ticket.transcript')}</h3>
  <ol class="transcript" id="ticket-transcript">${p.transcript.map(
    (e) => html`<li class="turn ${e.role === 'user' ? 'in' : 'out'}"><div class="who">${t(`ticket.role_${e.role}`)} <time datetime="${e.at}">${formatDateTime(e.at, lang)}</time></div>
    <div class="text">${turnText(ctx, e.role, e.text)}</div></li>`,
  )}</ol>
</section>
<section class="work" aria-labelledby="work-h">
  <h2 id="work-h">${t('ticket.work')}</h2>
  <form method="post" action="${action('assign')}" class="stack">${csrfField(ctx)}
    <label>${t('ticket.your_name')} <input name="name" required maxlength="80" autocomplete="name" value="${d.me ?? ''}"></label>
    <button type="submit">${t('ticket.assign_me')}</button>
  </form>
  <form method="post" action="${action('state')}" class="stack">${csrfField(ctx)}
    <label>${t('ticket.set_state')} <select name="state">${WORK_STATES.map(
      (s) => html`<option value="${s}"${tk.state === s ? html` selected` : ''}>${t(`ticket.state_${s}`)}</option>`,
    )}</select></label>
    <label>${t('tickets.resolution')} <textarea name="notes" rows="2" maxlength="20000"></textarea></label>
    <label>${t('ticket.solved_with')} <input name="article" maxlength="200" list="shown-article-ids" placeholder="article-id"></label>
    <datalist id="shown-article-ids">${p.articlesShown.map((a) => html`<option value="${a.articleId}">${a.title}</option>`)}</datalist>
    <p class="muted">${t('ticket.solved_with_help')}</p>
    <button type="submit">${t('ticket.save_state')}</button>
  </form>
  <form method="post" action="${action('reply')}" class="stack">${csrfField(ctx)}
    <label>${t('ticket.reply_label')} <textarea name="text" rows="4" required maxlength="4000"${d.canReply ? '' : html` disabled`}></textarea></label>
    ${d.canReply ? '' : html`<p class="muted">${t('ticket.reply_unavailable', { channel: tk.channel })}</p>`}
    <button type="submit"${d.canReply ? '' : html` disabled`}>${t('ticket.send_reply')}</button>
  </form>
  <form method="post" action="${action('note')}" class="stack">${csrfField(ctx)}
    <label>${t('ticket.note_label')} <textarea name="text" rows="3" required maxlength="20000"></textarea></label>
    <button type="submit" class="secondary">${t('ticket.add_note')}</button>
  </form>
  <h3>${t('ticket.activity')}</h3>
  <ol class="activity" id="ticket-activity">${[
    ...d.history.map((e) => ({ at: e.at, node: html`<li class="event"><time datetime="${e.at}">${formatDateTime(e.at, lang)}</time> ${historyLine(e)}${e.actor ? html` <span class="muted">(${e.actor})</span>` : ''}${e.note ? html`<p class="plain">${e.note}</p>` : ''}</li>` })),
    ...d.notes.map((n) => ({
      at: n.at,
      node: html`<li class="${n.kind}"><time datetime="${n.at}">${formatDateTime(n.at, lang)}</time> <strong>${n.kind === 'note' ? t('ticket.internal_note', { author: n.author }) : t('ticket.reply_by', { author: n.author })}</strong>
        ${n.kind === 'reply' ? html`<span class="badge ${n.delivered ? 'ok' : 'bad'}">${n.delivered ? t('ticket.delivered') : t('ticket.not_delivered')}</span>` : ''}<p class="plain">${n.text}</p>${n.error ? html`<p class="error">${n.error}</p>` : ''}</li>`,
    })),
  ]
    .sort((a, b) => a.at.localeCompare(b.at))
    .map((x) => x.node)}</ol>
</section>
</div>`;
  return layout(ctx, { title: `${tk.number} · ${tk.title}`, active: 'tickets', body });
}
