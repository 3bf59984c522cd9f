import { describe, expect, it } from 'vitest';
import { ibanValid, looksLikePassword, luhnValid, onlySecrets, redact } from '../../src/engine/redact.js';

describe('redact: secrets are removed', () => {
  it.each([
    ['my password is Summer2024!', 'my password is [REDACTED:password]'],
    ['My password is: hunter2', 'My password is: [REDACTED:password]'],
    ['the password is "correct horse battery"', 'the password is [REDACTED:password]'],
    ['password: Tr0ub4dor&3 please check', 'password: [REDACTED:password] please check'],
    ['pwd=azerty', 'pwd=[REDACTED:password]'],
    ['mon mot de passe est Soleil!2024', 'mon mot de passe est [REDACTED:password]'],
    ["mon mot de passe c'est bonjour", "mon mot de passe c'est [REDACTED:password]"],
    ['mdp: azerty123', 'mdp: [REDACTED:password]'],
    ['mdp : Chaton75', 'mdp : [REDACTED:password]'],
    ["le mdp c'est Bonjour75", "le mdp c'est [REDACTED:password]"],
    ['mon nouveau mot de passe est Printemps#26', 'mon nouveau mot de passe est [REDACTED:password]'],
  ])('password phrase: %s', (input, expected) => {
    const r = redact(input);
    expect(r.text).toBe(expected);
    expect(r.passwordLike).toBe(true);
    expect(r.found).toContain('password');
  });

  it.each([['Summer2024!'], ['P@ssw0rd'], ['"Azerty123!"'], ['iLoveParis75']])('a password-shaped message on its own: %s', (input) => {
    const r = redact(input);
    expect(r.text).toBe('[REDACTED:password]');
    expect(r.passwordLike).toBe(true);
    expect(onlySecrets(r.text)).toBe(true);
  });

  it.each([
    ['key AKIAIOSFODNN7EXAMPLE in the script', 'aws_key'],
    ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'aws_key'],
    ['token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 leaked', 'github_token'],
    ['github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz', 'github_token'],
    ['xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx', 'slack_token'],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'jwt'],
    ['Authorization: Bearer abcdefghijklmnop1234567890', 'bearer_token'],
    ['api_key: 9f8e7d6c5b4a39281706', 'api_key'],
    ['client_secret=Xy7~Qz_8aBcDeFgHiJ', 'api_key'],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----', 'private_key'],
    ['my card 4111 1111 1111 1111 was charged', 'card_number'],
    ['carte 5500-0000-0000-0004', 'card_number'],
    ['IBAN FR76 3000 6000 0112 3456 7890 189 pour le remboursement', 'iban'],
    ['GB82WEST12345698765432', 'iban'],
  ])('%s → %s', (input, kind) => {
    const r = redact(input);
    expect(r.found).toContain(kind);
    expect(r.text).toContain(`[REDACTED:${kind}]`);
    expect(r.passwordLike).toBe(false);
  });

  it('keeps the rest of the sentence', () => {
    const r = redact('Outlook refuses it, my password is Hiver2026! since Monday');
    expect(r.text).toBe('Outlook refuses it, my password is [REDACTED:password] since Monday');
  });
});

describe('redact: ordinary text is left alone', () => {
  it.each([
    'my password is expired',
    "my password isn't working",
    'my password is not accepted on the VPN',
    'my password was reset yesterday',
    'mon mot de passe est expiré',
    'mon mot de passe est bloqué depuis ce matin',
    'I forgot my password',
    'mot de passe oublié',
    'status of HD-000123',
    'INC0012345',
    'ITSD-42',
    'PC-04521',
    'PRN-0421',
    'SRV-PAR-0042',
    'error 0x80070005 when updating',
    'AADSTS50126',
    'VPN error 809',
    'call me on +33 6 12 34 56 78',
    'order 1234 5678 9012 3456',
    'my laptop is slow since the update',
    'jean.dupont@example.com',
    'https://aka.ms/sspr',
    'Bonjour',
    'Teams',
    'the token expired',
    'FR76 is my department code',
  ])('%s', (input) => {
    const r = redact(input);
    expect(r.text).toBe(input);
    expect(r.found).toEqual([]);
    expect(r.passwordLike).toBe(false);
  });
});

describe('checksums and shapes', () => {
  it('Luhn', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
  });
  it('IBAN mod-97', () => {
    expect(ibanValid('FR7630006000011234567890189')).toBe(true);
    expect(ibanValid('FR7630006000011234567890188')).toBe(false);
  });
  it('password shape', () => {
    expect(looksLikePassword('Summer2024!')).toBe(true);
    expect(looksLikePassword('summer')).toBe(false);
    expect(looksLikePassword('HD-000123')).toBe(false);
    expect(looksLikePassword('0x80070005')).toBe(false);
  });
});
