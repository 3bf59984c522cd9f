import { describe, expect, it } from 'vitest';
import * as AC from 'adaptivecards';
import {
  ACTION_VERB,
  ADAPTIVE_CARD_CONTENT_TYPE,
  MAX_ACTIONS_PER_SET,
  MAX_BUTTON_TITLE,
  MAX_CARD_BYTES,
  renderAdaptiveCard,
  renderHandoffCard,
  renderTeamsActivity,
  type AdaptiveCard,
  type CardElement,
} from '../../../src/channels/teams/cards.js';
import { TAKE_HANDOFF_ACTION } from '../../../src/channels/handoff-summary.js';
import { LANGS } from '../../../src/engine/lang.js';
import { answerMessage, everyPart, markupEdges, oversized, packet } from '../fixtures.js';

/**
 * Cards are checked with the `adaptivecards` library itself. Its object model (parse,
 * validateProperties, toJSON) needs no DOM: only `render()` does. A SerializationContext collects
 * parse events (unknown element or action types, unsupported versions, invalid values), and
 * validateProperties() reports semantic problems (too many actions, duplicate ids, empty
 * collections). Finally the parsed card must serialise back to exactly what we produced: the
 * library drops properties it does not know, so a typo such as "isSubtel" or an element property
 * that does not exist in schema 1.5 makes the round trip differ.
 */
function validate(card: AdaptiveCard): { parseEvents: string[]; validationEvents: string[]; roundTrip: unknown } {
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, context);
  const parseEvents = Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i)?.message ?? '?');
  const validationEvents = parsed.validateProperties().validationEvents.map((e) => `${AC.ValidationEvent[e.event]}: ${e.message}`);
  return { parseEvents, validationEvents, roundTrip: parsed.toJSON(context) };
}

function expectValid(card: AdaptiveCard): void {
  expect(card.version).toBe('1.5');
  const { parseEvents, validationEvents, roundTrip } = validate(card);
  expect(parseEvents).toEqual([]);
  expect(validationEvents).toEqual([]);
  expect(roundTrip).toEqual(card);
  expect(Buffer.byteLength(JSON.stringify(card), 'utf8')).toBeLessThanOrEqual(MAX_CARD_BYTES);
}

function walk(el: unknown, visit: (o: CardElement) => void): void {
  if (Array.isArray(el)) el.forEach((e) => walk(e, visit));
  else if (el && typeof el === 'object') {
    const o = el as CardElement;
    if (typeof o.type === 'string') visit(o);
    Object.values(o).forEach((v) => walk(v, visit));
  }
}

function ofType(card: AdaptiveCard, type: string): CardElement[] {
  const found: CardElement[] = [];
  walk(card.body, (o) => o.type === type && found.push(o));
  return found;
}

function cardOf(activity: ReturnType<typeof renderTeamsActivity>): AdaptiveCard {
  const attachment = activity.attachments?.[0];
  expect(attachment?.contentType).toBe(ADAPTIVE_CARD_CONTENT_TYPE);
  return attachment?.content as AdaptiveCard;
}

describe('the validator itself', () => {
  it('rejects what Teams would reject, so passing it means something', () => {
    const bad = {
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.5',
      body: [
        { type: 'TextBlok', text: 'typo in type' },
        { type: 'TextBlock', text: 'typo in property', isSubtel: true },
        { type: 'ActionSet', actions: Array.from({ length: 6 }, (_, i) => ({ type: 'Action.Submit', title: `b${i}` })) },
      ],
    } as unknown as AdaptiveCard;
    const { parseEvents, validationEvents, roundTrip } = validate(bad);
    expect(parseEvents.join()).toMatch(/Unknown element type "TextBlok"/);
    expect(validationEvents.join()).toMatch(/TooManyActions/);
    expect(roundTrip).not.toEqual(bad);
  });
});

