import { describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../../src/engine/contract.js';
import { citationsOf, feedbackChoices, messageEntity, withAiConventions } from '../../../src/channels/teams/ai-entities.js';

/** What the Teams channel adds to a reply from what the engine says about it (pure functions). */

const answer = (generated: boolean): OutboundMessage => ({
  lang: 'en',
  parts: [
    { kind: 'text', text: 'Open the portal [1].', ...(generated ? { generated: true } : {}) },
    { kind: 'citation', articleId: 'a', title: 'T'.repeat(100), url: 'https://kb.example.com/a', updatedLabel: 'updated 3 months ago', staleWarning: 'Due for review' },
    {
      kind: 'choices',
      prompt: 'Did this solve it?',
      choices: [
        { label: 'Yes', value: { a: 'feedback', v: 'yes', n: 'n1' } },
        { label: 'No', value: { a: 'feedback', v: 'no', n: 'n1' } },
      ],
    },
  ],
});

describe('Teams AI conventions', () => {
  it('one root message entity: the AI label only on model-written text, citations within the documented limits', () => {
    const entity = messageEntity(answer(true))!;
    expect(entity).toMatchObject({ type: 'https://schema.org/Message', '@type': 'Message', '@context': 'https://schema.org', additionalType: ['AIGeneratedContent'] });
    const [c] = citationsOf(answer(true));
    expect(c!.appearance.name.length).toBeLessThanOrEqual(80);
    expect(c!.appearance).toMatchObject({ url: 'https://kb.example.com/a', abstract: 'updated 3 months ago · Due for review', keywords: ['updated 3 months ago'] });
    expect(messageEntity(answer(false))?.additionalType).toBeUndefined();
    expect(messageEntity({ lang: 'en', parts: [{ kind: 'text', text: 'Hello' }] })).toBeUndefined();
  });

  it('feedback buttons only on answers, mapped to the card Yes/No payloads', () => {
    expect(feedbackChoices(answer(false))).toEqual({ yes: { label: 'Yes', payload: { a: 'feedback', v: 'yes', n: 'n1' } }, no: { label: 'No', payload: { a: 'feedback', v: 'no', n: 'n1' } } });
    const plain = { type: 'message', text: 'Hello' };
    expect(withAiConventions(plain, { lang: 'en', parts: [{ kind: 'text', text: 'Hello' }] })).toBe(plain);
    const withEntities = withAiConventions({ type: 'message', entities: [{ type: 'https://schema.org/Message' }, { type: 'mention' }] }, answer(true));
    expect(withEntities.channelData).toEqual({ feedbackLoopEnabled: true });
    // Teams refuses two root message entities: ours replaces any other.
    expect(withEntities.entities!.filter((e) => e.type === 'https://schema.org/Message')).toHaveLength(1);
    expect(withEntities.entities!.some((e) => e.type === 'mention')).toBe(true);
  });
});
