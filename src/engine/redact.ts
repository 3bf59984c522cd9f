/**
 * Redaction of secrets in user text. Runs before anything is stored, logged, put in a ticket or
 * sent to a language model. It errs on the side of removing: a false positive costs a word in a
 * transcript, a false negative leaks a credential. Measured on a labelled EN/FR corpus
 * (eval/redaction/corpus.jsonl, test/security/redaction-corpus.test.ts).
 */
import { isValidIBAN } from 'ibantools';

export type SecretKind =
  | 'password'
  | 'private_key'
  | 'aws_key'
  | 'github_token'
  | 'slack_token'
  | 'jwt'
  | 'bearer_token'
  | 'api_key'
  | 'connection_string'
  | 'card_number'
  | 'iban'
  | 'national_id';

export interface Redaction {
  /** The text with every secret replaced by a `[REDACTED:<kind>]` marker. */
  text: string;
  /** Kinds found, in order of appearance (may repeat). */
  found: SecretKind[];
  /** True when something looked like a password: the bot then warns the user to change it. */
  passwordLike: boolean;
}

export const marker = (kind: SecretKind): string => `[REDACTED:${kind}]`;

interface Rule {
  kind: SecretKind;
  pattern: RegExp;
  /** Extra check on the match (checksums) to avoid redacting ordinary numbers. */
  accept?: (match: string) => boolean;
}

const digitsOf = (s: string): string => s.replace(/\D/g, '');

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** Any case, any separator; the country's length and format and the mod-97 checksum (ibantools). */
export function ibanValid(candidate: string): boolean {
  return isValidIBAN(candidate.replace(/[\s.\-_/]+/g, '').toUpperCase());
}

/** A card number: 13-19 digits, a card network's first digit (2-6), and the Luhn checksum. */
export function cardValid(candidate: string): boolean {
  const d = digitsOf(candidate);
  return d.length >= 13 && d.length <= 19 && /^[2-6]/.test(d) && luhnValid(d);
}

/** French NIR (numéro de sécurité sociale): 13 digits (Corsica 2A/2B) and its key, 97 − (number mod 97). */
export function nirValid(candidate: string): boolean {
  const compact = candidate.replace(/[\s.\-_/]+/g, '').toUpperCase();
  const m = /^([12]\d{4})(\d{2}|2A|2B)(\d{6})(\d{2})$/.exec(compact);
  if (!m) return false;
  const dept = m[2] === '2A' ? '19' : m[2] === '2B' ? '18' : m[2]!;
  const number = BigInt(`${m[1]}${dept}${m[3]}`);
  // Corsica: the key is computed on the number minus 1,000,000 (2A) or 2,000,000 (2B).
  const shifted = m[2] === '2A' ? number - 1_000_000n : m[2] === '2B' ? number - 2_000_000n : number;
  return 97n - (shifted % 97n) === BigInt(m[4]!);
}

/**
 * Separated groups ("4111.1111.1111.1111", "fr76 3000 6000 …") are scanned group by group: the
 * longest run of groups that passes the checksum is redacted, so digits or words after the number
 * ("… 189 pour le remboursement", "… 1111 12/27") never hide it.
 */
function redactGroups(text: string, kind: SecretKind, run: RegExp, group: RegExp, valid: (s: string) => boolean, onFound: (index: number) => void): string {
  let out = '';
  let last = 0;
  run.lastIndex = 0;
  for (let m = run.exec(text); m; m = run.exec(text)) {
    const groups = [...m[0].matchAll(group)];
    let hit: { start: number; end: number } | undefined;
    for (let i = 0; i < groups.length && !hit; i++) {
      for (let j = groups.length - 1; j >= i; j--) {
        const start = groups[i]!.index!;
        const end = groups[j]!.index! + groups[j]![0].length;
        if (valid(m[0].slice(start, end))) {
          hit = { start: m.index + start, end: m.index + end };
          break;
        }
      }
    }
    if (!hit) {
      run.lastIndex = m.index + Math.max(1, groups[0]?.[0].length ?? 1);
      continue;
    }
    onFound(hit.start);
    out += text.slice(last, hit.start) + marker(kind);
    last = hit.end;
    run.lastIndex = hit.end;
  }
  return out + text.slice(last);
}

