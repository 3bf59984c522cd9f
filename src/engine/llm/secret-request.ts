/**
 * Does a sentence (already normalised: lower case, no accents) ask the user to hand over a secret?
 * "Send me your password", "type your password here", "share your MFA code with the technician" do;
 * "type a new password twice in the reset portal" (the article's own step), "sign in with your
 * password" or "never share your password" do not. Telling someone to enter a password where it
 * belongs (the official portal, a sign-in page) is not asking for it in the chat.
 */

const SECRET = /\b(?:password|passwords|passcode|passphrase|pin|mfa code|one-time code|verification code|security code|mot de passe|mots de passe|mdp|code pin|code de verification|code a usage unique|code de securite)\b/;

/** Giving something to someone: suspect unless the clause names where the secret belongs. */
const HANDOVER =
  /\b(?:send|sends|give|tell|share|reply with|respond with|post|forward|e-?mail (?:me|us|it|them)|envoy\w*|donn\w*|communiqu\w*|transm\w*|partag\w*|dites|indiquez-?(?:moi|nous))\b/;
/** Writing something: only suspect when the clause points at this chat. */
const WRITE = /\b(?:type|enter|paste|write|put|tap\w*|saisi\w*|entr\w*|ecri\w*|coll\w*|indiqu\w*)\b/;

/** The chat, the bot or a person as the destination. */
const CHAT_DESTINATION =
  /\b(?:here|below|in (?:this|the) (?:chat|conversation|message|thread|window here)|to (?:me|us|the bot|the chat|the technician|a technician|the help ?desk|the service desk|support|it support|someone)|with (?:me|us|the bot|the technician|a technician|support|someone)|by chat|ici|ci-dessous|dans (?:ce|le|cette) (?:chat|conversation|message|fil)|-moi|-nous|au (?:bot|technicien|support|service desk)|a un technicien|par chat)\b|\b(?:send|give|tell|email|e-mail) (?:me|us)\b/;

/** Where a password is meant to be typed: the official reset portal, a sign-in page, the app. */
const OFFICIAL_DESTINATION =
  /\bhttps?:\/\/|\b(?:portal|sign-?in (?:page|screen|window|box|prompt)|login (?:page|screen|window)|website|web page|the page|the site|the screen|the box|the field|the app|the prompt|dialog|window|portail|page de connexion|ecran|fenetre|champ|application|l'appli|le site|la page|invite)\b/;

/** "never send…", "do not share…", "ne donnez jamais…", just before the verb. */
const NEGATED = /\b(?:never|not|don't|dont|no one|nobody|jamais|ne|n')\s*$/;

/** Clauses of a sentence: a request and an unrelated step separated by a comma are judged apart. */
const CLAUSE_BREAK = /[,;:()]|\b(?:then|and then|after that|puis|ensuite|et enfin)\b/;

export function asksForSecret(normalized: string): boolean {
  for (const clause of normalized.split(CLAUSE_BREAK)) {
    if (!SECRET.test(clause)) continue;
    const handover = HANDOVER.exec(clause);
    const write = WRITE.exec(clause);
    const verb = handover ?? write;
    if (!verb) continue;
    if (NEGATED.test(clause.slice(Math.max(0, verb.index - 12), verb.index).trimEnd())) continue;
    const toChat = CHAT_DESTINATION.test(clause);
    if (toChat) return true;
    // Handing a secret over with no stated destination is a request; naming the portal makes it the article's step.
    if (handover && !OFFICIAL_DESTINATION.test(normalized)) return true;
  }
  return false;
}
