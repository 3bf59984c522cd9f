import { html } from '../html.js';
import { layout, type PageContext } from '../layout.js';

export function loginPage(ctx: PageContext, options: { error?: string; next: string }): string {
  const { t } = ctx;
  const body = html`
${options.error ? html`<p class="flash bad" role="alert">${options.error}</p>` : ''}
<form method="post" action="/admin/login" class="login">
  <input type="hidden" name="next" value="${options.next}">
  <label for="token">${t('login.token')}</label>
  <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
  <p class="muted">${t('login.note')}</p>
  <button type="submit">${t('login.submit')}</button>
</form>`;
  return layout(ctx, { title: t('login.title'), body });
}
