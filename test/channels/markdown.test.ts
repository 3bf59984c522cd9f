import { describe, expect, it } from 'vitest';
import {
  clip,
  parseMarkdown,
  partsToMarkdown,
  renderMarkdown,
  renderWithin,
  splitWithin,
  toPlainText,
  toSlackMrkdwn,
  toTeamsMarkdown,
  type Block,
} from '../../src/channels/markdown.js';

describe('Markdown subset → Slack mrkdwn', () => {
  it.each([
    ['**bold**', '*bold*'],
    ['_italic_', '_italic_'],
    ['`code`', '`code`'],
    ['**bold _and italic_**', '*bold _and italic_*'],
    ['[Portal](https://portal.example.com/a?x=1&y=2)', '<https://portal.example.com/a?x=1&amp;y=2|Portal>'],
    ['[a|b](https://e.com/p|q>)', '<https://e.com/p%7Cq%3E|a|b>'],
    ['[Wiki](https://en.wikipedia.org/wiki/VPN_(networking))', '<https://en.wikipedia.org/wiki/VPN_(networking)|Wiki>'],
    ['[mail](mailto:it@example.com)', '<mailto:it@example.com|mail>'],
    ['[run](javascript:alert(1))', 'run'],
    ['[file](file:///etc/passwd)', 'file'],
    ['R&D <team> > you', 'R&amp;D &lt;team&gt; &gt; you'],
    ['`a < b`', '`a &lt; b`'],
    ['snake_case_name and file_name.txt', 'snake_case_name and file_name.txt'],
    ['2 * 3 * 4, **unclosed and _open', '2 * 3 * 4, **unclosed and _open'],
    ['**** and ** ** stay', '**** and ** ** stay'],
    ['- one\n- **two**\n* three', '• one\n• *two*\n• three'],
    ['para one\nline two\n\n\npara two', 'para one\nline two\n\npara two'],
    ['intro\n- item\nafter', 'intro\n\n• item\n\nafter'],
  ])('%j → %j', (source, expected) => {
    expect(toSlackMrkdwn(source)).toBe(expected);
  });
});

describe('Markdown subset → Adaptive Card TextBlock markdown (Teams)', () => {
  it.each([
    ['**bold** _it_', '**bold** _it_'],
    // TextBlock has no code formatting: the code shows as its text.
    ['run `ipconfig /flushdns`', 'run ipconfig /flushdns'],
    ['[Portal](https://portal.example.com/a?x=1&y=2)', '[Portal](https://portal.example.com/a?x=1&y=2)'],
    ['[a [b]](https://e.com/x y)', '[a [b]](https://e.com/x y)'],
    ['[Wiki](https://e.com/VPN_(net))', '[Wiki](https://e.com/VPN_%28net%29)'],
    ['[run](javascript:alert(1))', 'run'],
    // Outside lists a TextBlock needs a blank line to break a line.
    ['line one\nline two', 'line one\n\nline two'],
    ['- a\n- b\n\nafter', '- a\n- b\n\nafter'],
    ['R&D <team>', 'R&D <team>'],
  ])('%j → %j', (source, expected) => {
    expect(toTeamsMarkdown(source)).toBe(expected);
  });
});

describe('plain text', () => {
  it('drops the markup and spells out links', () => {
    expect(toPlainText('**Go** to [the portal](https://p.example.com) or [https://x.com](https://x.com)\n- `now`')).toBe(
      'Go to the portal (https://p.example.com) or https://x.com\n\n• now',
    );
  });
});

describe('ordered lists (steps)', () => {
  const steps: Block[] = [{ type: 'list', ordered: true, items: [[{ type: 'text', text: 'a' }], [{ type: 'bold', children: [{ type: 'text', text: 'b' }] }]] }];
  it('number from 1, or from `start`', () => {
    expect(renderMarkdown(steps, 'slack')).toBe('1. a\n2. *b*');
    expect(renderMarkdown([{ ...steps[0]!, start: 7 } as Block], 'teams')).toBe('7. a\n8. **b**');
  });
});

