import type { Lang } from '../lang.js';
import type { EscalationReason, Priority } from './packet.js';
import { fold, similarity, words } from '../dialogue/text.js';

/**
 * When the bot stops trying and hands over to a human, and how urgently. Sensitive topics are
 * checked before retrieval: no article resolves a stolen laptop or a clicked phishing link.
 */

export const SENSITIVE_KINDS = [
  'ransomware',
  'credentials_phished',
  'security_incident',
  'mfa_fatigue',
  'outage',
  'phishing_clicked',
  'malware',
  'lost_device',
  'data_loss',
] as const;
export type SensitiveKind = (typeof SENSITIVE_KINDS)[number];

interface SensitiveRule {
  kind: SensitiveKind;
  priority: Priority;
  category: string;
  patterns: Record<Lang, RegExp[]>;
  /** Sentences that name the topic without it having happened ("I did not click"). */
  unless?: RegExp[];
}

const DEVICE_EN = '(?:work |company |office |new |old )?(?:laptop|phone|pc|computer|mobile|iphone|android|smartphone|tablet|ipad|macbook|yubikey|security key)';
const DEVICE_FR = '(?:pc|ordinateur|ordi|portable|telephone|tel|smartphone|iphone|tablette|ipad|macbook|cle de securite|yubikey)';

