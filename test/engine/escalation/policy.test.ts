import { describe, expect, it } from 'vitest';
import { detectFrustration, detectSensitive } from '../../../src/engine/escalation/policy.js';

describe('sensitive topics go straight to a human, with priority', () => {
  it.each([
    ['I clicked on a link in a phishing email', 'phishing_clicked', 'high'],
    ["j'ai cliqué sur un lien dans un mail suspect", 'phishing_clicked', 'high'],
    ['I opened the attachment of a weird email', 'phishing_clicked', 'high'],
    ['I entered my password on a fake Microsoft page', 'credentials_phished', 'critical'],
    ["j'ai saisi mon mot de passe sur un faux site", 'credentials_phished', 'critical'],
    ['my laptop was stolen', 'lost_device', 'high'],
    ["on m'a volé mon ordinateur dans le train", 'lost_device', 'high'],
    ['I lost my work phone', 'lost_device', 'high'],
    ["j'ai perdu mon téléphone", 'lost_device', 'high'],
    ['all my files are gone', 'data_loss', 'high'],
    ["j'ai perdu tous mes fichiers", 'data_loss', 'high'],
    ['there is a ransomware message on my screen', 'ransomware', 'critical'],
    ['mes fichiers sont chiffrés', 'ransomware', 'critical'],
    ['I think I have a virus', 'malware', 'high'],
    ['mon pc est infecté', 'malware', 'high'],
    ['nobody in the office can connect to the internet', 'outage', 'critical'],
    ['personne ne peut se connecter au wifi', 'outage', 'critical'],
    ["tout le monde n'a plus internet à l'étage", 'outage', 'critical'],
    ['my account was hacked', 'security_incident', 'critical'],
    ['mon compte a été piraté', 'security_incident', 'critical'],
    ["I keep getting MFA requests I didn't make", 'mfa_fatigue', 'critical'],
  ])('%s → %s (%s)', (text, kind, priority) => {
    expect(detectSensitive(text)).toMatchObject({ kind, priority });
  });

  it.each([
    'I received a phishing email, how do I report it?',
    'I got a suspicious email but I did not click',
    "j'ai reçu un mail suspect, je n'ai pas cliqué",
    'I left my laptop at home',
    'I deleted a file by mistake',
    'my antivirus is out of date',
    'how do I reset my password',
    'my phone was replaced, how do I move Authenticator',
    'I had my laptop replaced last week',
    'everyone can’t hear me in Teams',
    'vpn error 809',
  ])('not sensitive: %s', (text) => {
    expect(detectSensitive(text)).toBeUndefined();
  });
});

describe('frustration', () => {
  it.each([
    ['this is useless', 'words'],
    ["c'est nul ce bot", 'words'],
    ["j'en ai marre", 'words'],
    ['why!!!', 'words'],
    ['THE VPN IS NOT WORKING AGAIN', 'caps'],
  ])('%s → %s', (text, signal) => {
    expect(detectFrustration(text)).toBe(signal);
  });

  it('the same question asked again', () => {
    expect(detectFrustration('I cannot connect to the VPN', ['i cannot connect to the vpn!'])).toBe('repeat');
    expect(detectFrustration('I cannot connect to the VPN', ['my printer is jammed'])).toBeUndefined();
  });

  it.each(['VPN error 809', 'HP LJ M404 OFFLINE', 'my Outlook keeps asking for my password', 'nulle part dans le menu'])('calm: %s', (text) => {
    expect(detectFrustration(text)).toBeUndefined();
  });
});
