import { Marked, type Tokens } from 'marked';
import { escapeHtml } from './html.js';

/**
 * Article preview: Markdown to HTML with marked, sanitised by construction. Raw HTML in the
 * source is shown as text, links keep only http(s), mailto and in-page targets, and images are
 * shown as their alt text (the console loads nothing from elsewhere).
 */
const SAFE_HREF = /^(?:https?:\/\/|mailto:|#|\/(?![/\\]))/i;
// Browsers read "\" as "/" and drop tabs and newlines in URLs: "/\evil.example" is "//evil.example".
const UNSAFE_CHARS = /[\\\u0000-\u001f\u007f]/;

const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(text);
    },
    link(this: { parser: { parseInline(tokens: Tokens.Generic[]): string } }, { href, title, tokens }: Tokens.Link): string {
      const text = this.parser.parseInline(tokens);
      const target = href.trim();
      if (!SAFE_HREF.test(target) || UNSAFE_CHARS.test(target)) return text;
      const titleAttr = title ? ` title="${escapeHtml(title)}"` : '';
      return `<a href="${escapeHtml(target)}"${titleAttr} rel="noopener noreferrer nofollow" target="_blank">${text}</a>`;
    },
    image({ text }: Tokens.Image): string {
      return `<span class="img-alt">[${escapeHtml(text)}]</span>`;
    },
  },
});

export function renderMarkdown(source: string): string {
  return marked.parse(source, { async: false }) as string;
}
