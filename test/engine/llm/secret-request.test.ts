import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadKnowledgeBase } from '../../../src/engine/knowledge/loader.js';
import { articlePassages } from '../../../src/engine/knowledge/passages.js';
import { checkGrounding, unsafeReason, type NumberedPassage } from '../../../src/engine/llm/grounding.js';
import { asksForSecret } from '../../../src/engine/llm/secret-request.js';
import { normalize } from '../../../src/engine/retrieval/text.js';

/** Issue 16 item 6: the article's own "type a new password twice" step is not a request for a secret. */

const kb = loadKnowledgeBase(fileURLToPath(new URL('../../../knowledge', import.meta.url)));
const numbered = (id: string): NumberedPassage[] => articlePassages(kb.byId.get(id)!).map((p, i) => ({ n: i + 1, text: p.text }));

describe('asking for a secret, or telling where it belongs', () => {
  it.each([
    'Go to https://aka.ms/sspr, enter your email, verify with your phone, then type a new password twice [1].',
    'Choose a new password, type it twice and select Finish [1].',
    'Give the portal your new password twice [1].',
    'Enter your work email, then get a verification code sent to your phone and type your new password twice [1].',
    'Entrez le code de vérification reçu par SMS puis tapez deux fois votre nouveau mot de passe [1].',
    'Saisissez deux fois le nouveau mot de passe sur https://aka.ms/sspr et sélectionnez Terminer [1].',
    'Sign in to Outlook with your new password [1].',
    'Never give your password to anyone [4].',
    'Ne donnez jamais votre mot de passe [4].',
  ])('an instruction to use the official portal or sign-in is fine: %s', (sentence) => {
    expect(asksForSecret(normalize(sentence))).toBe(false);
    expect(unsafeReason(sentence)).toBeUndefined();
  });

  it.each([
    'Send me your password [1].',
    'Type your password here so I can check it [1].',
    'Please type your password in this chat [1].',
    'Share your MFA code with the technician [1].',
    'Reply with your PIN [1].',
    'Tell us your password and we will reset it [1].',
    'Email me your password [1].',
    'Envoyez-moi votre mot de passe [1].',
    'Tapez votre mot de passe ici [1].',
    'Donnez votre code de vérification au technicien [1].',
    'Envoyez votre mot de passe au support [4].',
  ])('a real request for a secret is refused: %s', (sentence) => {
    expect(asksForSecret(normalize(sentence))).toBe(true);
    expect(unsafeReason(sentence)).toMatch(/^asks for a secret/);
  });

  it('a grounded paraphrase of the reset portal steps passes the whole check, in English and French', () => {
    const en = numbered('password-forgotten');
    const fr = numbered('password-forgotten-fr');
    const cite = (passages: NumberedPassage[]) => passages.findIndex((p) => /aka\.ms\/sspr/.test(p.text)) + 1;
    const answerEn = `Open https://aka.ms/sspr, enter your work email address, prove it is you with your registered methods, then type a new password twice and select **Finish** [${cite(en)}].`;
    const answerFr = `Ouvrez https://aka.ms/sspr, saisissez votre adresse e-mail professionnelle, prouvez votre identité, puis saisissez deux fois le nouveau mot de passe et sélectionnez **Terminer** [${cite(fr)}].`;
    expect(checkGrounding(answerEn, en, 'en')).toMatchObject({ ok: true });
    expect(checkGrounding(answerFr, fr, 'fr')).toMatchObject({ ok: true });
    expect(checkGrounding(`Type your password here and I will check it [${cite(en)}].`, en, 'en')).toMatchObject({ ok: false, problem: 'unsafe' });
  });
});
