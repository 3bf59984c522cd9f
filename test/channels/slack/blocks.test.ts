import { describe, expect, it } from 'vitest';
import {
  ACTION_ID_PATTERN,
  FEEDBACK_ACTION_ID,
  SLACK_LIMITS,
  renderAnswered,
  renderHandoffMessage,
  renderSlackMessage,
  replaceButtons,
  streamableMessage,
  type SlackBlock,
  type SlackMessage,
} from '../../../src/channels/slack/blocks.js';
import { TAKE_HANDOFF_ACTION } from '../../../src/channels/handoff-summary.js';
import type { OutboundMessage } from '../../../src/engine/contract.js';
import { translator } from '../../../src/engine/i18n.js';
import { LANGS } from '../../../src/engine/lang.js';
import { answerMessage, everyPart, markupEdges, oversized, packet, yesNo } from '../fixtures.js';

type AnyBlock = Record<string, any>;

/** Every documented Block Kit limit this renderer promises to respect, checked on real output. */
function checkLimits(message: SlackMessage): string[] {
  const problems: string[] = [];
  const fail = (what: string): void => void problems.push(what);
  const checkText = (text: unknown, max: number, where: string): void => {
    if (typeof text !== 'string' || !text.trim()) fail(`${where}: empty text`);
    else if (text.length > max) fail(`${where}: ${text.length} > ${max}`);
    else if (/[\ud800-\udbff](?![\udc00-\udfff])/.test(text)) fail(`${where}: lone surrogate`);
  };
  // In mrkdwn, "<" may only open a link and "&" only an entity: anything else was not escaped.
  const checkMrkdwn = (text: string, where: string): void => {
    const stray = text.replace(/<(https?:\/\/|mailto:)[^<>|\s]*\|[^<>]*>/g, '').match(/<|>|&(?!amp;|lt;|gt;)/);
    if (stray) fail(`${where}: unescaped ${stray[0]} in ${JSON.stringify(text.slice(0, 80))}`);
  };
  const checkObject = (o: AnyBlock, max: number, where: string): void => {
    checkText(o.text, max, where);
    if (o.type === 'mrkdwn') checkMrkdwn(o.text, where);
  };

  checkText(message.text, SLACK_LIMITS.fallback, 'fallback text');
  if (message.blocks.length > SLACK_LIMITS.blocks) fail(`${message.blocks.length} blocks`);
  const actionIds = new Set<string>();
  message.blocks.forEach((b: AnyBlock, i) => {
    const where = `block ${i} (${b.type})`;
    switch (b.type) {
      case 'section':
        if (!b.text && !b.fields) fail(`${where}: neither text nor fields`);
        if (b.text) checkObject(b.text, SLACK_LIMITS.text, where);
        if (b.fields && b.fields.length > SLACK_LIMITS.fields) fail(`${where}: ${b.fields.length} fields`);
        (b.fields ?? []).forEach((f: AnyBlock, j: number) => checkObject(f, SLACK_LIMITS.fieldText, `${where} field ${j}`));
        break;
      case 'header':
        if (b.text.type !== 'plain_text') fail(`${where}: header must be plain_text`);
        checkText(b.text.text, SLACK_LIMITS.header, where);
        break;
      case 'context':
        if (!b.elements.length || b.elements.length > SLACK_LIMITS.contextElements) fail(`${where}: ${b.elements.length} elements`);
        b.elements.forEach((e: AnyBlock, j: number) => checkObject(e, SLACK_LIMITS.text, `${where} element ${j}`));
        break;
      case 'actions':
        if (!b.elements.length || b.elements.length > SLACK_LIMITS.actionsElements) fail(`${where}: ${b.elements.length} elements`);
        for (const e of b.elements as AnyBlock[]) {
          if (e.type !== 'button') fail(`${where}: ${e.type}`);
          if (e.text.type !== 'plain_text') fail(`${where}: button text must be plain_text`);
          checkText(e.text.text, SLACK_LIMITS.buttonText, `${where} button`);
          if (e.value.length > SLACK_LIMITS.buttonValue) fail(`${where}: value ${e.value.length}`);
          JSON.parse(e.value);
          if (e.action_id.length > SLACK_LIMITS.actionId || !ACTION_ID_PATTERN.test(e.action_id)) fail(`${where}: action_id ${e.action_id}`);
          if (actionIds.has(e.action_id)) fail(`${where}: duplicate action_id ${e.action_id}`);
          actionIds.add(e.action_id);
          if (e.style && !['primary', 'danger'].includes(e.style)) fail(`${where}: style ${e.style}`);
        }
        break;
      case 'context_actions':
        // Slack: at most 5 elements; feedback_buttons carry plain_text labels and values of at most 2,000 characters.
        if (!b.elements.length || b.elements.length > 5) fail(`${where}: ${b.elements.length} elements`);
        for (const e of b.elements as AnyBlock[]) {
          if (e.type !== 'feedback_buttons' || e.action_id !== FEEDBACK_ACTION_ID) fail(`${where}: ${e.type} ${e.action_id}`);
          for (const button of [e.positive_button, e.negative_button] as AnyBlock[]) {
            if (button?.text?.type !== 'plain_text') fail(`${where}: feedback button text must be plain_text`);
            checkText(button?.text?.text, SLACK_LIMITS.buttonText, `${where} feedback button`);
            if (typeof button?.accessibility_label !== 'string' || button.accessibility_label.length > 75) fail(`${where}: accessibility_label`);
            if (typeof button?.value !== 'string' || button.value.length > SLACK_LIMITS.buttonValue) fail(`${where}: feedback value`);
            else JSON.parse(button.value);
          }
        }
        break;
      default:
        fail(`${where}: unexpected block type`);
    }
  });
  return problems;
}

