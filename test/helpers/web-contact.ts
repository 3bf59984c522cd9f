import { translator } from '../../src/engine/i18n.js';

/**
 * The web chat's anonymous sessions are unverified: after "Open the ticket" the bot asks for a
 * name, then an e-mail address. Answers those questions when they come, in the reply's language,
 * and returns the reply that follows (the ticket being opened).
 */

const t = translator();
const asks = (reply: unknown, key: string): boolean => {
  const text = JSON.stringify(reply);
  return (['en', 'fr'] as const).some((lang) => text.includes(JSON.stringify(t.t(lang, key)).slice(1, -1)));
};

export async function answerContact<R extends { json: any }>(
  reply: R,
  say: (text: string) => Promise<R>,
  contact: { name: string; email: string } = { name: 'Léa Martin', email: 'lea.martin@example.org' },
): Promise<R> {
  let current = reply;
  if (asks(current.json?.replies, 'dialogue.escalation.contact.ask_name')) current = await say(contact.name);
  if (asks(current.json?.replies, 'dialogue.escalation.contact.ask_email')) current = await say(contact.email);
  return current;
}
