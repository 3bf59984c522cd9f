import type { ArticleUsage } from '../../engine/analytics/articles.js';
import type { Article } from '../../engine/knowledge/types.js';
import { formatLintIssue, type LintIssue } from '../../engine/lint-issue.js';
import type { FeedbackRecord } from '../../engine/ports/conversation-store.js';
import type { ArticleDraft } from '../../engine/ports/drafts.js';
import type { ArticleForm } from '../articles.js';
import { html, raw, type SafeHtml } from '../html.js';
import { formatDateTime } from '../i18n.js';
import { csrfField, layout, type PageContext } from '../layout.js';

export const ARTICLE_FILTERS = ['all', 'stale', 'behind', 'disliked', 'unused'] as const;
export type ArticleFilter = (typeof ARTICLE_FILTERS)[number];

export interface ArticleRow {
  article: Article;
  usage: ArticleUsage;
  stale: boolean;
  /** The other-language article of the family updated after this one, if any. */
  behind?: Article;
}

function issueList(ctx: PageContext, issues: LintIssue[]): SafeHtml {
  const errors = issues.filter((i) => i.severity === 'error');
  const warnings = issues.filter((i) => i.severity === 'warning');
  return html`${errors.length ? html`<div class="issues errors" role="alert"><h2>${ctx.t('editor.refused')}</h2><ul>${errors.map((i) => html`<li><code>${formatLintIssue(i)}</code></li>`)}</ul></div>` : ''}
  ${warnings.length ? html`<div class="issues warnings"><h2>${ctx.t('editor.warnings')}</h2><ul>${warnings.map((i) => html`<li><code>${formatLintIssue(i)}</code></li>`)}</ul></div>` : ''}`;
}

export function knowledgeListPage(
  ctx: PageContext,
  data: { rows: ArticleRow[]; q: string; filter: ArticleFilter; drafts: ArticleDraft[]; broken: LintIssue[]; total: number },
): string {
  const { t, lang } = ctx;
  const body = html`
<p class="actions"><a class="button" href="/admin/knowledge/new">${t('knowledge.new')}</a> <a class="button secondary" href="/admin/knowledge/sources">${t('sources.link')}</a></p>
<form method="get" action="/admin/knowledge" class="search" role="search">
  <label>${t('knowledge.search')} <input type="search" name="q" value="${data.q}"></label>
  <label>${t('knowledge.filter')} <select name="filter">${ARTICLE_FILTERS.map(
    (f) => html`<option value="${f}"${f === data.filter ? html` selected` : ''}>${t(`knowledge.filter_${f}`)}</option>`,
  )}</select></label>
  <button type="submit">${t('common.search')}</button>
</form>

${data.drafts.length ? html`<section id="drafts"><h2>${t('knowledge.drafts', { n: data.drafts.length })}</h2>
<table class="data"><thead><tr><th scope="col">${t('knowledge.title')}</th><th scope="col">${t('knowledge.ticket')}</th><th scope="col">${t('knowledge.lang')}</th><th scope="col">${t('knowledge.created')}</th><th scope="col"></th></tr></thead>
<tbody>${data.drafts.map(
  (d) => html`<tr><td>${String(d.frontMatter.title ?? '')}</td><td>${d.source.ticketNumber} (${d.source.provider})</td><td>${d.lang}</td><td>${formatDateTime(d.createdAt, lang)}</td>
  <td class="row-actions"><a class="button" href="/admin/knowledge/new?draft=${encodeURIComponent(d.id)}">${t('knowledge.review_draft')}</a>
  <form method="post" action="/admin/drafts/${encodeURIComponent(d.id)}/discard" data-confirm="${t('knowledge.discard_confirm')}">${csrfField(ctx)}<button type="submit" class="secondary">${t('knowledge.discard')}</button></form></td></tr>`,
)}</tbody></table></section>` : ''}

${data.broken.length ? html`<section class="issues errors"><h2>${t('knowledge.broken')}</h2><ul>${data.broken.map((i) => html`<li><code>${formatLintIssue(i)}</code></li>`)}</ul></section>` : ''}

<table class="data" id="articles"><caption>${t('knowledge.count', { shown: data.rows.length, total: data.total })}</caption>
<thead><tr><th scope="col">${t('knowledge.title')}</th><th scope="col">${t('knowledge.lang')}</th><th scope="col">${t('knowledge.category')}</th><th scope="col">${t('knowledge.status')}</th>
<th scope="col">${t('knowledge.shown')}</th><th scope="col">👍</th><th scope="col">👎</th><th scope="col">${t('knowledge.last_feedback')}</th></tr></thead>
<tbody>${data.rows.map(
  ({ article: a, usage: u, stale, behind }) => html`<tr data-id="${a.id}"><td><a href="/admin/knowledge/edit/${encodeURIComponent(a.id)}">${a.title}</a><br><code class="muted">${a.id}</code></td>
  <td>${a.lang}</td><td>${a.category ?? ''}</td>
  <td>${stale ? html`<span class="badge warn" title="review_by ${a.reviewBy ?? ''}">${t('knowledge.stale', { date: a.reviewBy ?? '' })}</span>` : behind ? '' : html`<span class="badge ok">${t('knowledge.current')}</span>`}
    ${behind ? html`<a class="badge warn translation-behind" href="/admin/knowledge/edit/${encodeURIComponent(a.id)}" title="${behind.id}">${t('knowledge.translation_behind', { lang: behind.lang, date: behind.updated ?? '' })}</a>` : ''}</td>
  <td>${u.shown}</td><td>${u.yes}</td><td>${u.no}</td>
  <td>${u.lastFeedbackAt ? html`${u.lastFeedback === 'yes' ? '👍' : '👎'} ${formatDateTime(u.lastFeedbackAt, lang)}` : '—'}</td></tr>`,
)}</tbody></table>`;
  return layout(ctx, { title: t('knowledge.heading'), active: 'knowledge', body });
}

