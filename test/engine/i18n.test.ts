import { describe, expect, it } from 'vitest';
import { loadMessages, createTranslator, interpolate } from '../../src/engine/i18n.js';

describe('locales', () => {
  const messages = loadMessages();

  it('English and French define exactly the same keys', () => {
    const en = Object.keys(messages.en).sort();
    const fr = Object.keys(messages.fr).sort();
    expect(en.filter((k) => !fr.includes(k))).toEqual([]);
    expect(fr.filter((k) => !en.includes(k))).toEqual([]);
  });

  it('every string keeps the same placeholders in both languages', () => {
    const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const mismatched = Object.keys(messages.en).filter(
      (k) => JSON.stringify(params(messages.en[k]!)) !== JSON.stringify(params(messages.fr[k] ?? '')),
    );
    expect(mismatched).toEqual([]);
  });

  it('translates with parameters and shows the key when a string is missing', () => {
    const t = createTranslator({ en: { 'a.hello': 'Hello {name}' }, fr: { 'a.hello': 'Bonjour {name}' } });
    expect(t.t('fr', 'a.hello', { name: 'Léa' })).toBe('Bonjour Léa');
    expect(t.t('en', 'a.missing')).toBe('a.missing');
    expect(interpolate('{a}-{b}', { a: 1 })).toBe('1-{b}');
  });
});
