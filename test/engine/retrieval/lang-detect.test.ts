import { describe, expect, it } from 'vitest';
import { createLanguageDetector } from '../../../src/engine/retrieval/lang-detect.js';

describe('language detection', () => {
  const detect = createLanguageDetector({ fr: new Set(['lent', 'imprimante', 'ecran']), en: new Set(['slow', 'printer', 'screen']) });

  it('detects full sentences', () => {
    expect(detect('I forgot my password and cannot sign in')).toBe('en');
    expect(detect("J'ai oublié mon mot de passe et je ne peux plus me connecter")).toBe('fr');
  });

  it('holds up on short messages without accents', () => {
    expect(detect('mdp oublie')).toBe('fr');
    expect(detect('pc lent')).toBe('fr');
    expect(detect('mon imprimante marche pas')).toBe('fr');
    expect(detect('my pc is slow')).toBe('en');
    expect(detect('printer offline')).toBe('en');
  });

  it('treats franglais as French', () => {
    expect(detect('mon outlook crash au demarrage')).toBe('fr');
  });

  it('falls back to the given language when nothing decides', () => {
    expect(detect('', 'fr')).toBe('fr');
    expect(detect('', 'en')).toBe('en');
  });
});
