import { describe, expect, it } from 'vitest';
import { analyze, contentTokens, foldAccents, stem, tokenize } from '../../../src/engine/retrieval/text.js';

describe('text processing', () => {
  it('folds accents and ligatures', () => {
    expect(foldAccents('Réinitialiser le cœur de l’écran Ça')).toBe('Reinitialiser le coeur de l’ecran Ca');
  });

  it('keeps error codes whole and splits French elisions', () => {
    expect(tokenize("Erreur 0x80070005 et AADSTS50076 sur l'imprimante, code 809")).toEqual([
      'erreur', '0x80070005', 'et', 'aadsts50076', 'sur', 'imprimante', 'code', '809',
    ]);
    expect(tokenize('n’imprime plus')).toEqual(['imprime', 'plus']);
  });

  it('joins short-prefixed hyphenations and splits the others', () => {
    expect(tokenize('Wi-Fi e-mail multi-factor')).toEqual(['wifi', 'email', 'multi', 'factor']);
  });

  it('drops stop words of both languages, filler and small numbers, but keeps "son" (sound)', () => {
    expect(contentTokens('Hello, my printer is not working since 2 days, merci')).toEqual(['printer', 'working']);
    expect(contentTokens("j'ai plus de son sur le pc depuis 5 min")).toEqual(['son', 'pc']);
    expect(contentTokens('error 809 on Windows 11')).toEqual(['error', '809', 'windows']);
  });

  it('stems per language and leaves codes alone', () => {
    expect(stem('printing', 'en')).toBe('print');
    expect(stem('imprimante', 'fr')).toBe(stem('imprimantes', 'fr'));
    expect(stem('réinitialiser', 'fr')).toBe(stem('reinitialiser', 'fr'));
    expect(stem('0x80070005', 'fr')).toBe('0x80070005');
    expect(analyze('Mots de passe oubliés', 'fr')).toEqual(analyze('mot de passe oublie', 'fr'));
  });
});
