import { marked, type Token, type Tokens } from 'marked';

/** A heading and the Markdown tokens up to the next heading of the same or a higher level. */
export interface Section {
  heading: string;
  depth: number;
  tokens: Token[];
}

/** Splits a Markdown body into sections at headings (level 1 to 3); text before the first heading has an empty heading. */
export function splitSections(body: string): Section[] {
  const sections: Section[] = [];
  let current: Section = { heading: '', depth: 0, tokens: [] };
  for (const token of marked.lexer(body)) {
    if (token.type === 'heading' && (token as Tokens.Heading).depth <= 3) {
      if (current.heading || current.tokens.some((t) => t.type !== 'space')) sections.push(current);
      const h = token as Tokens.Heading;
      current = { heading: toPlainText(h.text), depth: h.depth, tokens: [] };
    } else {
      current.tokens.push(token);
    }
  }
  if (current.heading || current.tokens.some((t) => t.type !== 'space')) sections.push(current);
  return sections;
}

/** Markdown inline syntax removed: what a reader sees, for embedding and lexical indexing. */
export function toPlainText(markdown: string): string {
  return markdown
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\(([^)]*)\)/g, '$1')
    .replace(/<[^>]+>/g, ' ')
    .replace(/(\*\*|__|\*|_|`)/g, '')
    .replace(/^\s{0,3}(#{1,6}|>|[-*+]|\d+[.)])\s+/gm, '')
    .replace(/[ \t]+/g, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The blocks of a section as plain-text paragraphs (each list item is its own paragraph). */
export function sectionParagraphs(tokens: Token[]): string[] {
  const out: string[] = [];
  for (const token of tokens) {
    if (token.type === 'space' || token.type === 'hr') continue;
    if (token.type === 'list') {
      for (const item of (token as Tokens.List).items) out.push(toPlainText(item.text));
    } else if (token.type === 'code') {
      out.push((token as Tokens.Code).text);
    } else {
      out.push(toPlainText(token.raw));
    }
  }
  return out.filter((p) => p.length > 0);
}

export function listsIn(tokens: Token[]): Tokens.List[] {
  return tokens.filter((t): t is Tokens.List => t.type === 'list');
}
