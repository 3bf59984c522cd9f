/**
 * The engine writes reply text in a small Markdown subset (see ReplyPart in src/engine/contract.ts):
 * **bold**, _italic_, `code`, [label](https://url), "- " bullet lines and blank-line paragraphs.
 * This module parses that subset once into a tiny tree and renders it for each channel:
 * Slack mrkdwn, Adaptive Card TextBlock markdown (Teams), and plain text. Anything outside the
 * subset is kept as literal text. Truncation works on the tree so it never cuts through markup.
 */

import type { ReplyPart } from '../engine/contract.js';

export type Inline =
  | { type: 'text'; text: string }
  | { type: 'code'; text: string }
  | { type: 'bold'; children: Inline[] }
  | { type: 'italic'; children: Inline[] }
  | { type: 'link'; url: string; label: string };

/**
 * A paragraph keeps its single line breaks; a list is a run of "- " lines. Ordered lists are not in
 * the engine's subset but channels build them for steps, numbered from `start`.
 */
export type Block =
  | { type: 'paragraph'; lines: Inline[][] }
  | { type: 'list'; items: Inline[][]; ordered?: boolean; start?: number };

const BULLET = /^\s*[-*•]\s+(.*)$/;
// URLs may hold one level of balanced parentheses (Wikipedia-style links, "javascript:f(1)" to reject).
const LINK = /^\[([^\]\n]+)\]\(((?:[^()\s]|\([^()\s]*\))+)\)/;
const SAFE_URL = /^(https?:\/\/|mailto:)/i;
const WORD = /[\p{L}\p{N}]/u;

export function parseMarkdown(source: string): Block[] {
  const blocks: Block[] = [];
  let current: Block | undefined;
  for (const raw of source.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trimEnd();
    if (line.trim() === '') {
      current = undefined;
      continue;
    }
    const bullet = BULLET.exec(line);
    if (bullet) {
      if (current?.type !== 'list') blocks.push((current = { type: 'list', items: [] }));
      current.items.push(parseInline(bullet[1] ?? ''));
    } else {
      if (current?.type !== 'paragraph') blocks.push((current = { type: 'paragraph', lines: [] }));
      current.lines.push(parseInline(line.trim()));
    }
  }
  return blocks;
}

