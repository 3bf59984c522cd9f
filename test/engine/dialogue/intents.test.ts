import { describe, expect, it } from 'vitest';
import { classifyIntent, followUp, stripGreeting, ticketNumberIn, yesNo } from '../../../src/engine/dialogue/intents.js';

describe('built-in intents (EN/FR, accents and case ignored)', () => {
  it.each([
    ['Hi!', 'greeting', 'en'],
    ['good morning', 'greeting', 'en'],
    ['Bonjour', 'greeting', 'fr'],
    ['salut le bot', 'greeting', 'fr'],
    ['thanks a lot', 'thanks', 'en'],
    ['Merci beaucoup !', 'thanks', 'fr'],
    ['bye', 'goodbye', undefined],
    ['bonne journée', 'goodbye', 'fr'],
    ['what can you do?', 'help', 'en'],
    ['aide', 'help', 'fr'],
    ['I want to talk to a human', 'human', 'en'],
    ['can I speak to a real person please', 'human', 'en'],
    ['agent', 'human', undefined],
    ['open a ticket', 'human', 'en'],
    ["je voudrais parler à quelqu'un", 'human', 'fr'],
    ['Technicien svp', 'human', 'fr'],
    ['passez-moi un technicien', 'human', 'fr'],
    ['ouvrir un ticket', 'human', 'fr'],
    ['restart', 'restart', 'en'],
    ['cancel', 'restart', 'en'],
    ['Annuler', 'restart', 'fr'],
    ['on recommence', 'restart', 'fr'],
    ['my tickets', 'my_tickets', 'en'],
    ['mes tickets', 'my_tickets', 'fr'],
    ['Ça marche !', 'yes', 'fr'],
    ['that fixed it', 'yes', 'en'],
    ['oui', 'yes', 'fr'],
    ['nope', 'no', 'en'],
    ['ok', 'ack', undefined],
    ["d'accord, je vais essayer", 'ack', 'fr'],
    ['toujours pas', 'no', 'fr'],
  ])('%s → %s', (text, name, lang) => {
    const m = classifyIntent(text);
    expect(m?.name).toBe(name);
    expect(m?.lang).toBe(lang);
  });

  it.each([
    ['status of HD-000123', 'HD-000123'],
    ['HD-000123', 'HD-000123'],
    ['où en est INC0012345 ?', 'INC0012345'],
    ['any news on ITSD-42?', 'ITSD-42'],
    ['suivi du ticket GLPI #1234', 'GLPI #1234'],
  ])('ticket status: %s', (text, number) => {
    expect(classifyIntent(text)).toMatchObject({ name: 'ticket_status', ticketNumber: number });
  });

  it.each([
    'hi, my VPN keeps disconnecting',
    'help my vpn is broken',
    'the VPN agent will not start',
    'my printer says PC-04521 offline',
    'error 0x80070005',
    'PRN-0421',
    'how do I report a phishing email',
    'Outlook keeps asking for my password',
  ])('no built-in intent: %s', (text) => {
    expect(classifyIntent(text)).toBeUndefined();
  });

  it('a greeting in front of a question is dropped', () => {
    expect(stripGreeting('Bonjour, mon imprimante ne marche pas')).toBe('mon imprimante ne marche pas');
    expect(stripGreeting('Hello')).toBe('Hello');
  });

  it('yes/no answers', () => {
    expect(yesNo('yes it worked')).toEqual({ answer: 'yes', lang: 'en' });
    expect(yesNo("non ça n'a pas marché")).toEqual({ answer: 'no', lang: 'fr' });
    expect(yesNo('my printer is broken')).toBeUndefined();
  });

  it('ticket numbers are found inside sentences', () => {
    expect(ticketNumberIn('what about INC0012345 please')).toBe('INC0012345');
    expect(ticketNumberIn('nothing here')).toBeUndefined();
  });
});

describe('follow-ups against the current topic', () => {
  it.each([
    ['still not working', 'still_broken'],
    ['it still doesn’t work after that', 'still_broken'],
    ['même problème', 'still_broken'],
    ['toujours le même souci', 'still_broken'],
    ['and on my Mac?', 'variant'],
    ['what about my phone', 'variant'],
    ['et sur mon téléphone ?', 'variant'],
  ])('%s → %s', (text, kind) => {
    expect(followUp(text)?.kind).toBe(kind);
  });

  it('a long new question is not a follow-up', () => {
    expect(followUp('and also since this morning I cannot open any shared drive on the file server from the office')).toBeUndefined();
    expect(followUp('my printer is jammed')).toBeUndefined();
  });
});