const SEP = String.raw`[ \t.\-_/]{1,3}`;
const CARD_RUN = new RegExp(String.raw`(?<![\w.-])\d+(?:${SEP}\d+){0,12}`, 'g');
const IBAN_RUN = new RegExp(String.raw`\b[A-Za-z]{2}\d{2}(?:[ \t.\-]?[A-Za-z0-9]+){0,12}`, 'g');
const DIGIT_GROUP = /\d+/g;
const ALNUM_GROUP = /[A-Za-z0-9]+/g;

/** Key, token and credential shapes that need no context. Run first, in this order. */
const RULES: Rule[] = [
  { kind: 'private_key', pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)/g },
  // The password inside a URL: postgres://app:s3cret@db, https://user:pw@host/…
  { kind: 'connection_string', pattern: /(?<=\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@]{1,64}:)[^\s@/]{1,128}(?=@)/gi },
  { kind: 'connection_string', pattern: /(?<=\b(?:AccountKey|SharedAccessKey|SharedAccessSignature|sig)\s*=\s*)[^;&\s"']{8,}/gi },
  { kind: 'slack_token', pattern: /\bhttps:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9/_-]{10,}/g },
  { kind: 'aws_key', pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b/g },
  { kind: 'aws_key', pattern: /\baws_secret_access_key\s*[=:]\s*[A-Za-z0-9/+=]{20,}/gi },
  { kind: 'github_token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g },
  { kind: 'slack_token', pattern: /\bxox[abposre]-[A-Za-z0-9-]{10,}|\bxapp-\d-[A-Za-z0-9-]{10,}/g },
  // OpenAI/Anthropic (sk-, sk-proj-, sk-ant-), Stripe (sk_live_, rk_test_, whsec_), Google (AIza), GitLab, npm, SendGrid, Hugging Face.
  { kind: 'api_key', pattern: /\bsk-(?:proj-|svcacct-|admin-|ant-(?:api\d\d-)?)?[A-Za-z0-9_-]{20,}/g },
  { kind: 'api_key', pattern: /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}|\bwhsec_[A-Za-z0-9]{20,}/g },
  { kind: 'api_key', pattern: /\bAIza[0-9A-Za-z_-]{35}/g },
  { kind: 'api_key', pattern: /\b(?:glpat-[A-Za-z0-9_-]{20,}|npm_[A-Za-z0-9]{36}|hf_[A-Za-z0-9]{30,}|SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,})/g },
  { kind: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  { kind: 'bearer_token', pattern: /\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/-]{16,}=*/gi },
  {
    kind: 'national_id',
    pattern: /(?<![\w.-])[12][ .-]?\d{2}[ .-]?\d{2}[ .-]?(?:\d{2}|2[AB])[ .-]?\d{3}[ .-]?\d{3}[ .-]?\d{2}(?![\w-])/gi,
    // The key is checked, except in the way the number is printed on the carte Vitale ("1 85 05 78 006 084 36"):
    // that grouping is specific enough, and a mistyped key still identifies the person.
    accept: (m) => nirValid(m) || /^[12] \d{2} \d{2} (?:\d{2}|2[AB]) \d{3} \d{3} \d{2}$/i.test(m),
  },
];

/**
 * "api key is 9f8e…", "token: abc…", "client_secret=…", "clé API : …". The value must look like a
 * key (long, letters and digits) so that "the key is under the keyboard" stays.
 */