const blocksOf = (m: SlackMessage, type: string): AnyBlock[] => m.blocks.filter((b) => b.type === type) as AnyBlock[];
const buttons = (m: SlackMessage): AnyBlock[] => blocksOf(m, 'actions').flatMap((b) => b.elements);
const sectionText = (m: SlackMessage): string[] => blocksOf(m, 'section').map((b) => b.text?.text ?? '');

describe('the limit checker itself', () => {
  it('catches what Slack would reject', () => {
    const bad: SlackMessage = {
      text: '',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } },
        { type: 'section', text: { type: 'mrkdwn', text: 'a < b & c' } },
        { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } },
        {
          type: 'actions',
          elements: [
            { type: 'button', action_id: 'helpdesk.action.0', text: { type: 'plain_text', text: 'b'.repeat(76) }, value: '{}' },
            { type: 'button', action_id: 'helpdesk.action.0', text: { type: 'plain_text', text: 'ok' }, value: JSON.stringify({ v: 'x'.repeat(2000) }) },
          ],
        },
        ...Array.from({ length: 47 }, (): SlackBlock => ({ type: 'divider' })),
      ],
    };
    const problems = checkLimits(bad).join('\n');
    for (const expected of ['fallback text: empty', '51 blocks', '3001 > 3000', 'unescaped <', '151 > 150', '76 > 75', 'duplicate action_id', 'value 2008', 'unexpected block type']) {
      expect(problems).toContain(expected);
    }
  });
});