export interface EditorData {
  form: ArticleForm;
  /** Set when editing an existing article. */
  existingId?: string;
  file?: string;
  baseHash?: string;
  draftId?: string;
  /** The gap this new article answers: its questions become labelled examples once it is saved. */
  gapKey?: string;
  extraKeys: string[];
  issues: LintIssue[];
  preview: string;
  flowIds: string[];
  saved?: boolean;
  prefilledFrom?: string;
  /** Feedback on an existing article that came with a comment (redacted), newest first. */
  comments?: FeedbackRecord[];
}

function commentsSection(ctx: PageContext, comments: FeedbackRecord[]): SafeHtml {
  const { t, lang } = ctx;
  return html`<section id="feedback-comments"><h2>${t('knowledge.comments')}</h2>
${comments.length
    ? html`<table class="data"><thead><tr><th scope="col">${t('knowledge.comment_when')}</th><th scope="col">${t('knowledge.comment_value')}</th><th scope="col">${t('knowledge.comment_text')}</th><th scope="col">${t('knowledge.comment_channel')}</th></tr></thead>
<tbody>${comments.map((c) => html`<tr><td>${formatDateTime(c.at, lang)}</td><td>${c.value === 'yes' ? '👍' : '👎'}</td><td class="comment">${c.comment ?? ''}</td><td>${c.channel}</td></tr>`)}</tbody></table>`
    : html`<p class="muted">${t('knowledge.comments_none')}</p>`}
</section>`;
}

export function editorPage(ctx: PageContext, d: EditorData): string {
  const { t } = ctx;
  const f = d.form;
  const field = (key: keyof ArticleForm, type = 'text', extra: SafeHtml | string = '') =>
    html`<label for="f-${key}">${t(`field.${key}`)}</label><input id="f-${key}" name="${key}" type="${type}" value="${f[key]}" ${extra}>`;
  const title = d.existingId ? t('editor.edit_title', { title: f.title }) : t('editor.new_title');
  const body = html`
${d.saved ? html`<p class="flash ok" role="status">${t('editor.saved', { file: d.file ?? '' })}</p>` : ''}
${d.prefilledFrom ? html`<p class="flash info">${d.prefilledFrom}</p>` : ''}
${issueList(ctx, d.issues)}
<form method="post" action="/admin/knowledge/save" class="editor" id="article-form">
  ${csrfField(ctx)}
  ${d.existingId ? html`<input type="hidden" name="existing_id" value="${d.existingId}">` : ''}
  ${d.baseHash ? html`<input type="hidden" name="base_hash" value="${d.baseHash}">` : ''}
  ${d.draftId ? html`<input type="hidden" name="draft_id" value="${d.draftId}">` : ''}
  ${d.gapKey ? html`<input type="hidden" name="gap" value="${d.gapKey}">` : ''}
  <fieldset class="front-matter"><legend>${t('editor.front_matter')}</legend>
    <div class="grid">
      <div>${field('id', 'text', d.existingId ? html`readonly aria-describedby="id-note"` : html`required pattern="[A-Za-z0-9][A-Za-z0-9._\\-]*" aria-describedby="id-note"`)}
        <small id="id-note">${d.existingId ? t('editor.id_fixed', { file: d.file ?? '' }) : t('editor.id_note')}</small></div>
      <div>${field('title', 'text', html`required`)}</div>
      <div><label for="f-lang">${t('field.lang')}</label><select id="f-lang" name="lang">${(['en', 'fr'] as const).map(
        (l) => html`<option value="${l}"${f.lang === l ? html` selected` : ''}>${t(`lang.${l}`)}</option>`,
      )}</select></div>
      <div>${field('translation_of')}</div>
      <div>${field('category')}</div>
      <div>${field('owner')}</div>
      <div>${field('updated', 'date')}</div>
      <div>${field('review_by', 'date')}</div>
      <div>${field('flow', 'text', html`list="flow-ids"`)}<datalist id="flow-ids">${d.flowIds.map((id) => html`<option value="${id}">`)}</datalist></div>
      <div>${field('audience')}</div>
      <div>${field('url', 'url')}</div>
      <div>${field('tags', 'text', html`aria-describedby="tags-note"`)}<small id="tags-note">${t('editor.tags_note')}</small></div>
    </div>
    <label for="f-summary">${t('field.summary')}</label><textarea id="f-summary" name="summary" rows="2">${f.summary}</textarea>
    <label for="f-questions">${t('field.questions')}</label><textarea id="f-questions" name="questions" rows="6" aria-describedby="questions-note">${f.questions}</textarea>
    <small id="questions-note">${t('editor.questions_note')}</small>
    ${d.extraKeys.length ? html`<p class="muted" id="extra-keys">${t('editor.extra_keys', { keys: d.extraKeys.join(', ') })}</p>` : ''}
  </fieldset>
  <div class="split">
    <div><label for="body">${t('editor.body')}</label><textarea id="body" name="body" rows="24" spellcheck="true">${f.body}</textarea></div>
    <div><span class="label" id="preview-label">${t('editor.preview')}</span><div id="preview" class="preview" aria-labelledby="preview-label" aria-live="polite">${raw(d.preview)}</div></div>
  </div>
  <p class="actions"><button type="submit" id="save">${t('editor.save')}</button> <a href="/admin/knowledge">${t('common.cancel')}</a></p>
</form>
${d.comments ? commentsSection(ctx, d.comments) : ''}`;
  return layout(ctx, { title, active: 'knowledge', body });
}
