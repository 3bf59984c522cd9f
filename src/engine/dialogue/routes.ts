import type { Lang } from '../lang.js';
import { fold } from './text.js';

/**
 * Requests that are not IT problems, or not for this bot: buying hardware or software, HR
 * (pay, leave, expenses), facilities (chairs, badges, heating, canteen) and plainly off-topic
 * chat (weather, jokes, sport, travel bookings). They get a short "here is what I do" and a
 * pointer to the configured portal instead of "no documented fix, open a ticket?", which only
 * produced junk tickets. Checked on folded text before retrieval; patterns stay conservative:
 * a miss falls through to the knowledge base as before, a wrong hit would hide an IT answer.
 */
export const ROUTES = ['purchase', 'hr', 'facilities', 'off_topic'] as const;
export type Route = (typeof ROUTES)[number];

export interface RouteMatch {
  route: Route;
  /** Set when only one language's patterns matched. */
  lang?: Lang;
}

type PatternSet = Record<Lang, RegExp[]>;

/** Something is broken: that is an IT problem even if it mentions pay slips or badges. */
const IT_FAILURE: RegExp[] = [
  /\b(?:error|errors|erreur|erreurs|crash\w*|plante\w*|bug\w*|blank page|page blanche|won't (?:load|start)|can't (?:log ?in|sign in|connect|open)|cannot (?:log ?in|sign in|connect|open)|password|mot de passe|mdp|account|compte|locked|bloque|verrouille|vpn|wi-?fi|outlook|teams|\d{3} error|error \d+)\b/,
];

const HARDWARE =
  "(?:laptop|laptops|computer|computers|pc|pcs|desktop|monitor|monitors|screen|screens|second screen|headset|headsets|headphones|mouse|mice|keyboards?|webcams?|docking stations?|dock|toner|cartridges?|ink|tablet|ipad|iphone|phone|charger|printer|hardware|equipment|licen[cs]es?|software|subscription)";
const MATERIEL =
  "(?:pc|pcs|ordinateur|ordinateurs|ordi|portable|portables|pc portable|pc portables|ecran|ecrans|deuxieme ecran|second ecran|casque|souris|clavier|webcam|station d'accueil|stations d'accueil|dock|toner|cartouches?|encre|tablette|ipad|iphone|telephone|chargeur|imprimante|materiel|licences?|logiciel|abonnement)";

const PURCHASE: PatternSet = {
  en: [
    new RegExp(`\\b(?:order|buy|purchase|procure|get me|quote for|quotation for|price of)\\b(?: \\S+){0,4} ${HARDWARE}\\b`),
    new RegExp(`\\b(?:need|want|like|request|requesting) (?:a |an )?(?:new|second|2nd|another|replacement|extra|spare|bigger|better) ${HARDWARE}\\b`),
    /\b(?:replace|replacement (?:of|for)) my (?:laptop|computer|pc|monitor|headset|keyboard|mouse)\b/,
    /\bwho approves (?:the |my )?(?:purchase|order|request for)\b/,
  ],
  fr: [
    new RegExp(`\\b(?:commander|acheter|achat d[e']|devis pour|devis d[e']|me procurer|obtenir)\\b(?: \\S+){0,4} ${MATERIEL}\\b`),
    new RegExp(`\\b(?:un|une|d'un|d'une) (?:nouvel|nouveau|nouvelle|deuxieme|second|seconde|autre|plus grand) ${MATERIEL}\\b`),
    new RegExp(`\\b(?:${MATERIEL}) (?:neuf|neuve|de remplacement|supplementaire)\\b`),
    /\b(?:remplacement|remplacer) (?:de )?(?:mon|ma) (?:pc|ordinateur|ordi|portable|pc portable|ecran|casque|clavier|souris)\b/,
    /\ben avoir (?:un|une) (?:neuf|neuve|nouveau|nouvelle)\b/,
  ],
};

