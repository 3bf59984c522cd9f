import { html, raw, type SafeHtml } from '../html.js';
import type { PageContext } from '../layout.js';
import { renderMarkdown } from '../markdown.js';

/** How the engine records a button press in the transcript (src/engine/dialogue/describe-action.ts). */
const BUTTON = /^\[button\] (.*)$/s;

/**
 * One transcript entry as a technician should read it: the bot's replies are Markdown (rendered,
 * sanitised by construction), a button press shows the button's label as a pressed button, and
 * what the employee typed stays plain text.
 */
export function turnText(ctx: PageContext, role: 'user' | 'bot' | 'technician' | 'in' | 'out', text: string): SafeHtml {
  const pressed = BUTTON.exec(text);
  if ((role === 'user' || role === 'in') && pressed) {
    return html`<p class="pressed"><span class="sr-only">${ctx.t('transcript.pressed')} </span><span class="button-label">${pressed[1] ?? ''}</span></p>`;
  }
  if (role === 'bot' || role === 'out') return html`<div class="markdown">${raw(renderMarkdown(text))}</div>`;
  return html`<p class="plain">${text}</p>`;
}
