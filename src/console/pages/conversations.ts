import type { AnalyticsEvent, ConversationRecord, ConversationStatus, ConversationSummary, TurnRecord } from '../../engine/ports/conversation-store.js';
import type { LabelledExample } from '../../engine/ports/labelled-examples.js';
import type { OutboxItem } from '../../engine/ports/outbox.js';
import { html } from '../html.js';
import { formatDateTime } from '../i18n.js';
import { csrfField, layout, type PageContext } from '../layout.js';
import { turnText } from './turn-text.js';

export const STATUSES: ConversationStatus[] = ['active', 'resolved', 'escalated'];
/** A technician's judgement of what the bot did with a question (README "Learning from the desk"). */
export const TURN_MARKS = ['right', 'wrong', 'escalate', 'article'] as const;
export type TurnMark = (typeof TURN_MARKS)[number];

export interface TranscriptMarking {
  conversationId: string;
  /** The judgements already recorded on this conversation's turns, by turn id. */
  marks: ReadonlyMap<number, LabelledExample>;
}

const markOf = (x: LabelledExample): TurnMark => (x.verdict === 'escalate' ? 'escalate' : x.verdict === 'not_article' ? 'wrong' : 'right');

export interface ConversationQuery {
  user: string;
  text: string;
  status: string;
  page: number;
}

const who = (c: Pick<ConversationRecord, 'user'>) => [c.user.name, c.user.email, c.user.id].filter(Boolean).join(' · ');

export function conversationsPage(ctx: PageContext, q: ConversationQuery, rows: ConversationSummary[], pageSize: number): string {
  const { t, lang } = ctx;
  const next = new URLSearchParams({ user: q.user, text: q.text, status: q.status, page: String(q.page + 1) });
  const body = html`
<form method="get" action="/admin/conversations" class="search" role="search">
  <label>${t('conversations.user')} <input type="search" name="user" value="${q.user}"></label>
  <label>${t('conversations.text')} <input type="search" name="text" value="${q.text}"></label>
  <label>${t('conversations.outcome')} <select name="status"><option value="">${t('conversations.any')}</option>${STATUSES.map(
    (s) => html`<option value="${s}"${q.status === s ? html` selected` : ''}>${t(`status.${s}`)}</option>`,
  )}</select></label>
  <button type="submit">${t('common.search')}</button>
</form>
<table class="data" id="conversations"><thead><tr><th scope="col">${t('conversations.last_activity')}</th><th scope="col">${t('conversations.user')}</th>
<th scope="col">${t('conversations.channel')}</th><th scope="col">${t('knowledge.lang')}</th><th scope="col">${t('conversations.outcome')}</th><th scope="col">${t('conversations.turns')}</th><th scope="col">${t('conversations.first_message')}</th></tr></thead>
<tbody>${rows.map(
    (c) => html`<tr><td><a href="/admin/conversations/${encodeURIComponent(c.id)}">${formatDateTime(c.lastActivityAt, lang)}</a></td><td>${who(c)}</td><td>${c.address.channel}</td>
    <td>${c.lang}</td><td><span class="badge status-${c.status}">${t(`status.${c.status}`)}</span></td><td>${c.turns}</td><td>${c.firstText ?? ''}</td></tr>`,
  )}</tbody></table>
${rows.length === 0 ? html`<p>${t('conversations.none')}</p>` : ''}
${rows.length === pageSize ? html`<p><a href="/admin/conversations?${next.toString()}">${t('common.next_page')}</a></p>` : ''}`;
  return layout(ctx, { title: t('conversations.title'), active: 'conversations', body });
}