const HR: PatternSet = {
  en: [
    /\b(?:payslip|payslips|pay slip|pay slips|salary|salaries|paycheck|payroll|pay rise|raise|bonus|overtime pay)\b/,
    /\b(?:annual leave|holiday allowance|holidays left|days off|vacation days|parental leave|maternity leave|paternity leave|sick leave|book (?:a )?(?:holiday|leave|time off)|time off request)\b/,
    /\b(?:expense report|expense claim|expenses|claim (?:my )?mileage|mileage|per diem|reimburse\w*)\b/,
    /\b(?:my contract|employment contract|health insurance|pension|benefits|performance review|resignation|resign|notice period|hr department|human resources)\b/,
  ],
  fr: [
    /\b(?:fiche de paie|fiches de paie|bulletin de salaire|bulletin de paie|salaire|paie|augmentation|prime|heures sup\w*|rib)\b/,
    /\b(?:conges|conge paye|conges payes|rtt|jours de repos|arret maladie|conge parental|conge maternite|conge paternite|poser (?:un|des) (?:jours?|conges?))\b/,
    /\b(?:note de frais|notes de frais|frais kilometriques|frais de deplacement|remboursement|rembourser|indemnites?)\b/,
    /\b(?:mon contrat|contrat de travail|mutuelle|retraite|entretien annuel|demission|preavis|ressources humaines|service rh|les rh)\b/,
  ],
};

const FACILITIES: PatternSet = {
  en: [
    /\b(?:office chair|my chair|desk chair|standing desk|my desk is (?:broken|wobbly|too high|too low)|desk (?:is )?broken|heating|air ?con\w*|too (?:hot|cold) in|light bulb|lights? (?:\S+ ){0,4}(?:is |are |keeps? )?(?:out|broken|flickering)|toilets?|cleaning|cleaner|canteen|cafeteria|car park|parking (?:space|spot|gate|badge)|parking|locker|keys? to (?:the|my) office|door badge|access badge|badge (?:doesn't|does not|won't) open|my badge)\b/,
  ],
  fr: [
    /\b(?:chaise|fauteuil de bureau|bureau (?:est )?casse|bureau assis debout|chauffage|clim\w*|il fait (?:trop )?(?:chaud|froid)|ampoule|lumiere|neon|toilettes|menage|nettoyage|cantine|restaurant d'entreprise|parking|casier|cle du bureau|mon badge|le badge|lecteur de badge)\b/,
  ],
};

const OFF_TOPIC: PatternSet = {
  en: [
    /\b(?:weather|forecast|is it (?:going to )?rain\w*|temperature outside)\b/,
    /\b(?:tell me a joke|a joke|jokes|something funny|make me laugh)\b/,
    /\b(?:who won|the game last night|football|soccer|score of the match|sports? results?)\b/,
    /\b(?:book|booking) (?:me )?(?:a |an )?(?:hotel|train|flight|plane|taxi|table|restaurant)\b/,
    /\b(?:recipe|what should i (?:eat|cook)|meaning of life|sing (?:me )?a song|are you (?:human|real|alive)|do you love me)\b/,
  ],
  fr: [
    /\b(?:meteo|quel temps|va-t-il pleuvoir|il va pleuvoir|temperature dehors)\b/,
    /\b(?:une blague|des blagues|raconte-moi|fais-moi rire|un truc drole)\b/,
    /\b(?:qui a gagne|le match|resultats? du match|football|foot hier)\b/,
    /\b(?:reserver|reservation d'un|reserve-moi|reservez-moi) (?:un |une )?(?:billet|hotel|train|vol|avion|taxi|table|restaurant)\b/,
    /\b(?:recette de cuisine|une recette de|qu'est-ce que je mange|sens de la vie|chante-moi|es-tu humain|tu es humain)\b/,
  ],
};

const SETS: Array<[Route, PatternSet]> = [
  ['off_topic', OFF_TOPIC],
  ['hr', HR],
  ['purchase', PURCHASE],
  ['facilities', FACILITIES],
];

/** The non-IT route of a message, if it clearly is one. */
export function nonItRoute(text: string): RouteMatch | undefined {
  const f = fold(text);
  if (!f) return undefined;
  if (IT_FAILURE.some((re) => re.test(f))) return undefined;
  for (const [route, set] of SETS) {
    const en = set.en.some((re) => re.test(f));
    const fr = set.fr.some((re) => re.test(f));
    if (en || fr) return { route, ...(en !== fr ? { lang: en ? 'en' : 'fr' } : {}) };
  }
  return undefined;
}