describe.each(LANGS)('Slack rendering (%s)', (lang) => {
  it('renders an answer: section, header, numbered steps, citation context, Yes/No actions', () => {
    const m = renderSlackMessage(answerMessage(lang));
    expect(checkLimits(m)).toEqual([]);
    expect(m.blocks.map((b) => b.type)).toEqual(['section', 'header', 'section', 'context', 'section', 'actions']);
    expect(sectionText(m)[0]).toBe(
      'The VPN needs *GlobalProtect* and your _company_ account. See <https://portal.example.com/vpn?a=1&amp;b=2|the portal>.',
    );
    expect((m.blocks[1] as AnyBlock).text).toEqual({ type: 'plain_text', text: 'Steps', emoji: true });
    expect(sectionText(m)[1]).toBe('1. Open *GlobalProtect*\n2. Enter `vpn.example.com` as the portal\n3. Sign in &amp; approve the MFA prompt');
    const source = lang === 'fr' ? 'Source : ' : 'Source: ';
    expect((m.blocks[3] as AnyBlock).elements.map((e: AnyBlock) => e.text)).toEqual([
      `📄 ${source}<https://kb.example.com/articles/vpn-connect|VPN &lt;cannot&gt; connect> · updated 3 months ago`,
      '⚠️ This article is past its review date.',
    ]);
    const [yes, no] = buttons(m);
    expect(yes).toMatchObject({ action_id: 'helpdesk.action.0', style: 'primary', text: { text: lang === 'fr' ? 'Oui' : 'Yes' } });
    expect(no).toMatchObject({ action_id: 'helpdesk.action.1', text: { text: lang === 'fr' ? 'Non' : 'No' } });
    expect(no).not.toHaveProperty('style');
    expect(JSON.parse(yes!.value)).toEqual({ action: 'feedback', answer: 'yes', articleId: 'vpn-connect' });
    expect(m.text.startsWith('The VPN needs *GlobalProtect*')).toBe(true);
  });

  it('renders every ReplyPart kind and state within the limits', () => {
    for (const message of everyPart(lang)) expect(checkLimits(renderSlackMessage(message))).toEqual([]);
  });

  it('renders tickets with fields and a link, and handoff notices with their heading', () => {
    const opened = everyPart(lang).find((m) => m.parts[0]?.kind === 'ticket' && m.parts[0].state === 'opened')!;
    const [block] = renderSlackMessage(opened).blocks as AnyBlock[];
    expect(block!.text.text).toBe(`*${lang === 'fr' ? 'Ticket ouvert' : 'Ticket opened'}*\nYour ticket is open.`);
    expect(block!.fields.map((f: AnyBlock) => f.text)).toEqual([
      '*Ticket*\n<https://itsm.example.com/HD-000123|HD-000123>',
      `*${lang === 'fr' ? 'État' : 'Status'}*\nNew`,
    ]);
    const relay = everyPart(lang).find((m) => m.parts[0]?.kind === 'handoff' && m.parts[0].state === 'relay')!;
    expect(sectionText(renderSlackMessage(relay))[0]).toBe(
      `*${lang === 'fr' ? 'Message de Alex Martin' : 'Message from Alex Martin'}*\nCan you restart your laptop?`,
    );
  });

  it('splits a 10,000-character text into sections without losing a word', () => {
    const message = oversized(lang).longText!;
    const m = renderSlackMessage(message);
    expect(checkLimits(m)).toEqual([]);
    const sections = sectionText(m);
    expect(sections.length).toBeGreaterThanOrEqual(4);
    const source = (message.parts[0] as { text: string }).text;
    const words = source.match(/lorem\d+/g)!;
    const rendered = sections.join('').match(/lorem\d+/g)!;
    // A word may be split across two sections; joined back it reads the same.
    expect(rendered).toEqual(words);
    expect(m.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallback);
  });

  it('keeps 60 long steps numbered in order across sections, with the citation and buttons', () => {
    const m = renderSlackMessage(oversized(lang).sixtySteps!);
    expect(checkLimits(m)).toEqual([]);
    const numbers = sectionText(m)
      .join('\n')
      .split('\n')
      .map((l) => /^(\d+)\. Step (\d+):/.exec(l))
      .filter((x): x is RegExpExecArray => x !== null)
      .map((x) => [Number(x[1]), Number(x[2])]);
    expect(numbers.map(([n]) => n)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(numbers.every(([n, step]) => n === step)).toBe(true);
    expect(blocksOf(m, 'header')[0]!.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.header);
    expect(blocksOf(m, 'context')).toHaveLength(1);
    expect(buttons(m)).toHaveLength(2);
  });

  it('cuts long labels and spreads 30 buttons over actions blocks of at most 25, ids unique', () => {
    const m = renderSlackMessage(oversized(lang).longLabels!);
    expect(checkLimits(m)).toEqual([]);
    expect(blocksOf(m, 'actions').map((b) => b.elements.length)).toEqual([25, 5]);
    expect(buttons(m).map((b) => b.action_id)).toEqual(Array.from({ length: 30 }, (_, i) => `helpdesk.action.${i}`));
    expect(buttons(m)[0]!.text.text).toMatch(/^Option 0 x+…$/);
  });

  it('keeps buttons and the citation when a message has more than 50 blocks, and says it was shortened', () => {
    const many: OutboundMessage = {
      lang,
      parts: [
        ...Array.from({ length: 60 }, (_, i) => ({ kind: 'text' as const, text: `Paragraph ${i}` })),
        { kind: 'citation', articleId: 'a', title: 'Article' },
        yesNo(lang),
      ],
    };
    const m = renderSlackMessage(many);
    expect(checkLimits(m)).toEqual([]);
    expect(m.blocks).toHaveLength(SLACK_LIMITS.blocks);
    expect(buttons(m)).toHaveLength(2);
    const contexts = blocksOf(m, 'context').map((b) => b.elements[0].text as string);
    expect(contexts).toContain(
      lang === 'fr' ? 'Ce message a été raccourci ; redemandez-moi ou ouvrez l’article pour la suite.' : 'This message was shortened to fit; ask me again or open the article for the rest.',
    );
    expect(contexts.some((t) => t.includes('Article'))).toBe(true);
    expect(sectionText(m)[0]).toBe('Paragraph 0');
  });

  it('stays within the limits for every oversized input (emoji included)', () => {
    for (const message of Object.values(oversized(lang))) expect(checkLimits(renderSlackMessage(message))).toEqual([]);
  });

  it('refuses a button payload over 2,000 characters instead of sending a broken message', () => {
    const message: OutboundMessage = { lang, parts: [{ kind: 'choices', choices: [{ label: 'Big', value: { blob: 'x'.repeat(2000) } }] }] };
    expect(() => renderSlackMessage(message)).toThrow(RangeError);
  });

  it('escapes Slack control characters and leaves unsafe links unlinked', () => {
    const m = renderSlackMessage(markupEdges(lang));
    expect(checkLimits(m)).toEqual([]);
    expect(sectionText(m)[0]).toBe('**unclosed bold and _unclosed italic and `unclosed code and label x snake_case_word 2 * 3 * 4 &amp; &lt;b&gt;');
  });

  it('replaces the buttons with "You answered" after a click, in place, keeping the rest', () => {
    const original = renderSlackMessage(answerMessage(lang));
    // What Slack sends back in the interaction payload: the same blocks with ids and extra fields.
    const echoed = {
      text: original.text,
      blocks: original.blocks.map((b, i) => ({ ...b, block_id: `b${i}` })),
    };
    const updated = renderAnswered(echoed, lang === 'fr' ? 'Oui' : 'Yes', lang);
    expect(checkLimits(updated)).toEqual([]);
    expect(updated.text).toBe(original.text);
    expect(updated.blocks.map((b) => b.type)).toEqual(['section', 'header', 'section', 'context', 'section', 'context']);
    expect((updated.blocks[5] as AnyBlock).elements[0].text).toBe(lang === 'fr' ? '✅ Votre réponse : Oui' : '✅ You answered: Yes');
    expect(updated.blocks.slice(0, 5)).toEqual(echoed.blocks.slice(0, 5));
  });
});

describe('after-click updates', () => {
  it('leaves other apps\' buttons alone, appends the note when there were no buttons, and escapes it', () => {
    const foreign = { type: 'actions', elements: [{ type: 'button', action_id: 'other.thing', text: { type: 'plain_text', text: 'X' } }] };
    const updated = replaceButtons({ blocks: [foreign] }, 'Done <now> & then');
    expect(updated.blocks).toEqual([foreign, { type: 'context', elements: [{ type: 'mrkdwn', text: 'Done &lt;now&gt; &amp; then' }] }]);
    expect(updated.text).toBe('Done <now> & then');
  });

  it('collapses several button rows into one note', () => {
    const original = renderSlackMessage(oversized('en').longLabels!);
    const updated = renderAnswered(original, 'Option 3', 'en');
    expect(blocksOf(updated, 'actions')).toEqual([]);
    expect(blocksOf(updated, 'context')).toHaveLength(1);
  });
});

describe('technicians handoff message', () => {
  it('shows who, language, priority, the literal question, what was tried and the gate, with "Take it"', () => {
    const m = renderHandoffMessage(packet());
    expect(checkLimits(m)).toEqual([]);
    expect((m.blocks[0] as AnyBlock).text.text).toBe('A user needs a technician');
    expect((m.blocks[1] as AnyBlock).fields.map((f: AnyBlock) => f.text)).toEqual([
      '*Who*\nLéa Dupont &lt;lea.dupont@example.com&gt;',
      '*Language*\nFrench',
      '*Priority*\nHigh',
      '*Reason*\ntwo "no" answers in a row',
      '*Category*\nnetwork',
      '*Channel*\nteams',
    ]);
    // plain_text: the user's markup and links are shown, not interpreted.
    const literal = m.blocks.filter((b: AnyBlock) => b.type === 'section' && b.text?.type === 'plain_text').map((b: AnyBlock) => b.text.text);
    expect(literal).toEqual([
      'Mon VPN ne se connecte plus **depuis ce matin** [clic](https://evil.example.com) <script>',
      'Erreur 809 sur le portail',
      'User cannot connect to the VPN since this morning; error 809.',
    ]);
    expect(sectionText(m)).toContain(
      '*What was tried*\n• Article "Le VPN ne se connecte pas" (score 0.62): the user said it did not help\n' +
        '• Article "Wi-Fi" (score 0.41): no answer from the user\n• Guided fix "vpn-cannot-connect": 1 step(s), escalated',
    );
    expect(sectionText(m)).toContain("*Bot's assessment*\nEscalate, confidence 31%: best match 0.31 below 0.55");
    const [take] = buttons(m);
    expect(take).toMatchObject({ action_id: 'helpdesk.action.0', style: 'primary', text: { text: 'Take it' } });
    expect(JSON.parse(take!.value)).toEqual({ action: TAKE_HANDOFF_ACTION, escalationId: packet().id });
  });

  it('says who took it instead of the button, in French, and cuts a 50,000-character question', () => {
    const m = renderHandoffMessage(packet({ question: 'aide '.repeat(10_000) }), { lang: 'fr', takenBy: 'Alex' });
    expect(checkLimits(m)).toEqual([]);
    expect(buttons(m)).toEqual([]);
    expect(blocksOf(m, 'context')[0]!.elements[0].text).toBe('✅ Pris en charge par Alex');
    expect((m.blocks[0] as AnyBlock).text.text).toBe('Un utilisateur a besoin d’un technicien');
  });
});

describe.each(LANGS)('Slack\'s native 👍/👎 and streaming split (%s)', (lang) => {
  // The engine's own "did this solve it?" payloads (src/engine/dialogue/answer.ts).
  const yes = { a: 'feedback', v: 'yes', n: 'n1' };
  const no = { a: 'feedback', v: 'no', n: 'n1' };
  const written: OutboundMessage = {
    lang,
    parts: [
      { kind: 'text', text: 'Disconnect the client and connect again [1].', generated: true },
      { kind: 'text', text: '_Written by an AI assistant._' },
      { kind: 'citation', articleId: 'vpn', title: 'VPN will not connect', url: 'https://kb.example.com/vpn' },
      { kind: 'choices', prompt: 'Did this solve it?', choices: [{ label: 'Yes', value: yes, style: 'primary' }, { label: 'No', value: no }] },
    ],
  };

  it('adds feedback_buttons carrying the Yes and No payloads, within the limits, next to the buttons', () => {
    const m = renderSlackMessage(written);
    expect(checkLimits(m)).toEqual([]);
    const [feedback] = blocksOf(m, 'context_actions');
    const element = feedback!.elements[0];
    expect(JSON.parse(element.positive_button.value)).toEqual(yes);
    expect(JSON.parse(element.negative_button.value)).toEqual(no);
    expect(element.positive_button.accessibility_label).toBe(translator().t(lang, 'channels.feedback.positive'));
    expect(buttons(m).map((b) => JSON.parse(b.value))).toEqual([yes, no]);
    // Other choices (a clarify question) get none.
    expect(blocksOf(renderSlackMessage({ lang, parts: [{ kind: 'choices', choices: [{ label: 'A', value: { a: 'pick', art: 'x', n: 'n2' } }] }] }), 'context_actions')).toEqual([]);
  });

  it('removes the 👍/👎 with the buttons after a click', () => {
    const m = renderSlackMessage(written);
    const after = renderAnswered(m, '👍', lang);
    expect(blocksOf(after, 'context_actions')).toEqual([]);
    expect(blocksOf(after, 'actions')).toEqual([]);
  });

  it('splits a model-written answer into Markdown to stream and the closing blocks; other messages are not streamed', () => {
    const split = streamableMessage(written)!;
    expect(split.markdown).toBe('Disconnect the client and connect again [1].');
    expect(split.closing.map((b) => b.type)).toEqual(['section', 'context', 'section', 'actions', 'context_actions']);
    expect(streamableMessage(answerMessage(lang))).toBeUndefined();
  });
});