export function parseInline(s: string): Inline[] {
  const out: Inline[] = [];
  let text = '';
  const flush = (): void => {
    if (text) out.push({ type: 'text', text });
    text = '';
  };
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (ch === '`') {
      const end = s.indexOf('`', i + 1);
      if (end > i + 1) {
        flush();
        out.push({ type: 'code', text: s.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    } else if (ch === '[') {
      const m = LINK.exec(s.slice(i));
      if (m) {
        flush();
        const label = m[1] ?? '';
        const url = m[2] ?? '';
        // Only web and mail links become links; anything else (javascript:, file:) shows its label only.
        out.push(SAFE_URL.test(url) ? { type: 'link', url, label } : { type: 'text', text: label });
        i += m[0].length;
        continue;
      }
    } else if (ch === '*' && s[i + 1] === '*' && /\S/.test(s[i + 2] ?? ' ')) {
      // Like CommonMark flanking: "**" opens before a non-space and closes after one.
      let end = s.indexOf('**', i + 2);
      while (end !== -1 && /\s/.test(s[end - 1] ?? ' ')) end = s.indexOf('**', end + 1);
      if (end > i + 2) {
        flush();
        out.push({ type: 'bold', children: parseInline(s.slice(i + 2, end)) });
        i = end + 2;
        continue;
      }
    } else if (ch === '_' && !WORD.test(s[i - 1] ?? '') && /\S/.test(s[i + 1] ?? '')) {
      // Intraword underscores (snake_case, file_name.txt) stay literal, as in CommonMark.
      let end = s.indexOf('_', i + 1);
      while (end !== -1 && (/\s/.test(s[end - 1] ?? ' ') || WORD.test(s[end + 1] ?? ''))) end = s.indexOf('_', end + 1);
      if (end > i + 1) {
        flush();
        out.push({ type: 'italic', children: parseInline(s.slice(i + 1, end)) });
        i = end + 1;
        continue;
      }
    }
    text += ch;
    i += 1;
  }
  flush();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rendering

interface Dialect {
  text(s: string): string;
  code(s: string): string;
  bold(inner: string): string;
  italic(inner: string): string;
  link(url: string, label: string): string;
  bullet(item: string): string;
  numbered(n: number, item: string): string;
  /** Separator between the lines of one paragraph. */
  lineBreak: string;
  /** Separator between list items. */
  itemBreak: string;
  /** Separator between blocks. */
  blockBreak: string;
}

function renderInlines(nodes: Inline[], d: Dialect): string {
  return nodes
    .map((n) => {
      switch (n.type) {
        case 'text':
          return d.text(n.text);
        case 'code':
          return d.code(n.text);
        case 'bold':
          return d.bold(renderInlines(n.children, d));
        case 'italic':
          return d.italic(renderInlines(n.children, d));
        case 'link':
          return d.link(n.url, n.label);
      }
    })
    .join('');
}

function renderBlocks(blocks: Block[], d: Dialect): string {
  return blocks
    .map((b) =>
      b.type === 'paragraph'
        ? b.lines.map((l) => renderInlines(l, d)).join(d.lineBreak)
        : b.items
            .map((item, i) => (b.ordered ? d.numbered((b.start ?? 1) + i, renderInlines(item, d)) : d.bullet(renderInlines(item, d))))
            .join(d.itemBreak),
    )
    .join(d.blockBreak);
}

/** Slack's control characters; everything else is literal in mrkdwn. */
export function escapeSlack(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function slackUrl(url: string): string {
  // Inside <url|label>, "|" and ">" would end the URL early.
  return escapeSlack(url.replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/</g, '%3C'));
}

const slack: Dialect = {
  text: escapeSlack,
  code: (s) => '`' + escapeSlack(s) + '`',
  // Empty markers would print literally; Slack also needs the markers to hug the text.
  bold: (inner) => (inner.trim() ? `*${inner}*` : inner),
  italic: (inner) => (inner.trim() ? `_${inner}_` : inner),
  link: (url, label) => `<${slackUrl(url)}|${escapeSlack(label)}>`,
  // mrkdwn has no list syntax: a bullet character reads the same in every client.
  bullet: (item) => `• ${item}`,
  numbered: (n, item) => `${n}. ${item}`,
  lineBreak: '\n',
  itemBreak: '\n',
  blockBreak: '\n\n',
};

/**
 * Adaptive Card TextBlock markdown as Teams renders it: bold, italic, bullet and numbered lists,
 * links. Code, headings, tables and images are not supported, so code shows as its text.
 * Inside a TextBlock a single "\n" only breaks lines in lists; elsewhere a line break needs "\n\n".
 */
const teams: Dialect = {
  text: (s) => s,
  code: (s) => s,
  bold: (inner) => (inner.trim() ? `**${inner}**` : inner),
  italic: (inner) => (inner.trim() ? `_${inner}_` : inner),
  // Parentheses and spaces would end the destination early in some renderers; encoded they mean the same URL.
  link: (url, label) => `[${label.replace(/[[\]]/g, '')}](${url.replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/\s/g, '%20')})`,
  bullet: (item) => `- ${item}`,
  numbered: (n, item) => `${n}. ${item}`,
  lineBreak: '\n\n',
  itemBreak: '\n',
  blockBreak: '\n\n',
};

const plain: Dialect = {
  text: (s) => s,
  code: (s) => s,
  bold: (inner) => inner,
  italic: (inner) => inner,
  link: (url, label) => (label === url ? url : `${label} (${url})`),
  bullet: (item) => `• ${item}`,
  numbered: (n, item) => `${n}. ${item}`,
  lineBreak: '\n',
  itemBreak: '\n',
  blockBreak: '\n\n',
};

export type Target = 'slack' | 'teams' | 'plain';
const DIALECTS: Record<Target, Dialect> = { slack, teams, plain };

export function renderMarkdown(blocks: Block[], target: Target): string {
  return renderBlocks(blocks, DIALECTS[target]);
}

export function toSlackMrkdwn(source: string): string {
  return renderMarkdown(parseMarkdown(source), 'slack');
}

export function toTeamsMarkdown(source: string): string {
  return renderMarkdown(parseMarkdown(source), 'teams');
}

export function toPlainText(source: string): string {
  return renderMarkdown(parseMarkdown(source), 'plain');
}

/**
 * A whole message as one text in the subset, for notification previews and fallbacks. Never empty
 * when the message has content: buttons fall back to their labels, citations to their title.
 */
export function partsToMarkdown(parts: ReplyPart[], ticketHeading: (state: string) => string): string {
  return parts
    .map((p) => {
      switch (p.kind) {
        case 'text':
        case 'handoff':
          return p.text;
        case 'steps':
          return [p.title, ...p.steps.map((s, i) => `${i + 1}. ${s}`)].filter(Boolean).join('\n');
        case 'choices':
          return p.prompt ?? p.choices.map((c) => c.label).join(' / ');
        case 'citation':
          return p.title;
        case 'ticket':
          return `${ticketHeading(p.state)}${p.number ? ` (${p.number})` : ''}: ${p.text}`;
      }
    })
    .filter((s) => s.trim())
    .join('\n\n');
}

// ---------------------------------------------------------------------------------------------
// Length control

export const ELLIPSIS = '…';

function inlineLength(nodes: Inline[]): number {
  return nodes.reduce(
    (n, x) => n + (x.type === 'text' || x.type === 'code' ? x.text.length : x.type === 'link' ? x.label.length : inlineLength(x.children)),
    0,
  );
}

function lineOf(b: Block): Inline[][] {
  return b.type === 'paragraph' ? b.lines : b.items;
}

/** The same kind of block with other lines; `skipped` lines were dropped from the front (keeps numbering). */
function withLines(b: Block, lines: Inline[][], skipped = 0): Block {
  return b.type === 'paragraph' ? { type: 'paragraph', lines } : { ...b, items: lines, start: (b.start ?? 1) + skipped };
}

/** Visible characters (markup excluded), counting one per line break. */
export function visibleLength(blocks: Block[]): number {
  return blocks.reduce((n, b) => n + lineOf(b).reduce((m, l) => m + inlineLength(l) + 1, 0), 0);
}

/** Where to cut `text` to keep at most `n` UTF-16 units without splitting a surrogate pair. */
function cutIndex(text: string, n: number): number {
  if (n >= text.length) return text.length;
  const code = text.charCodeAt(n - 1);
  return code >= 0xd800 && code <= 0xdbff ? n - 1 : n;
}

/** Keeps the first `budget` visible characters of a line; links are kept whole or dropped. */
function cutInlines(nodes: Inline[], budget: { left: number }): Inline[] {
  const out: Inline[] = [];
  for (const n of nodes) {
    if (budget.left <= 0) break;
    if (n.type === 'text' || n.type === 'code') {
      const at = cutIndex(n.text, budget.left);
      // A cut inside the text ends the line, even when it fell one short to keep an emoji whole.
      budget.left = at < n.text.length ? 0 : budget.left - at;
      if (at) out.push({ ...n, text: n.text.slice(0, at) });
    } else if (n.type === 'link') {
      if (n.label.length > budget.left) {
        budget.left = 0;
        break;
      }
      budget.left -= n.label.length;
      out.push(n);
    } else {
      const children = cutInlines(n.children, budget);
      if (children.length) out.push({ ...n, children });
    }
  }
  return out;
}

/** The first `max` visible characters of a document, with its markup intact. */
export function truncateBlocks(blocks: Block[], max: number): Block[] {
  const budget = { left: max };
  const out: Block[] = [];
  for (const b of blocks) {
    if (budget.left <= 0) break;
    const lines: Inline[][] = [];
    for (const l of lineOf(b)) {
      if (budget.left <= 0) break;
      const cut = cutInlines(l, budget);
      budget.left -= 1;
      if (cut.length) lines.push(cut);
    }
    if (lines.length) out.push(withLines(b, lines));
  }
  return out;
}

function appendEllipsis(blocks: Block[]): Block[] {
  const last = blocks.at(-1);
  if (!last) return [{ type: 'paragraph', lines: [[{ type: 'text', text: ELLIPSIS }]] }];
  const lines = lineOf(last);
  const lastLine = lines.at(-1) ?? [];
  const withDots = [...lines.slice(0, -1), [...lastLine, { type: 'text', text: ELLIPSIS } as Inline]];
  return [...blocks.slice(0, -1), withLines(last, withDots)];
}

/**
 * Renders `blocks` for `target` in at most `maxChars` output characters (markup and escapes
 * included). When it does not fit, the longest prefix that fits is kept and "…" appended.
 */
export function renderWithin(blocks: Block[], target: Target, maxChars: number): { text: string; truncated: boolean } {
  const full = renderMarkdown(blocks, target);
  if (full.length <= maxChars) return { text: full, truncated: false };
  let lo = 0;
  let hi = visibleLength(blocks);
  let best = ELLIPSIS.length <= maxChars ? ELLIPSIS : '';
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    const candidate = renderMarkdown(appendEllipsis(truncateBlocks(blocks, mid)), target);
    if (candidate.length <= maxChars) {
      best = candidate;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return { text: best, truncated: true };
}

/** Plain-text truncation for places without markup (button labels, headers, facts); lengths in UTF-16 units, as the limits count. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  return s.slice(0, cutIndex(s, Math.max(0, max - ELLIPSIS.length))).trimEnd() + ELLIPSIS;
}

/**
 * Splits a document into chunks that each render within `maxChars` for `target`, keeping
 * whole blocks together when they fit and cutting oversized ones on line, then character, bounds.
 */
export function splitWithin(source: Block[], target: Target, maxChars: number): string[] {
  const blocks = unlinkOversized(source, target, maxChars);
  const chunks: string[] = [];
  let pending: Block[] = [];
  const fits = (bs: Block[]): boolean => renderMarkdown(bs, target).length <= maxChars;
  const flush = (): void => {
    if (pending.length) chunks.push(renderMarkdown(pending, target));
    pending = [];
  };
  for (const block of blocks) {
    if (fits([...pending, block])) {
      pending.push(block);
      continue;
    }
    flush();
    if (fits([block])) {
      pending = [block];
      continue;
    }
    // One block too big: emit it line by line, and cut single lines that are still too long.
    for (const [index, line] of lineOf(block).entries()) {
      const single = withLines(block, [line], index);
      const merged = mergeLine(pending, single);
      if (fits(merged)) {
        pending = merged;
        continue;
      }
      flush();
      let rest = [single];
      while (!fits(rest)) {
        const head = largestFittingPrefix(rest, target, maxChars);
        chunks.push(renderMarkdown(head.blocks, target));
        rest = dropPrefix(rest, head.visible);
      }
      pending = rest;
    }
  }
  flush();
  return chunks;
}

/** A link that cannot fit in one chunk on its own is shown as its label, so splitting always progresses. */
function unlinkOversized(blocks: Block[], target: Target, maxChars: number): Block[] {
  const fix = (nodes: Inline[]): Inline[] =>
    nodes.map((n): Inline => {
      if (n.type === 'link') {
        const alone = renderMarkdown([{ type: 'paragraph', lines: [[n]] }], target);
        return alone.length * 2 > maxChars ? { type: 'text', text: n.label } : n;
      }
      return n.type === 'bold' || n.type === 'italic' ? { ...n, children: fix(n.children) } : n;
    });
  return blocks.map((b) => withLines(b, lineOf(b).map(fix)));
}

function mergeLine(pending: Block[], single: Block): Block[] {
  const last = pending.at(-1);
  // Only lines of the same block meet here (pending is flushed before a block is cut), in order.
  if (last && last.type === single.type) {
    return [...pending.slice(0, -1), withLines(last, [...lineOf(last), ...lineOf(single)])];
  }
  return [...pending, single];
}

function largestFittingPrefix(blocks: Block[], target: Target, maxChars: number): { blocks: Block[]; visible: number } {
  let lo = 1;
  let hi = visibleLength(blocks);
  let best = { blocks: truncateBlocks(blocks, 1), visible: 1 };
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    const cut = truncateBlocks(blocks, mid);
    if (renderMarkdown(cut, target).length <= maxChars) {
      best = { blocks: cut, visible: mid };
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return best;
}

/** The remainder of a single-line document after its first `n` visible characters. */
function dropPrefix(blocks: Block[], n: number): Block[] {
  const budget = { left: n };
  const rest = (nodes: Inline[]): Inline[] => {
    const out: Inline[] = [];
    for (const node of nodes) {
      if (budget.left <= 0) {
        out.push(node);
      } else if (node.type === 'text' || node.type === 'code') {
        const drop = cutIndex(node.text, budget.left);
        budget.left = drop < node.text.length ? 0 : budget.left - drop;
        if (drop < node.text.length) out.push({ ...node, text: node.text.slice(drop) });
      } else if (node.type === 'link') {
        // truncateBlocks keeps a link whole or not at all.
        if (node.label.length <= budget.left) budget.left -= node.label.length;
        else {
          budget.left = 0;
          out.push(node);
        }
      } else {
        const children = rest(node.children);
        if (children.length) out.push({ ...node, children });
      }
    }
    return out;
  };
  return blocks.map((b) => withLines(b, lineOf(b).map(rest))).filter((b) => lineOf(b).some((l) => l.length));
}