export function transcriptPage(
  ctx: PageContext,
  c: Pick<ConversationRecord, 'user' | 'address' | 'lang' | 'status' | 'startedAt'>,
  turns: TurnRecord[],
  events: AnalyticsEvent[],
  tickets: OutboxItem[],
  titleOf: (id: string) => string,
  marking?: TranscriptMarking,
): string {
  const { t, lang } = ctx;
  // A turn's events carry the turn's own timestamp (the engine stamps both with the same clock reading).
  const byAt = new Map<string, AnalyticsEvent[]>();
  for (const e of events) byAt.set(e.at, [...(byAt.get(e.at) ?? []), e]);
  const shownAt = new Set<string>();
  const eventsFor = (turn: TurnRecord): AnalyticsEvent[] => {
    if (turn.direction !== 'in' || shownAt.has(turn.at)) return [];
    shownAt.add(turn.at);
    return byAt.get(turn.at) ?? [];
  };
  // The gate's explanation in the console's language when the event carries its locale key (older events: English text).
  const explanationOf = (e: AnalyticsEvent): string => {
    const x = (e.data as { explanation?: { key?: unknown; params?: unknown } } | undefined)?.explanation;
    if (x && typeof x.key === 'string' && x.key.startsWith('gate.') && x.params && typeof x.params === 'object') {
      const text = ctx.tKey(x.key, x.params as Record<string, string | number>);
      if (text !== x.key) return text;
    }
    return e.text ?? '';
  };
  const describe = (e: AnalyticsEvent) => {
    switch (e.type) {
      case 'decision':
        return html`<div class="gate decision-${e.decision ?? ''}"><strong>${t('transcript.gate')}</strong> ${t(`decision.${e.decision ?? 'unknown'}`)}
          · ${t('transcript.confidence')} <span class="confidence">${e.confidence !== undefined ? e.confidence.toFixed(2) : '—'}</span>
          ${e.articleId ? html` · ${titleOf(e.articleId)}` : ''}<br><span class="explanation">${explanationOf(e)}</span></div>`;
      case 'answer_shown':
        return html`<div class="event">${t('transcript.answer_shown', { title: e.articleId ? titleOf(e.articleId) : '' })}</div>`;
      case 'feedback':
        return html`<div class="event">${t('transcript.feedback')} ${e.value === 'yes' ? '👍' : e.value === 'no' ? '👎' : t('transcript.none_of_these')}</div>`;
      case 'escalated':
        return html`<div class="event bad">${t('transcript.escalated', { reason: e.value ?? '' })}</div>`;
      case 'resolved':
        return html`<div class="event ok">${t('transcript.resolved')}</div>`;
      case 'flow_started':
      case 'flow_ended':
        return html`<div class="event">${t(`transcript.${e.type}`, { flow: e.flowId ?? '', outcome: e.value ?? '' })}</div>`;
      default:
        return '';
    }
  };
  // On a question the gate decided: "right article / wrong article / should have escalated" (CSRF-protected form).
  const markForm = (turn: TurnRecord, own: AnalyticsEvent[]) => {
    const decision = own.find((e) => e.type === 'decision');
    if (!marking || !decision) return '';
    const shown = decision.articleId ?? own.find((e) => e.type === 'answer_shown')?.articleId;
    const current = marking.marks.get(turn.id);
    return html`<form method="post" class="mark" action="/admin/conversations/${encodeURIComponent(marking.conversationId)}/turns/${turn.id}/mark">${csrfField(ctx)}
      ${current ? html`<p class="badge ok mark-current">${t(`transcript.marked_${markOf(current)}`, { by: current.by, article: current.articleId ? titleOf(current.articleId) : '' })}</p>` : ''}
      ${shown ? html`<input type="hidden" name="shown" value="${shown}">` : ''}
      <fieldset><legend>${t('transcript.mark_legend')}</legend>${TURN_MARKS.filter((m) => (shown ? m !== 'article' : m === 'escalate' || m === 'article')).map(
        (m) => html`<label><input type="radio" name="mark" value="${m}" required${current && markOf(current) === m ? html` checked` : ''}> ${t(`transcript.mark_${m}`)}</label> `,
      )}
      <label>${t('transcript.mark_correct')} <input name="correct" maxlength="200" placeholder="article-id"></label>
      <button type="submit" class="secondary">${t('transcript.mark_save')}</button></fieldset></form>`;
  };
  const body = html`
<dl class="facts"><dt>${t('conversations.user')}</dt><dd>${who(c)}</dd><dt>${t('conversations.channel')}</dt><dd>${c.address.channel}</dd>
<dt>${t('knowledge.lang')}</dt><dd>${c.lang}</dd><dt>${t('conversations.outcome')}</dt><dd>${t(`status.${c.status}`)}</dd>
<dt>${t('conversations.started')}</dt><dd>${formatDateTime(c.startedAt, lang)}</dd></dl>
${tickets.length ? html`<p>${t('transcript.tickets')} ${tickets.map((i) => html`<a href="/admin/tickets#outbox-${i.id}">${i.ticket?.number ?? t(`outbox.status_${i.status}`)}</a> `)}</p>` : ''}
<ol class="transcript">${turns.map(
    (turn) => html`<li class="turn ${turn.direction}"><div class="who">${turn.direction === 'in' ? t('transcript.user') : t('transcript.bot')} <time datetime="${turn.at}">${formatDateTime(turn.at, lang)}</time></div>
    <div class="text">${turnText(ctx, turn.direction, turn.text)}</div>${((own) => [own.map(describe), markForm(turn, own)])(eventsFor(turn))}</li>`,
  )}</ol>`;
  return layout(ctx, { title: t('transcript.title'), active: 'conversations', body });
}
