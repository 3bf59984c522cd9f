import type { Lang } from '../lang.js';
import { fold, matchAny, words } from './text.js';

/**
 * Built-in intents, recognised before retrieval with small readable pattern sets per language.
 * Patterns run on folded text (lower case, no accents, no punctuation), so "Ça marche !" and
 * "ca marche" are the same. Conversational intents (greeting, thanks, yes...) must be the whole
 * message; requests for a human and ticket lookups may appear inside a longer sentence.
 */
export type IntentName =
  | 'restart'
  | 'human'
  | 'my_tickets'
  | 'ticket_status'
  | 'greeting'
  | 'thanks'
  | 'goodbye'
  | 'help'
  | 'ack'
  | 'yes'
  | 'no';

export interface IntentMatch {
  name: IntentName;
  /** Set when only one language's patterns matched ("merci" is French, "ok" is both). */
  lang?: Lang;
  /** For ticket_status: the ticket number as typed, upper-cased. */
  ticketNumber?: string;
}

type PatternSet = Record<Lang, RegExp[]>;

const POLITE_EN = "(?: please| pls| plz| thanks| thank you| mate| bot| team)*";
const POLITE_FR = "(?: svp| stp| s'il vous plait| s'il te plait| merci| le bot| l'equipe)*";
const whole = (body: string, polite: string) => new RegExp(`^(?:${body})${polite}$`);

const RESTART: PatternSet = {
  en: [whole('restart|start over|start again|cancel|stop|never ?mind|forget it|new question|quit|exit|abort|let\'s start over', POLITE_EN)],
  fr: [whole('recommencer|on recommence|recommence|annuler|annule|stop|laisse tomber|oublie|oublie ca|nouvelle question|reprendre a zero|on reprend a zero', POLITE_FR)],
};