/** Ordered by severity: the first matching rule wins. */
const SENSITIVE_RULES: SensitiveRule[] = [
  {
    kind: 'ransomware',
    priority: 'critical',
    category: 'security',
    patterns: {
      en: [/\bransom ?ware\b/, /\bfiles? (?:are|have been|got|were) (?:all )?encrypted\b/, /\bransom (?:note|demand|message|screen)\b/],
      fr: [/\brancongiciel\b/, /\branconlogiciel\b/, /\bfichiers? (?:sont |ont ete )?(?:tous )?(?:chiffres|cryptes)\b/, /\bdemande (?:une |de )?rancon\b/],
    },
  },
  {
    kind: 'credentials_phished',
    priority: 'critical',
    category: 'security',
    patterns: {
      en: [
        /\b(?:entered|typed|gave|put|submitted|used) (?:in |out )?(?:my )?(?:password|credentials|login|username and password|mfa code)\b.*\b(?:fake|phishing|suspicious|scam|spoofed|fraudulent|dodgy)\b/,
        /\b(?:fake|phishing|suspicious|scam|spoofed|fraudulent|dodgy) (?:page|site|website|link|login|form|microsoft page)\b.*\b(?:entered|typed|gave|put|submitted)\b/,
      ],
      fr: [
        /\b(?:saisi|tape|entre|donne|mis|rentre|renseigne) (?:mon |mes )?(?:mot de passe|mdp|identifiants|code)\b.*\b(?:faux|fausse|frauduleux|frauduleuse|suspect|suspecte|phishing|hameconnage|arnaque)\b/,
        /\b(?:faux site|fausse page|site frauduleux|page frauduleuse|lien frauduleux|site de phishing|page de phishing)\b.*\b(?:saisi|tape|entre|donne|mis|rentre|renseigne)\b/,
      ],
    },
  },
  {
    kind: 'security_incident',
    priority: 'critical',
    category: 'security',
    patterns: {
      en: [
        /\b(?:i (?:was|got|have been|think i was|think i've been)|i'm|account (?:was|got|has been|is)|we (?:were|got|have been)) (?:hacked|compromised|breached)\b/,
        /\b(?:security (?:incident|breach)|data breach|unauthori[sz]ed (?:access|sign ?in|login|logins))\b/,
        /\bsomeone (?:else )?(?:is |has )?(?:using|accessed|logged into|signed into|got into|sending emails from) my (?:account|mailbox|email)\b/,
        /\bsuspicious (?:sign ?ins?|logins?|activity) (?:on|in|from) my (?:account|mailbox)\b/,
      ],
      fr: [
        /\b(?:j'ai ete|je me suis fait|compte) (?:pirate|hacke|compromis)\b/,
        /\b(?:mon compte|ma boite|ma messagerie) (?:a ete |est )?(?:pirate|piratee|hacke|compromis|compromise)\b/,
        /\b(?:incident de securite|fuite de donnees|acces non autorise|connexions? suspectes?)\b/,
        /\bquelqu'un (?:d'autre )?(?:a acces a|utilise|s'est connecte a|se connecte a|envoie des mails depuis) (?:mon compte|ma boite|ma messagerie)\b/,
      ],
    },
  },
  {
    kind: 'mfa_fatigue',
    priority: 'critical',
    category: 'security',
    patterns: {
      en: [/\b(?:mfa|authenticator|approval|sign ?in|login) (?:requests?|prompts?|notifications?) (?:that )?i (?:didn't|did not|never) (?:request|ask for|make|start|trigger)\b/],
      fr: [/\b(?:demandes?|notifications?|validations?) (?:mfa |authenticator |de connexion )?que je n'ai (?:pas|jamais) (?:demandees?|faites?|lancees?)\b/],
    },
  },
  {
    kind: 'outage',
    priority: 'critical',
    category: 'outage',
    patterns: {
      en: [
        /\b(?:everyone|everybody|the whole (?:team|office|floor|building|company|department|site)|all (?:users|of us|my colleagues|staff|the team|employees)|entire (?:office|team|floor|company|building))\b.*\b(?:can't|cannot|can not|unable|down|not working|doesn't work|isn't working|offline|has no|have no|lost)\b/,
        /\b(?:nobody|no one) (?:can|is able to|in the office|on the floor|here)\b/,
        /\b(?:outage|major incident|is down for everyone|down for all)\b/,
      ],
      fr: [
        /\b(?:tout le monde|toute l'equipe|tout le service|tout l'etage|tout le bureau|tout le site|tous les (?:utilisateurs|collegues|salaries)|l'ensemble des (?:utilisateurs|collegues|salaries))\b.*\b(?:ne peut|n'arrive|ne marche|ne fonctionne|en panne|plante|coupe|hs|plus acces|n'a plus|sans)\b/,
        /\bpersonne (?:ne peut|n'arrive|n'a acces|au bureau)\b/,
        /\b(?:panne generale|panne globale|incident majeur|tout est en panne|coupure generale)\b/,
      ],
    },
    unless: [/\b(?:hear|see) me\b/, /\bm'entend|me voit\b/],
  },
  {
    kind: 'phishing_clicked',
    priority: 'high',
    category: 'security',
    patterns: {
      en: [
        /\b(?:clicked|opened|downloaded|ran)\b.*\b(?:phishing|suspicious|scam|fake|spam|dodgy|weird|strange|malicious)\b/,
        /\b(?:phishing|suspicious|scam|fake|dodgy|malicious) (?:email|mail|message|link|text|sms|attachment)\b.*\b(?:clicked|opened|downloaded)\b/,
      ],
      fr: [
        /\b(?:clique|ouvert|telecharge|lance)\b.*\b(?:phishing|hameconnage|suspect|suspecte|frauduleux|frauduleuse|bizarre|douteux|douteuse|arnaque|malveillant)\b/,
        /\b(?:mail|email|e-mail|courriel|message|lien|sms|piece jointe) (?:suspect|frauduleux|douteux|de phishing|d'hameconnage|bizarre|malveillant)\b.*\b(?:clique|ouvert|telecharge)\b/,
      ],
    },
    unless: [/\b(?:not|n't|never|without|didn't|did not) (?:yet )?(?:clicked|click|opened|open)\b/, /\b(?:pas|jamais|sans) (?:encore )?(?:clique|cliquer|ouvert|ouvrir)\b/],
  },
  {
    kind: 'malware',
    priority: 'high',
    category: 'security',
    patterns: {
      en: [/\b(?:virus|viruses|malware|trojan|spyware|keylogger|worm|infected|infection)\b/],
      fr: [/\b(?:virus|malware|logiciel malveillant|cheval de troie|logiciel espion|infecte|infectee|infection)\b/],
    },
  },
  {
    kind: 'lost_device',
    priority: 'high',
    category: 'security',
    patterns: {
      en: [
        new RegExp(`\\b(?:lost|misplaced|someone stole|had|got) (?:my |our )?${DEVICE_EN}(?: stolen)?\\b`),
        new RegExp(`\\b${DEVICE_EN} (?:was|has been|got|is|were) (?:stolen|lost|missing|nicked)\\b`),
        new RegExp(`\\b(?:stolen|lost) ${DEVICE_EN}\\b`),
      ],
      fr: [
        new RegExp(`\\b(?:perdu|egare) (?:mon |ma )?${DEVICE_FR}\\b`),
        new RegExp(`\\b(?:on m'a vole|je me suis fait voler|vol de) (?:mon |ma )?${DEVICE_FR}\\b`),
        new RegExp(`\\b${DEVICE_FR} (?:professionnel |pro )?(?:a ete |s'est fait |est )(?:vole|perdu|egare)\\b`),
      ],
    },
    unless: [/\b(?:had|got) (?:my |our )?[a-z ]+ (?:replaced|fixed|repaired|back|upgraded)\b/, /\blost (?:my )?(?:phone|mobile) (?:signal|connection|network)\b/],
  },
  {
    kind: 'data_loss',
    priority: 'high',
    category: 'files',
    patterns: {
      en: [
        /\b(?:lost|deleted|wiped|erased) (?:all|everything|all of) ?(?:my |our |the )?(?:files|data|documents|work|emails|mails)?\b/,
        /\ball (?:my |our |the )?(?:files|data|documents|emails) (?:are |have |has )?(?:gone|been deleted|disappeared|been wiped|vanished|lost)\b/,
        /\b(?:data loss|lost all my data)\b/,
        /\b(?:hard drive|hard disk|disk|ssd) (?:crashed|died|failed|is dead)\b/,
      ],
      fr: [
        /\b(?:perdu|supprime|efface) (?:tous|toutes) (?:mes|nos|les) (?:fichiers|donnees|documents|mails|e-mails)\b/,
        /\b(?:tous|toutes) (?:mes|nos|les) (?:fichiers|donnees|documents|mails) (?:ont )?(?:disparu|ete supprimes|ete effaces|ete perdus)\b/,
        /\b(?:perte de donnees|j'ai tout perdu)\b/,
        /\b(?:disque dur|disque|ssd) (?:a )?(?:lache|plante|mort|hs|grille)\b/,
      ],
    },
  },
];

export interface SensitiveMatch {
  kind: SensitiveKind;
  priority: Priority;
  category: string;
  lang?: Lang;
}

export function detectSensitive(text: string): SensitiveMatch | undefined {
  const f = fold(text);
  for (const rule of SENSITIVE_RULES) {
    if (rule.unless?.some((re) => re.test(f))) continue;
    const en = rule.patterns.en.some((re) => re.test(f));
    const fr = rule.patterns.fr.some((re) => re.test(f));
    if (en || fr) {
      return { kind: rule.kind, priority: rule.priority, category: rule.category, ...(en !== fr ? { lang: en ? 'en' : 'fr' } : {}) };
    }
  }
  return undefined;
}

export type FrustrationSignal = 'words' | 'caps' | 'repeat';

const FRUSTRATION_WORDS: RegExp[] = [
  /\b(?:useless|stupid|ridiculous|wtf|fed up|sick of|this is a joke|are you kidding|waste of time|f+u+c+k\w*|shit|damn|bloody hell|pathetic|dumb bot|not helpful|unhelpful|unacceptable|for the (?:third|3rd|fourth|4th|fifth|nth|\d+th) time|again and again|seriously|come on|for god's sake)\b/,
  /\b(?:c'est|t'es|tu es|vraiment|completement|trop|bot) nul(?:le)?\b/,
  /\b(?:inutile|ridicule|ras le bol|ras-le-bol|marre|n'importe quoi|sert a rien|c'est penible|putain|bordel|merde|scandaleux|inadmissible|pour la (?:troisieme|3e|3eme|enieme|quatrieme) fois|encore et encore|serieusement|c'est pas possible)\b/,
];

function shouting(text: string): boolean {
  // Tokens with digits are codes (0x80070005, HP M404), not shouting.
  const tokens = text.split(/\s+/).filter((t) => /\p{L}{2,}/u.test(t) && !/\d/.test(t));
  const letters = tokens.join('').replace(/[^\p{L}]/gu, '');
  if (tokens.length < 3 || letters.length < 12) return false;
  const upper = letters.replace(/[^\p{Lu}]/gu, '').length;
  return upper / letters.length >= 0.8;
}

/**
 * Frustration markers: angry words (EN/FR), shouting in capitals, repeated exclamation marks, or
 * asking the same question again after the bot already answered it.
 */
export function detectFrustration(text: string, previousQuestions: readonly string[] = []): FrustrationSignal | undefined {
  const f = fold(text);
  if (FRUSTRATION_WORDS.some((re) => re.test(f)) || /[!?]{3,}/.test(text)) return 'words';
  if (shouting(text)) return 'caps';
  if (words(text).length >= 3 && previousQuestions.some((q) => similarity(q, text) >= 0.8)) return 'repeat';
  return undefined;
}

/** Priority of an escalation by reason; sensitive topics and flows carry their own. */
export const DEFAULT_PRIORITY: Record<Exclude<EscalationReason, 'sensitive' | 'flow'>, Priority> = {
  gate: 'medium',
  user_request: 'medium',
  negative_feedback: 'medium',
  frustration: 'medium',
};

/** "No" answers in a row (article feedback, "none of these") after which the bot offers a technician. */
export const NO_ANSWERS_BEFORE_ESCALATION = 2;