describe('renderWithin', () => {
  const doc = parseMarkdown('Start **bold words here** then [a link](https://example.com/long/path) and `code span` end & more');

  it('returns the whole text when it fits', () => {
    expect(renderWithin(doc, 'slack', 1000)).toEqual({ text: toSlackMrkdwn('Start **bold words here** then [a link](https://example.com/long/path) and `code span` end & more'), truncated: false });
  });

  it('never exceeds the limit and never leaves markup half open', () => {
    for (let max = 1; max <= 120; max += 1) {
      for (const target of ['slack', 'teams', 'plain'] as const) {
        const { text, truncated } = renderWithin(doc, target, max);
        expect(text.length).toBeLessThanOrEqual(max);
        expect(truncated).toBe(true === text.endsWith('…'));
        if (target === 'slack') {
          expect((text.match(/\*/g) ?? []).length % 2).toBe(0);
          expect((text.match(/`/g) ?? []).length % 2).toBe(0);
          expect((text.match(/</g) ?? []).length).toBe((text.match(/>/g) ?? []).length);
          expect(text).not.toMatch(/&(?!amp;|lt;|gt;)|&[a-z]*…$/);
        }
        if (target === 'teams') {
          expect((text.match(/\*\*/g) ?? []).length % 2).toBe(0);
          expect((text.match(/\[/g) ?? []).length).toBe((text.match(/\]\(/g) ?? []).length);
        }
      }
    }
  });

  it('keeps the longest prefix that fits', () => {
    expect(renderWithin(parseMarkdown('abcdefghij'), 'slack', 6).text).toBe('abcde…');
    expect(renderWithin(parseMarkdown('**abcdefghij**'), 'slack', 8).text).toBe('*abcde*…');
  });
});

describe('splitWithin', () => {
  it('splits on block, then line, then character bounds, each chunk within the limit, nothing lost', () => {
    const paragraphs = Array.from({ length: 30 }, (_, i) => `Paragraph ${i} ` + 'word '.repeat(40).trim());
    const source = paragraphs.join('\n\n') + '\n\n' + 'x'.repeat(2500) + '\n\n- ' + Array.from({ length: 50 }, (_, i) => `item ${i} & more`).join('\n- ');
    const chunks = splitWithin(parseMarkdown(source), 'slack', 500);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(500);
    const visible = (s: string): string => s.replace(/\s+/g, '').replace(/&amp;/g, '&').replace(/•/g, '');
    expect(visible(chunks.join(''))).toBe(visible(source.replace(/^- /gm, '')));
  });

  it('keeps list numbering across chunks', () => {
    const list: Block[] = [{ type: 'list', ordered: true, items: Array.from({ length: 40 }, (_, i) => [{ type: 'text', text: `step ${i + 1} ` + 'z'.repeat(40) }]) }];
    const chunks = splitWithin(list, 'slack', 300);
    expect(chunks.length).toBeGreaterThan(5);
    const numbers = chunks.join('\n').split('\n').map((l) => Number(/^(\d+)\. step (\d+)/.exec(l)?.[1]));
    expect(numbers).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('unlinks a link too long to fit in any chunk instead of looping', () => {
    const chunks = splitWithin(parseMarkdown(`[label](https://e.com/${'p'.repeat(400)})`), 'slack', 100);
    expect(chunks).toEqual(['label']);
  });
});

describe('clip', () => {
  it('cuts by UTF-16 length, never inside an emoji', () => {
    expect(clip('short', 10)).toBe('short');
    expect(clip('abcdefghij', 5)).toBe('abcd…');
    const clipped = clip('😀'.repeat(10), 6);
    expect(clipped.length).toBeLessThanOrEqual(6);
    expect(clipped).toBe('😀😀…');
  });
});

describe('partsToMarkdown', () => {
  it('gives every message a non-empty text, buttons and citations included', () => {
    const heading = (s: string): string => `[${s}]`;
    expect(partsToMarkdown([{ kind: 'choices', choices: [{ label: 'A', value: {} }, { label: 'B', value: {} }] }], heading)).toBe('A / B');
    expect(partsToMarkdown([{ kind: 'citation', articleId: 'x', title: 'VPN' }], heading)).toBe('VPN');
    expect(partsToMarkdown([{ kind: 'ticket', state: 'opened', text: 'ok', number: 'HD-1' }, { kind: 'steps', title: 'T', steps: ['a', 'b'] }], heading)).toBe(
      '[opened] (HD-1): ok\n\nT\n1. a\n2. b',
    );
  });
});
