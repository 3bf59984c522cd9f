import { describe, expect, it } from 'vitest';
import { isPhone, redactForModel } from '../../../src/engine/llm/privacy.js';

describe('redaction before anything reaches a language model', () => {
  it('removes secrets with the engine redaction, then e-mail addresses and phone numbers', () => {
    const r = redactForModel('my password is Summer2024! — write to ana.martin@contoso.com or call +33 6 12 34 56 78');
    expect(r.text).toBe('my password is [REDACTED:password] — write to [EMAIL] or call [PHONE]');
    expect(r.secrets).toEqual(['password']);
    expect(r.personal).toEqual(['email', 'phone']);
  });

  it.each([
    ['+33 1 23 45 67 89'],
    ['01 23 45 67 89'],
    ['06.12.34.56.78'],
    ['(555) 123-4567'],
    ['+1 555-123-4567'],
    ['+44 20 7946 0958'],
    ['0033612345678'],
  ])('phone number %s', (phone) => {
    expect(redactForModel(`call me on ${phone} please`).text).toBe('call me on [PHONE] please');
  });

  it.each([
    ['error 0x80070005 when installing'],
    ['ticket HD-000123 is still open'],
    ['version 16.0.17328.20142 of Outlook'],
    ['the printer is at 10.12.140.200'],
    ['since 2026-10-27 it fails'],
    ['asset tag PC-04521'],
    ['KB5034441 failed'],
    ['error 809 on the VPN'],
  ])('keeps ordinary numbers: %s', (text) => {
    expect(redactForModel(text).text).toBe(text);
  });

  it.each([['16.0.17328.20142'], ['10.12.140.200'], ['2026-10-27'], ['12345678']])('not a phone number: %s', (candidate) => {
    expect(isPhone(candidate)).toBe(false);
  });

  it("removes the user's name, full or in parts, but not the same word used as a verb", () => {
    const names = ['Will Turner'];
    expect(redactForModel('Hi, this is Will Turner from finance', { names }).text).toBe('Hi, this is [NAME] from finance');
    expect(redactForModel('Will here: the VPN will not connect, TURNER', { names }).text).toBe('[NAME] here: the VPN will not connect, [NAME]');
    expect(redactForModel('will turner is my login', { names }).text).toBe('[NAME] is my login');
  });

  it('names with accents and short parts', () => {
    expect(redactForModel('Bonjour, Hélène Lê ici', { names: ['Hélène Lê'] }).text).toBe('Bonjour, [NAME] ici');
    expect(redactForModel('Hélène ici', { names: ['Hélène Lê'] }).text).toBe('[NAME] ici');
  });
});
