import sanitizeHtml from 'sanitize-html';
import TurndownService from 'turndown';
import { gfm } from '@joplin/turndown-plugin-gfm';

/**
 * HTML from a source (an article body, a Confluence storage-format page, a converted .docx) to
 * the Markdown the knowledge base serves. Sanitised first with sanitize-html (an allow-list:
 * scripts, styles, iframes, forms and every event attribute go), then converted with turndown
 * and its GFM plugin so headings, lists, tables, code and links survive. Images and attachments
 * become links: nothing is inlined, and data: URIs (embedded images) are dropped.
 */

const ALLOWED_TAGS = [
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'div', 'span', 'section', 'article',
  'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'blockquote', 'pre', 'code', 'kbd', 'samp',
  'strong', 'b', 'em', 'i', 'u', 's', 'del', 'sup', 'sub', 'a', 'img',
  'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption',
];

function safeHref(href: string | undefined, baseUrl?: string): string | undefined {
  if (!href) return undefined;
  try {
    const url = baseUrl ? new URL(href, baseUrl) : new URL(href);
    return url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:' ? url.toString() : undefined;
  } catch {
    // A relative link without a base (a folder document): kept as written when it is not a scheme.
    return /^[a-z][a-z0-9+.-]*:/i.test(href) ? undefined : href;
  }
}

/** Attachment file name → its URL in the source. */
export type AttachmentLinks = Readonly<Record<string, string>>;

export function sanitize(html: string, baseUrl?: string, attachments: AttachmentLinks = {}): string {
  return sanitizeHtml(html, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: { a: ['href', 'title'], img: ['src', 'alt', 'title'], td: ['colspan', 'rowspan'], th: ['colspan', 'rowspan'], code: ['class'], pre: ['class'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowProtocolRelative: false,
    // Content of these is dropped with the tag (sanitize-html keeps the text of other removed tags).
    nonTextTags: ['script', 'style', 'title', 'head', 'textarea', 'option', 'noscript', 'template', 'iframe', 'object', 'embed', 'svg', 'math', 'ac:parameter'],
    parser: { recognizeCDATA: true, lowerCaseTags: true },
    transformTags: {
      // Confluence storage format: code macros become code blocks, images and attachments links.
      'ac:structured-macro': (tagName, attribs) => ({ tagName: attribs['ac:name'] === 'code' ? 'pre' : 'div', attribs: {} }),
      'ac:plain-text-body': () => ({ tagName: 'code', attribs: {} }),
      'ac:rich-text-body': () => ({ tagName: 'div', attribs: {} }),
      // An attachment referenced by name (image or file): a link to it when the source listed it, never its content.
      'ri:attachment': (tagName, attribs): sanitizeHtml.Tag => {
        const name = attribs['ri:filename'] ?? '';
        const href = Object.hasOwn(attachments, name) ? safeHref(attachments[name], baseUrl) : undefined;
        return href ? { tagName: 'a', attribs: { href }, text: name } : { tagName: 'span', attribs: {}, text: `(attachment: ${name})` };
      },
      a: (tagName, attribs) => {
        const href = safeHref(attribs.href, baseUrl);
        return { tagName, attribs: href ? { href, ...(attribs.title ? { title: attribs.title } : {}) } : {} };
      },
      img: (tagName, attribs) => {
        const src = attribs.src && !attribs.src.startsWith('data:') ? safeHref(attribs.src, baseUrl) : undefined;
        const out: Record<string, string> = { alt: attribs.alt ?? '' };
        if (src) out.src = src;
        return { tagName, attribs: out };
      },
    },
  });
}

let service: TurndownService | undefined;

function turndown(): TurndownService {
  if (service) return service;
  const t = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-', emDelimiter: '_' });
  t.use(gfm);
  // Images are linked, never inlined: a chat answer shows the link, the file stays where it lives.
  t.addRule('linked-images', {
    filter: 'img',
    replacement: (_content, node) => {
      const el = node as unknown as { getAttribute(name: string): string | null };
      const src = el.getAttribute('src');
      const alt = (el.getAttribute('alt') ?? '').replace(/[[\]]/g, '').trim() || 'image';
      return src ? `[${alt}](${src})` : '';
    },
  });
  service = t;
  return t;
}

/** Sanitised Markdown from HTML. */
export function htmlToMarkdown(html: string, baseUrl?: string, attachments?: AttachmentLinks): string {
  const clean = sanitize(html, baseUrl, attachments);
  return turndown()
    .turndown(clean)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