describe.each(LANGS)('Teams rendering (%s)', (lang) => {
  it('renders an answer: summary, numbered steps, citation with freshness and stale warning, Yes/No buttons', () => {
    const activity = renderTeamsActivity(answerMessage(lang));
    const card = cardOf(activity);
    expectValid(card);
    expect(activity.summary).toMatch(/^The VPN needs GlobalProtect/);

    const texts = ofType(card, 'TextBlock').map((t) => t.text as string);
    expect(texts[0]).toBe(
      'The VPN needs **GlobalProtect** and your _company_ account. See [the portal](https://portal.example.com/vpn?a=1&b=2).',
    );
    expect(texts).toContain('Steps');
    expect(texts).toContain('1. Open **GlobalProtect**\n2. Enter vpn.example.com as the portal\n3. Sign in & approve the MFA prompt');
    const source = lang === 'fr' ? 'Source : ' : 'Source: ';
    expect(texts).toContain(`${source}[VPN <cannot> connect](https://kb.example.com/articles/vpn-connect) · updated 3 months ago`);
    const warning = ofType(card, 'TextBlock').find((t) => t.color === 'Warning');
    expect(warning?.text).toBe('⚠️ This article is past its review date.');

    const buttons = ofType(card, 'Action.Submit');
    expect(buttons.map((b) => b.title)).toEqual(lang === 'fr' ? ['Oui', 'Non'] : ['Yes', 'No']);
    expect(buttons[0]?.style).toBe('positive');
    // The shape the teams-ai Application's adaptiveCards.actionSubmit('helpdesk.action') selector matches on.
    expect(buttons[0]?.data).toEqual({ verb: ACTION_VERB, payload: { action: 'feedback', answer: 'yes', articleId: 'vpn-connect' }, label: buttons[0]?.title });
  });

  it('renders every ReplyPart kind and state as a valid card', () => {
    for (const message of everyPart(lang)) {
      const activity = renderTeamsActivity(message);
      if (message.parts.every((p) => p.kind === 'text')) {
        expect(activity.attachments).toBeUndefined();
        expect(activity.textFormat).toBe('markdown');
        continue;
      }
      expectValid(cardOf(activity));
    }
  });

  it('renders ticket cards with a FactSet and a link, and handoff headings in the reply language', () => {
    const [opened] = everyPart(lang).filter((m) => m.parts[0]?.kind === 'ticket' && m.parts[0].state === 'opened');
    const card = renderAdaptiveCard(opened!);
    const facts = ofType(card, 'FactSet')[0]?.facts as { title: string; value: string }[];
    expect(facts).toEqual([
      { title: 'Ticket', value: 'HD-000123' },
      { title: lang === 'fr' ? 'État' : 'Status', value: 'New' },
    ]);
    const link = ofType(card, 'Action.OpenUrl')[0];
    expect(link).toMatchObject({ url: 'https://itsm.example.com/HD-000123', title: lang === 'fr' ? 'Voir le ticket' : 'View ticket' });
    expect(ofType(card, 'TextBlock')[0]?.text).toBe(lang === 'fr' ? 'Ticket ouvert' : 'Ticket opened');

    const taken = everyPart(lang).find((m) => m.parts[0]?.kind === 'handoff' && m.parts[0].technician && m.parts[0].state === 'taken')!;
    expect(ofType(renderAdaptiveCard(taken), 'TextBlock')[0]?.text).toBe(
      lang === 'fr' ? 'Alex Martin prend en charge votre demande' : 'Alex Martin is taking care of your request',
    );
  });

  it('sends text-only messages as markdown text, without a card', () => {
    const activity = renderTeamsActivity({ lang, parts: [{ kind: 'text', text: 'Hi **there**\nsecond line' }, { kind: 'text', text: '- a\n- b' }] });
    expect(activity).toEqual({ type: 'message', text: 'Hi **there**\n\nsecond line\n\n- a\n- b', textFormat: 'markdown', locale: lang });
  });

  it.each(Object.keys(oversized('en')))('keeps oversized content (%s) valid and within the Teams size limit', (name) => {
    const message = oversized(lang)[name]!;
    const activity = renderTeamsActivity(message);
    if (!activity.attachments) {
      expect(Buffer.byteLength(activity.text ?? '', 'utf8')).toBeLessThanOrEqual(MAX_CARD_BYTES);
      expect(activity.text!.length).toBeGreaterThan(1000);
      return;
    }
    const card = cardOf(activity);
    expectValid(card);
    for (const set of ofType(card, 'ActionSet')) expect((set.actions as unknown[]).length).toBeLessThanOrEqual(MAX_ACTIONS_PER_SET);
    for (const b of ofType(card, 'Action.Submit')) expect(Array.from(b.title as string).length).toBeLessThanOrEqual(MAX_BUTTON_TITLE);
    // No lone surrogate: truncation never splits an emoji.
    expect(JSON.stringify(card)).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('shrinks long texts before dropping anything, keeps the buttons, and says it shortened the message', () => {
    const card = renderAdaptiveCard(oversized(lang).longTextWithButtons!);
    expect(ofType(card, 'Action.Submit')).toHaveLength(2);
    const texts = ofType(card, 'TextBlock').map((t) => t.text as string);
    expect(texts.filter((t) => t.endsWith('…'))).toHaveLength(3);
    expect(texts.at(-1)).toBe(lang === 'fr' ? 'Ce message a été raccourci ; redemandez-moi ou ouvrez l’article pour la suite.' : 'This message was shortened to fit; ask me again or open the article for the rest.');
  });

  it('keeps 60 steps numbered in order, cutting the list at the end only', () => {
    const card = renderAdaptiveCard(oversized(lang).sixtySteps!);
    const list = ofType(card, 'TextBlock').map((t) => t.text as string).find((t) => t.startsWith('1. Step 1:'))!;
    const numbers = list.split('\n').map((l) => Number(/^(\d+)\. /.exec(l)?.[1]));
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    expect(numbers.length).toBeGreaterThan(10);
  });

  it('drops trailing buttons only when payloads alone exceed the limit', () => {
    const card = renderAdaptiveCard(oversized(lang).bigPayloads!);
    const buttons = ofType(card, 'Action.Submit');
    expect(buttons.length).toBeGreaterThan(5);
    expect(buttons.length).toBeLessThan(20);
    expect(buttons.map((b) => (b.data as { payload: { i: number } }).payload.i)).toEqual(buttons.map((_, i) => i));
  });

  it('leaves text outside the markdown subset literal and unsafe links unlinked', () => {
    const activity = renderTeamsActivity(markupEdges(lang));
    expect(activity.text).toBe('**unclosed bold and _unclosed italic and `unclosed code and label x snake_case_word 2 * 3 * 4 & <b>');
  });
});

describe('technicians handoff card', () => {
  it('shows who, language, priority, question, what was tried and the gate, with a "Take it" button', () => {
    const activity = renderHandoffCard(packet());
    const card = cardOf(activity);
    expectValid(card);
    const facts = Object.fromEntries((ofType(card, 'FactSet')[0]?.facts as { title: string; value: string }[]).map((f) => [f.title, f.value]));
    expect(facts).toEqual({
      Who: 'Léa Dupont <lea.dupont@example.com>',
      Language: 'French',
      Priority: 'High',
      Reason: 'two "no" answers in a row',
      Category: 'network',
      Channel: 'teams',
    });
    expect(ofType(card, 'TextBlock')[0]).toMatchObject({ text: 'A user needs a technician', color: 'Attention' });
    // What the user typed is shown literally: TextRuns are not parsed as markdown.
    const runs = ofType(card, 'TextRun').map((r) => r.text);
    expect(runs).toContain('Mon VPN ne se connecte plus **depuis ce matin** [clic](https://evil.example.com) <script>');
    expect(runs).toContain('Erreur 809 sur le portail');
    expect(runs).toContain('Escalate, confidence 31%: best match 0.31 below 0.55');
    const tried = ofType(card, 'TextBlock').map((t) => t.text as string).find((t) => t.startsWith('- '));
    expect(tried).toBe(
      '- Article "Le VPN ne se connecte pas" (score 0.62): the user said it did not help\n' +
        '- Article "Wi-Fi" (score 0.41): no answer from the user\n' +
        '- Guided fix "vpn-cannot-connect": 1 step(s), escalated',
    );
    const take = ofType(card, 'Action.Submit');
    expect(take).toHaveLength(1);
    expect(take[0]).toMatchObject({
      title: 'Take it',
      style: 'positive',
      data: { verb: ACTION_VERB, payload: { action: TAKE_HANDOFF_ACTION, escalationId: packet().id } },
    });
  });

  it('renders in the technicians\' language, and without the button once taken', () => {
    const card = cardOf(renderHandoffCard(packet({ priority: 'low' }), { lang: 'fr', takenBy: 'Alex' }));
    expectValid(card);
    expect(ofType(card, 'Action.Submit')).toEqual([]);
    expect(ofType(card, 'TextBlock').map((t) => t.text)).toContain('Pris en charge par Alex');
    expect(ofType(card, 'TextBlock')[0]).not.toHaveProperty('color');
  });

  it('fits a 50,000-character question and handles a packet with nothing tried', () => {
    const card = cardOf(
      renderHandoffCard(packet({ question: 'help '.repeat(10_000), articlesShown: [], flow: undefined, gate: undefined, userDetails: undefined, summary: undefined, category: undefined })),
    );
    expectValid(card);
    expect(ofType(card, 'TextBlock').map((t) => t.text)).toContain('- No article or guided fix was tried.');
  });
});
