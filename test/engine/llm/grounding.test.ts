import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadKnowledgeBase } from '../../../src/engine/knowledge/loader.js';
import { articlePassages } from '../../../src/engine/knowledge/passages.js';
import { interpretAnswer, prepareAnswer } from '../../../src/engine/llm/answer.js';
import {
  checkGrounding,
  citationsIn,
  normalizeCitations,
  splitSentences,
  unsafeReason,
  type NumberedPassage,
} from '../../../src/engine/llm/grounding.js';

const kb = loadKnowledgeBase(fileURLToPath(new URL('../../fixtures/kb-llm', import.meta.url)));
const numbered = (id: string): NumberedPassage[] => articlePassages(kb.byId.get(id)!).map((p, i) => ({ n: i + 1, text: p.text }));
const vpn = numbered('vpn-cannot-connect');
const vpnFr = numbered('vpn-cannot-connect-fr');

describe('citations', () => {
  it('grouped forms become single markers; redaction markers are not citations', () => {
    expect(normalizeCitations('Do this [1, 2] and that [2-4] [REDACTED:password] [EMAIL]')).toBe('Do this [1][2] and that [2][3][4] [REDACTED:password] [EMAIL]');
    expect(citationsIn('a [1][3] b [2]')).toEqual([1, 3, 2]);
  });

  it('sentences keep their trailing citation and know their line', () => {
    expect(splitSentences('Let us fix it. [1]\n- Restart the app [2]. Then sign in. [2]\n- Done.')).toEqual([
      { text: 'Let us fix it. [1]', block: 0 },
      { text: 'Restart the app [2].', block: 1 },
      { text: 'Then sign in. [2]', block: 1 },
      { text: 'Done.', block: 2 },
    ]);
  });
});

describe('grounding check', () => {
  it('accepts a faithful paraphrase with citations', () => {
    const answer = [
      "Let's get your VPN connected again [1].",
      '- First check that the internet works without the VPN by opening a public website [2].',
      '- Disconnect the client, wait about ten seconds, then connect again [2].',
      "- If you get error 809, try another network such as your phone's hotspot [2].",
    ].join('\n');
    expect(checkGrounding(answer, vpn, 'en')).toEqual({ ok: true, cited: [1, 2] });
  });

  it('accepts a French paraphrase of the French article', () => {
    const answer = [
      'Voici comment reconnecter votre VPN [2].',
      "- Vérifiez qu'internet fonctionne sans le VPN en ouvrant un site public [2].",
      '- Déconnectez le client, attendez dix secondes puis reconnectez-vous [2].',
      "- Sur macOS, si une extension réseau est bloquée, autorisez le client VPN dans **Réglages Système** [3].",
    ].join('\n');
    expect(checkGrounding(answer, vpnFr, 'fr').ok).toBe(true);
  });

  it('rejects a citation to a passage that was not shown', () => {
    const r = checkGrounding('Restart the laptop [7].', vpn, 'en');
    expect(r).toMatchObject({ ok: false, problem: 'invalid_citation' });
  });

  it('rejects an answer without any citation', () => {
    expect(checkGrounding('Disconnect the client and connect again.', vpn, 'en')).toMatchObject({ ok: false, problem: 'uncited' });
  });

  it('rejects a sentence its cited passage does not support (an invented fix)', () => {
    const r = checkGrounding('Disconnect the client [2].\n- Flush the DNS cache with ipconfig /flushdns and reset Winsock [2].', vpn, 'en');
    expect(r).toMatchObject({ ok: false, problem: 'unsupported' });
    if (!r.ok) expect(r.detail).toMatch(/flush/);
  });

  it('a true statement cited to the wrong passage is unsupported', () => {
    expect(checkGrounding('If macOS blocked a network extension, allow the VPN client in System Settings [4].', vpn, 'en')).toMatchObject({
      ok: false,
      problem: 'unsupported',
    });
  });

  it('numbers, codes and links must be copied, not made up', () => {
    expect(checkGrounding('If you see error 812, try another network [2].', vpn, 'en')).toMatchObject({ ok: false, problem: 'unsupported' });
    expect(checkGrounding('Update the client from https://portal.example.com [2].', vpn, 'en')).toMatchObject({ ok: false, problem: 'unsupported' });
  });

  it.each([
    ['Please send your password to the help desk so they can check [4].'],
    ['Envoyez votre mot de passe au support [4].'],
    ['I have opened a ticket for you [4].'],
    ['Your ticket has been closed [4].'],
    ["I've marked this as resolved [4]."],
    ["J'ai ouvert un ticket pour vous [4]."],
    ['Le problème est résolu [4].'],
  ])('rejects unsafe content even when the words are in the passage: %s', (sentence) => {
    expect(unsafeReason(sentence)).toBeDefined();
  });

  it.each([
    ['Never give your password to anyone [4].'],
    ['Do not share your password [4].'],
    ['Ne donnez jamais votre mot de passe [4].'],
    ['Sign in with your work email address [2].'],
    ['Ask the bot to open a ticket with the exact message [4].'],
  ])('keeps safe advice: %s', (sentence) => {
    expect(unsafeReason(sentence)).toBeUndefined();
  });
});

describe('interpreting a reply', () => {
  it('keeps the reply within the channel Markdown subset and renumbers citations per article', () => {
    const prepared = prepareAnswer(
      { question: 'vpn will not connect', lang: 'en', articles: [{ id: 'vpn-cannot-connect', passages: articlePassages(kb.byId.get('vpn-cannot-connect')!) }] },
      { inputTokens: 3000 },
    );
    const out = interpretAnswer('### VPN will not connect [1]\n1. Disconnect the client, wait ten seconds and connect again [2][2].\n2) Update the VPN client from the **Company Portal** app [2, 3].', prepared);
    expect(out).toEqual({
      ok: true,
      articleIds: ['vpn-cannot-connect'],
      text: '**VPN will not connect [1]**\n- Disconnect the client, wait ten seconds and connect again [1].\n- Update the VPN client from the **Company Portal** app [1].',
    });
  });
});