const KEY_PHRASE =
  /\b((?:api[ _-]?key|apikey|api[ _-]?token|access[ _-]?token|auth[ _-]?token|refresh[ _-]?token|client[ _-]?secret|app[ _-]?secret|secret[ _-]?key|signing[ _-]?key|license[ _-]?key|licence[ _-]?key|product[ _-]?key|token|secret|key|cl[ée]\s+(?:d['’]\s*)?api|cl[ée]\s+secr[èe]te|cl[ée]\s+de\s+licence|jeton(?:\s+d['’]\s*(?:acc[èe]s|api))?)(?:\s+(?:is|was|=|:|est|c['’]est|=>|->)\b\s*:?|\s*[:=]|\s+(?=\S*\d)))\s*["'«“]?([A-Za-z0-9._~+/=-]{12,})["'»”]?/giu;

export function looksLikeKey(value: string): boolean {
  const v = value.replace(/[.,;]+$/, '');
  if (v.length < 12 || !/\d/.test(v) || !/[A-Za-z]/.test(v)) return false;
  if (/^[A-Z]{1,8}[-_#]?\d+$/.test(v) || /^https?:/i.test(v)) return false;
  return true;
}

const PASSWORD_WORD = String.raw`(?:passwords?|passwd|passcode|passphrase|pass phrase|pwd|mots? de passe|mot-de-passe|mdp|code secret|code pin|pin)`;
// Words that may sit between "password" and what introduces it: "password for the VPN is", "mot de passe temporaire :".
const PASSWORD_QUALIFIER = String.raw`(?:\s+(?:temporaire|provisoire|actuel|initial|par d[ée]faut|wifi|wi-fi|admin|windows|vpn|outlook|(?:for|of|on|to|pour|de|du|des|d['’]|sur)\s*[\p{L}\p{N}'’@._-]+(?:\s+[\p{L}\p{N}'’@._-]+){0,2}?))?`;
// What introduces the value: "is", "was changed to", ":", "=", "est", "c'est", "a été changé en"…
const PASSWORD_CONNECTOR = String.raw`(?:\s*,?\s*(?:(?:is|was|will be|has been|got|is now|are)\s+(?:now\s+)?(?:changed|set|reset|updated)\s+to|(?:has been\s+)?(?:changed|set|reset|updated)\s+to|is now|is|was|will be|are|(?:est|a été|a ete|était|etait)\s+(?:chang[ée]e?|mis|remis|d[ée]fini)e?\s+(?:en|à|a|sur)|est maintenant|est|c['’]est|était|etait|sera|devient|vaut)(?![\p{L}])\s*:?|\s*(?:[:=]|->|=>))`;
const PASSWORD_VALUE = String.raw`("[^"\n]{1,64}"|'[^'\n]{1,64}'|«[^»\n]{1,64}»|“[^”\n]{1,64}”|\S+)`;

/** "password is X", "temp password: X", "mot de passe provisoire : X", "mdp = X". */
const PASSWORD_PHRASE = new RegExp(String.raw`(\b${PASSWORD_WORD}${PASSWORD_QUALIFIER}${PASSWORD_CONNECTOR})(\s*)${PASSWORD_VALUE}`, 'giu');
/** "voici mon mdp Mars2026$z", "my new password Venus2027%k doesnt work": no verb, so the value must look like a password. */
const PASSWORD_BARE = new RegExp(String.raw`(\b${PASSWORD_WORD}${PASSWORD_QUALIFIER})(\s+)(\S+)`, 'giu');

/** "pw: X", "pass = X": short words that mean a password only before ':' or '='. */
const PASSWORD_SHORT = /(\b(?:pw|pass|passw|user[ _-]?pass)\s*[:=])(\s*)(\S+)/giu;
/** A message that talks about a password: a password-shaped token anywhere in it is taken for one ("I typed X as my password"). */
const PASSWORD_MENTION = new RegExp(String.raw`\b(?:${PASSWORD_WORD}|pw|pass)\b`, 'iu');

/** Words that follow "my password is" in ordinary sentences: never redacted. */
const PASSWORD_DESCRIPTORS = new Set(
  [
    'not', 'no', 'expired', 'expiring', 'wrong', 'incorrect', 'invalid', 'locked', 'blocked', 'correct', 'right', 'ok',
    'fine', 'still', 'too', 'the', 'a', 'an', 'being', 'been', 'rejected', 'refused', 'changed', 'reset', 'old', 'new',
    'about', 'going', 'weak', 'short', 'long', 'saved', 'stored', 'forgotten', 'lost', 'working', 'valid', 'same',
    'different', 'case', 'in', 'on', 'for', 'required', 'needed', 'asked', 'never', 'always', 'also', 'now', 'gone',
    'set', 'due', 'about', 'almost', 'nearly', 'very', 'really', 'probably', 'maybe', 'definitely', 'accepted', 'synced',
    'sent', 'shown', 'visible', 'hidden', 'empty', 'blank', 'missing', 'disabled', 'enabled', 'compromised', 'leaked',
    'my', 'your', 'his', 'her', 'our', 'their', 'this', 'that', 'it', 'what', 'which', 'how', 'when', 'where', 'why',
    'and', 'or', 'but', 'so', 'if', 'then', 'with', 'without', 'at', 'by', 'from', 'to', 'of', 'as', 'into', 'is', 'was',
    'pas', 'plus', 'expire', 'expiré', 'expirée', 'bloque', 'bloqué', 'incorrect', 'faux', 'bon', 'refusé', 'refuse',
    'toujours', 'trop', 'le', 'la', 'les', 'un', 'une', 'encore', 'change', 'changé', 'oublié', 'oublie', 'perdu',
    'valide', 'invalide', 'rejeté', 'demandé', 'correct', 'juste', 'bien', 'en', 'sur', 'dans', 'déjà', 'deja', 'mauvais',
    'mon', 'ma', 'mes', 'ton', 'ta', 'son', 'sa', 'ce', 'cette', 'et', 'ou', 'mais', 'donc', 'si', 'avec', 'sans', 'de',
    'du', 'des', 'à', 'a', 'au', 'aux', 'pour', 'par', 'qui', 'que', 'quoi', 'comment', 'quand', 'où', 'vide', 'erroné',
    'désactivé', 'verrouillé', 'réinitialisé', 'modifié', 'accepté', 'requis', 'nécessaire', 'compromis', 'is', 'est',
    'do', "don't", 'does', 'see', 'you', 'yours', 'mine', 'we', 'they', 'i', 'nobody', 'please', 'ne', 'vous', 'nous', 'je',
    'il', 'elle', 'on', 'voir', 'personne', 'svp', 'merci', 'thanks', 'help', 'aide', 'question', 'problem', 'problème',
  ].map((w) => w.toLowerCase()),
);

/** Single tokens that look like IDs people legitimately type: ticket numbers, asset tags, error codes. */
const NOT_A_PASSWORD: RegExp[] = [
  /^[A-Z]{1,8}[-_#]?\d{2,}$/, // HD-000123, INC0012345, PC-04521, PRN0421
  /^[a-z]{1,8}[-_#]\d{2,}$/, // pc-04521
  /^[A-Z]{1,8}-[A-Z]{1,8}-?\d{2,}$/i, // SRV-PAR-0042
  /^(?:0x)?[0-9a-f]{8}$/i, // 0x80070005, 80070005
  /^0x[0-9a-f]+$/i,
  /^[A-Z]{2,}\d{3,}$/, // AADSTS50126
  /^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$/, // e-mail address
  /^https?:\/\//i,
  /^[\d\s().+-]+$/, // numbers, phone numbers
  /^\d{1,2}[:/.-]\d{1,2}(?:[:/.-]\d{2,4})?$/, // times and dates
  /^\[REDACTED:/,
];

/** A lone token with the shape of a password: long enough, mixing character classes, not an ID. */
export function looksLikePassword(token: string): boolean {
  if (token.length < 8 || token.length > 64 || /\s/.test(token)) return false;
  if (NOT_A_PASSWORD.some((re) => re.test(token))) return false;
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(token)).length;
  return classes >= 3;
}

const unquote = (token: string): string => token.replace(/^["'«“]|["'»”.,;:!?)]+$/g, '');

export function redact(input: string): Redaction {
  const found: Array<{ kind: SecretKind; index: number }> = [];
  let text = input;

  for (const rule of RULES) {
    text = text.replace(rule.pattern, (match: string, ...rest: unknown[]) => {
      if (rule.accept && !rule.accept(match)) return match;
      found.push({ kind: rule.kind, index: rest.find((r) => typeof r === 'number') as number });
      return marker(rule.kind);
    });
  }
  text = redactGroups(text, 'iban', IBAN_RUN, ALNUM_GROUP, (s) => /^[A-Za-z]{2}\d{2}/.test(s) && ibanValid(s), (index) => found.push({ kind: 'iban', index }));
  text = redactGroups(text, 'card_number', CARD_RUN, DIGIT_GROUP, cardValid, (index) => found.push({ kind: 'card_number', index }));

  text = text.replace(KEY_PHRASE, (whole: string, prefix: string, value: string, index: number) => {
    if (!looksLikeKey(value)) return whole;
    found.push({ kind: 'api_key', index });
    return `${prefix}${marker('api_key')}`;
  });

  let passwordLike = false;
  const take = (prefix: string, space: string, index: number): string => {
    passwordLike = true;
    found.push({ kind: 'password', index });
    return `${prefix}${space}${marker('password')}`;
  };
  text = text.replace(PASSWORD_PHRASE, (whole: string, prefix: string, space: string, token: string, index: number) => {
    if (token.startsWith('[REDACTED:')) return whole;
    const quoted = /^["'«“]/.test(token);
    const word = unquote(token).toLowerCase();
    // French elisions ("l'application", "n'est") start prose, not a password.
    if (!quoted && (word === '' || PASSWORD_DESCRIPTORS.has(word) || /^[cdjlmnst]['’]\p{L}/u.test(word))) return whole;
    // "password: reset link sent" is a topic, not a value; "password=…;" ends at the separator.
    if (/[=]\s*$/.test(prefix)) {
      const value = /^[^;&\s]+/.exec(token)?.[0] ?? token;
      return take(prefix, space, index) + token.slice(value.length);
    }
    return take(prefix, space, index);
  });
  text = text.replace(PASSWORD_SHORT, (whole: string, prefix: string, space: string, token: string, index: number) => {
    const word = unquote(token).toLowerCase();
    if (token.startsWith('[REDACTED:') || word === '' || PASSWORD_DESCRIPTORS.has(word)) return whole;
    return take(prefix, space, index);
  });
  text = text.replace(PASSWORD_BARE, (whole: string, prefix: string, space: string, token: string, index: number) => {
    const value = token.replace(/[.,;:!?)]+$/, '');
    if (!looksLikePassword(value)) return whole;
    return take(prefix, space, index) + token.slice(value.length);
  });

  if (PASSWORD_MENTION.test(text)) {
    text = text.replace(/(^|[\s«“"'(])([^\s«“"'()]{8,64})(?=$|[\s»”"')])/gu, (whole: string, before: string, token: string, index: number) => {
      const value = token.replace(/[.,;:!?]+$/, '');
      if (!looksLikePassword(value) || !/\d/.test(value) || !/[A-Za-z]/.test(value)) return whole;
      return before + take('', '', index) + token.slice(value.length);
    });
  }

  // A password typed alone, usually as the answer to whatever the bot just asked.
  const trimmed = text.trim().replace(/^["'«“]|["'»”]$/g, '');
  if (!text.includes('[REDACTED:') && looksLikePassword(trimmed)) {
    passwordLike = true;
    found.push({ kind: 'password', index: 0 });
    text = marker('password');
  }

  found.sort((a, b) => a.index - b.index);
  return { text, found: found.map((f) => f.kind), passwordLike };
}

/** True when nothing but redaction markers (and punctuation) is left: the message carried only a secret. */
export function onlySecrets(redactedText: string): boolean {
  return redactedText.includes('[REDACTED:') && redactedText.replace(/\[REDACTED:[a-z_]+\]/g, '').replace(/[\s\p{P}]/gu, '') === '';
}