const HUMAN: PatternSet = {
  en: [
    /\b(?:talk|speak|chat) (?:to|with) (?:a |an |some |the )?(?:real |actual |live )?(?:human|person|someone|somebody|agent|technician|tech|operator|support|it support|service desk|helpdesk|help desk)\b/,
    /\b(?:real|actual|live) (?:person|human|agent)\b/,
    /\b(?:get|need|want|give me) (?:a |an |to a |the )?(?:human|technician|agent|tech|operator)\b/,
    /\b(?:open|create|raise|log|file|submit) (?:a |an )?(?:ticket|incident|support request)\b/,
    whole('human|agent|technician|operator|representative|live agent|service desk|helpdesk', POLITE_EN),
  ],
  fr: [
    /\bparler (?:a|avec) (?:quelqu'un|qqn|un humain|une personne|un technicien|une technicienne|un tech|un agent|un conseiller|une conseillere|le support|le service desk|le helpdesk|une vraie personne|un vrai humain)\b/,
    /\b(?:un vrai humain|une vraie personne)\b/,
    /\b(?:je veux|je voudrais|j'aimerais|besoin d'|il me faut) ?(?:un|une) (?:technicien|technicienne|humain|personne|agent|conseiller)\b/,
    /\bpassez?[ -]moi (?:un|une) (?:technicien|technicienne|humain|personne|agent|conseiller)\b/,
    /\b(?:ouvrir|creer|faire|ouvrez|creez) (?:un|une) (?:ticket|incident|demande d'assistance)\b/,
    whole('technicien|technicienne|humain|agent|conseiller|support', POLITE_FR),
  ],
};

const MY_TICKETS: PatternSet = {
  en: [/\b(?:my|all my) (?:open |recent )?(?:tickets|requests|incidents|cases)\b/, /\bmy ticket status\b/],
  fr: [/\bmes (?:tickets|demandes|incidents)\b/, /\bmes tickets en cours\b/],
};

const STATUS_CONTEXT: PatternSet = {
  en: [/\b(?:status|where is|where's|update on|updates on|news on|progress|what about|check|any news|state of)\b/],
  fr: [/\b(?:statut|ou en est|suivi|avancement|des nouvelles|etat|ou en sont|quid)\b/],
};

const GREETING: PatternSet = {
  en: [whole("hi|hello|hey|hiya|heya|howdy|yo|good morning|good afternoon|good evening|morning|hi there|hello there|hey there", "(?: there| bot| team| all| everyone)?")],
  fr: [whole('bonjour|bonsoir|salut|coucou|hello|bjr|slt|re|rebonjour', "(?: a tous| le bot| l'equipe| tout le monde)?")],
};

const THANKS: PatternSet = {
  en: [whole('thanks?(?: you)?(?: so much| very much| a lot)?|thx|ty|cheers|many thanks|thanks a million|great thanks|perfect thanks|ok thanks|okay thanks|awesome thanks', '(?: a lot| again| for your help| for the help)?')],
  fr: [whole('merci(?: beaucoup| bien| bcp| mille fois)?|super merci|parfait merci|ok merci|top merci|merci pour ton aide|merci pour votre aide|mille mercis', '(?: encore| pour (?:ton|votre) aide)?')],
};

const GOODBYE: PatternSet = {
  en: [whole("bye|goodbye|bye bye|see you|see ya|cya|have a good day|have a nice day|have a good one|that's all|that is all|nothing else|i'm done|im done|all done", POLITE_EN)],
  fr: [whole("au revoir|bye|a plus|a\\+|a bientot|bonne journee|bonne soiree|ciao|c'est tout|rien d'autre|ce sera tout|j'ai fini", POLITE_FR)],
};

const HELP: PatternSet = {
  en: [whole('help|help me|\\?|what can you do|what do you do|how does this work|what are you|who are you|menu|options|commands', POLITE_EN)],
  fr: [whole("aide|aidez moi|aide moi|a l'aide|que sais tu faire|que peux tu faire|tu sais faire quoi|tu fais quoi|comment ca marche|qui es tu|menu", POLITE_FR)],
};

/** Acknowledgements: "ok", "d'accord", "let me try". */
const ACK: PatternSet = {
  en: [whole("(?:(?:ok|okay|alright) )?(?:let me try|i'll try|i'll try that|trying now|will do)|ok|okay|k|kk|ok cool|cool|alright|got it|noted|i see|understood", POLITE_EN)],
  fr: [whole("(?:(?:ok|okay|d'accord|dac) )?(?:je vais essayer|j'essaie|je teste|je regarde)|ok|okay|d'accord|dac|ok d'accord|entendu|compris|je vois|bien recu|note", POLITE_FR)],
};

const YES: PatternSet = {
  en: [
    whole(
      "yes|yep|yeah|yup|y|sure|of course|absolutely|correct|it did|it worked|that worked|that fixed it|fixed|solved|works now|it works|it works now|all good|all sorted|sorted|yes it did|yes it worked|yes it works|yes thanks|perfect|great|brilliant|problem solved",
      POLITE_EN,
    ),
  ],
  fr: [
    whole(
      "oui|ouais|ouai|yes|bien sur|absolument|exact|exactement|ca marche|ca a marche|ca marche maintenant|ca fonctionne|ca a fonctionne|ca fonctionne maintenant|c'est bon|c'est regle|c'est resolu|resolu|regle|parfait|super|nickel|impeccable|top|oui ca marche|oui c'est bon|oui ca a marche|probleme resolu",
      POLITE_FR,
    ),
  ],
};

const NO: PatternSet = {
  en: [
    whole(
      "no|nope|nah|n|not really|not at all|no it didn't|no it did not|it didn't|didn't work|did not work|doesn't work|does not work|it doesn't work|still not working|still broken|still doesn't work|still the same|no luck|not fixed|same problem|same issue|nope still broken|no still not working|no still broken|didn't help|that didn't help|no change",
      POLITE_EN,
    ),
  ],
  fr: [
    whole(
      "non|nan|pas vraiment|pas du tout|ca marche pas|ca ne marche pas|ca ne marche toujours pas|ca ne fonctionne pas|ca fonctionne pas|ca ne fonctionne toujours pas|toujours pas|toujours le meme probleme|meme probleme|pas mieux|non toujours pas|non ca marche pas|non ca ne marche pas|c'est pareil|rien ne change|aucun changement|ca n'a pas marche|ca n'a pas fonctionne|ca n'a rien change|non ca n'a pas marche",
      POLITE_FR,
    ),
  ],
};

/** Ticket numbers as ticket systems print them: HD-000123 (local), INC0012345 / RITM (ServiceNow), ITSD-42 (Jira), GLPI #1234, #35436. */
const TICKET_NUMBER = /\b(?:HD-\d{3,}|(?:INC|RITM|REQ|SCTASK|CHG)\d{5,}|[A-Z][A-Z0-9]{1,9}-\d{1,7}|GLPI ?#? ?\d{1,9})\b|(?<![\w#])#\d{2,9}\b/i;
/** Numbers that are unambiguous on their own (no "status" word needed). */
const KNOWN_TICKET_PREFIX = /^(?:HD-|INC|RITM|REQ|SCTASK|GLPI)/i;

function which(folded: string, set: PatternSet): Lang | 'both' | undefined {
  const en = matchAny(folded, set.en);
  const fr = matchAny(folded, set.fr);
  if (en && fr) return 'both';
  return en ? 'en' : fr ? 'fr' : undefined;
}

function match(name: IntentName, folded: string, set: PatternSet): IntentMatch | undefined {
  const w = which(folded, set);
  if (!w) return undefined;
  return w === 'both' ? { name } : { name, lang: w };
}

/** Finds a ticket number the user asks about, if any. */
export function ticketNumberIn(text: string): string | undefined {
  const m = TICKET_NUMBER.exec(text);
  return m ? m[0].replace(/\s+/g, ' ').toUpperCase() : undefined;
}

function ticketStatus(text: string, folded: string): IntentMatch | undefined {
  const number = ticketNumberIn(text);
  if (!number) return undefined;
  const context = which(folded, STATUS_CONTEXT);
  const short = words(text).length <= 4;
  if (!context && !(short && KNOWN_TICKET_PREFIX.test(number))) return undefined;
  return { name: 'ticket_status', ticketNumber: number, ...(context && context !== 'both' ? { lang: context } : {}) };
}

/**
 * The built-in intent of a message, or undefined when it should go to retrieval. Order matters:
 * "cancel" beats everything, asking for a human beats a ticket number in the same sentence.
 */
export function classifyIntent(text: string): IntentMatch | undefined {
  const f = fold(text);
  if (!f) return undefined;
  return (
    match('restart', f, RESTART) ??
    match('human', f, HUMAN) ??
    match('my_tickets', f, MY_TICKETS) ??
    ticketStatus(text, f) ??
    match('greeting', f, GREETING) ??
    match('thanks', f, THANKS) ??
    match('goodbye', f, GOODBYE) ??
    match('help', f, HELP) ??
    match('ack', f, ACK) ??
    match('yes', f, YES) ??
    match('no', f, NO)
  );
}

const FILLER = new Set(
  "i i'd i'm im want would like to please can could you u me let need a an the now just help with some someone somebody speak talk chat get real person human agent technician tech support it hi hello hey thanks ok okay je j'aimerais voudrais veux peux pouvez pourriez me moi un une le la les a avec parler quelqu'un qqn humain personne vraie vrai technicien svp stp merci bonjour salut besoin d'un d'une il faut faut passez-moi passe-moi".split(' '),
);

/** The words of a request for a human that are not the request itself: the problem, if the user gave one. */
export function humanRequestRest(text: string): string[] {
  let f = fold(text);
  for (const re of [...HUMAN.en, ...HUMAN.fr]) f = f.replace(new RegExp(re.source, 'g'), ' ');
  return f.split(' ').filter((w) => w && !FILLER.has(w));
}

/** "yes"/"no" for a pending question, including "that fixed it" and "toujours pas". */
export function yesNo(text: string): { answer: 'yes' | 'no'; lang?: Lang } | undefined {
  const f = fold(text);
  const yes = match('yes', f, YES);
  if (yes) return { answer: 'yes', lang: yes.lang };
  const no = match('no', f, NO);
  return no ? { answer: 'no', lang: no.lang } : undefined;
}

const LEADING_GREETING = /^(?:hi|hello|hey|good (?:morning|afternoon|evening)|bonjour|bonsoir|salut|coucou)(?: there| team| all| a tous| l'equipe)?[\s,.!:;-]+/i;

/** "Hi, my VPN is down" → "my VPN is down": a greeting in front of a real question is dropped. */
export function stripGreeting(text: string): string {
  const stripped = text.replace(LEADING_GREETING, '').trim();
  return stripped.length > 0 ? stripped : text;
}

const STILL_BROKEN: PatternSet = {
  en: [/\b(?:still (?:not|doesn't|does not|isn't|is not|won't|broken|failing|the same|happening|no good)|same (?:problem|issue|error|thing)|didn't (?:help|work|fix)|did not (?:help|work|fix)|no change)\b/],
  fr: [/\b(?:toujours pas|toujours le meme|ne marche toujours|ne fonctionne toujours|meme probleme|meme erreur|meme souci|meme chose|c'est pareil|pas mieux|ca n'a pas (?:marche|fonctionne|aide)|rien n'a change)\b/],
};

const VARIANT: PatternSet = {
  en: [/^(?:and|what about|how about|also|same (?:on|for|with)|and if|what if|and for|and on|and with)\b/],
  fr: [/^(?:et|et pour|et sur|et avec|et si|pareil (?:sur|pour|avec)|meme chose (?:sur|pour|avec)|aussi|quid de)\b/],
};

export type FollowUp = { kind: 'still_broken' | 'variant'; lang?: Lang };

/**
 * A short message that only makes sense against the current topic: "still not working",
 * "même problème" (the fix failed) or "and on my Mac?" (same topic, another context).
 */
export function followUp(text: string): FollowUp | undefined {
  const f = fold(text);
  const n = f.split(' ').length;
  if (n > 10) return undefined;
  const broken = which(f, STILL_BROKEN);
  if (broken) return { kind: 'still_broken', ...(broken !== 'both' ? { lang: broken } : {}) };
  const variant = which(f, VARIANT);
  if (variant && n <= 8) return { kind: 'variant', ...(variant !== 'both' ? { lang: variant } : {}) };
  return undefined;
}
