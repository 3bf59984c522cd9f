import type { Lang } from '../engine/lang.js';

/**
 * Material for the generated benchmark knowledge bases: the contexts an article can be specific
 * to (system, device, error code, site), title and question templates, and phrase swaps that
 * paraphrase the seed articles' titles and questions. Benchmark data, not product strings.
 */

export interface Context {
  os: string;
  device: string;
  code: string;
  site: string;
}

export const SYSTEMS = [
  'Windows 10 22H2', 'Windows 11 23H2', 'Windows 11 24H2', 'macOS Ventura', 'macOS Sonoma', 'macOS Sequoia',
  'Ubuntu 22.04', 'Ubuntu 24.04', 'ChromeOS', 'iOS 17', 'iOS 18', 'Android 14', 'Android 15', 'Windows 365 Cloud PC',
];

export const DEVICES = [
  'ThinkPad T14', 'ThinkPad X1 Carbon', 'Latitude 7440', 'Latitude 5540', 'EliteBook 840', 'ProBook 450',
  'MacBook Air M2', 'MacBook Pro 14', 'Surface Laptop 5', 'Surface Pro 9', 'OptiPlex 7010', 'iMac 24',
  'iPhone 15', 'Galaxy S23', 'Pixel 8', 'iPad Air', 'ThinkCentre M70q', 'Precision 3581',
];

export const SITES = [
  'Lyon', 'Paris', 'Berlin', 'Madrid', 'Montreal', 'Toulouse', 'Brussels', 'London', 'Geneva', 'Nantes',
  'Lille', 'Milan', 'Barcelona', 'Luxembourg', 'Bordeaux', 'Rotterdam',
];

const HEX = '0123456789ABCDEF';

/** Error codes in the shapes helpdesks see: HRESULTs, Entra ID codes, RAS codes, installer codes. */
export function errorCode(r: () => number): string {
  const hex = (n: number) => Array.from({ length: n }, () => HEX[Math.floor(r() * 16)]).join('');
  const shapes = [
    () => `0x8007${hex(4)}`,
    () => `0x800${hex(5)}`,
    () => `AADSTS${50000 + Math.floor(r() * 600)}`,
    () => `${600 + Math.floor(r() * 300)}`,
    () => `E-${100 + Math.floor(r() * 900)}`,
    () => `0xC00${hex(5)}`,
  ];
  return shapes[Math.floor(r() * shapes.length)]!();
}

interface LangVocabulary {
  /** {T}: paraphrased seed title; {t}: the same, lower-case start. */
  titles: string[];
  errorLines: string[];
  /** {q}: paraphrased seed question. No article-specific context, so a question fits every article of its topic. */
  questions: string[];
  headings: { symptoms: string; resolution: string };
  swaps: [RegExp, string[]][];
}

export const VOCABULARY: Record<Lang, LangVocabulary> = {
  en: {
    titles: [
      '{T} on {os}', '{T} – {device}', '{T} (error {code})', '{T} after the {os} update', '{T}: {site} office',
      '{T} on {os} with {device}', '{device}: {t}', 'Troubleshooting: {t} ({os})', '{T} when working from {site}',
      '{T}, error {code} on {device}',
    ],
    errorLines: ['The error code {code} is shown.', 'You may see {code} in the message.', 'The log mentions {code}.'],
    questions: [
      '{q}', 'hi, {q}', '{q}, any idea?', 'urgent: {q}', '{q} again', '{q} pls help', '{q} since this morning',
      '{q} since yesterday', 'hello {q}', '{q}?? help',
    ],
    headings: { symptoms: 'Symptoms', resolution: 'Resolution' },
    swaps: [
      [/\bwill not\b/gi, ["won't", 'does not', 'fails to']],
      [/\bcannot\b/gi, ["can't", 'unable to']],
      [/\bcan't\b/gi, ['cannot', 'unable to']],
      [/\bdoesn't\b/gi, ['does not', "won't"]],
      [/\bnot working\b/gi, ['broken', 'failing', 'down']],
      [/\bcomputer\b/gi, ['PC', 'laptop', 'workstation']],
      [/\blaptop\b/gi, ['PC', 'notebook']],
      [/\bfix\b/gi, ['resolve', 'repair', 'sort out']],
      [/\breset\b/gi, ['change', 'renew']],
      [/\bslow\b/gi, ['sluggish', 'very slow']],
      [/\bmy\b/gi, ['the', 'my']],
      [/\bemail\b/gi, ['mail', 'e-mail']],
      [/\bphone\b/gi, ['mobile', 'smartphone']],
      [/\bset up\b/gi, ['configure', 'install']],
      [/\bkeeps\b/gi, ['always', 'constantly']],
    ],
  },
  fr: {
    titles: [
      '{T} sous {os}', '{T} – {device}', '{T} (erreur {code})', '{T} après la mise à jour {os}', '{T} : site de {site}',
      '{T} sous {os} avec {device}', '{device} : {t}', 'Dépannage : {t} ({os})', '{T} en télétravail depuis {site}',
      '{T}, erreur {code} sur {device}',
    ],
    errorLines: ["Le code d'erreur {code} s'affiche.", 'Le message peut indiquer {code}.', 'Le journal mentionne {code}.'],
    questions: [
      '{q}', 'bonjour, {q}', '{q}, une idée ?', 'urgent : {q}', '{q} encore', '{q} svp aide', '{q} depuis ce matin',
      "{q} depuis hier", 'salut {q}', '{q} ?? help',
    ],
    headings: { symptoms: 'Symptômes', resolution: 'Résolution' },
    swaps: [
      [/\bne se connecte pas\b/gi, ['refuse de se connecter', "n'arrive pas à se connecter"]],
      [/\bne fonctionne pas\b/gi, ['ne marche pas', 'est en panne', 'plante']],
      [/\bne marche pas\b/gi, ['ne fonctionne pas', 'est en panne']],
      [/\bordinateur\b/gi, ['PC', 'poste']],
      [/\bportable\b/gi, ['PC portable', 'laptop']],
      [/\bréinitialiser\b/gi, ['changer', 'renouveler']],
      [/\blent\b/gi, ['très lent', 'au ralenti']],
      [/\bmon\b/gi, ['le', 'mon']],
      [/\bmail\b/gi, ['courriel', 'e-mail']],
      [/\btéléphone\b/gi, ['mobile', 'smartphone']],
      [/\bconfigurer\b/gi, ['installer', 'paramétrer']],
      [/\bimpossible de\b/gi, ["je n'arrive pas à", 'pas moyen de']],
      [/\bbloqué\b/gi, ['verrouillé', 'coincé']],
    ],
  },
};
