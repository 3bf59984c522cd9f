/**
 * Redaction of secrets in user text. Runs before anything is stored, logged, put in a ticket or
 * sent to a language model. It errs on the side of removing: a false positive costs a word in a
 * transcript, a false negative leaks a credential.
 */

export type SecretKind =
  | 'password'
  | 'private_key'
  | 'aws_key'
  | 'github_token'
  | 'slack_token'
  | 'jwt'
  | 'bearer_token'
  | 'api_key'
  | 'card_number'
  | 'iban';

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

export function ibanValid(candidate: string): boolean {
  const iban = candidate.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const value = ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

/** Token shapes that are not secrets: placed first so the rules below never touch them. */
const RULES: Rule[] = [
  { kind: 'private_key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g },
  { kind: 'aws_key', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { kind: 'aws_key', pattern: /\baws_secret_access_key\s*[=:]\s*[A-Za-z0-9/+=]{20,}/gi },
  { kind: 'github_token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g },
  { kind: 'slack_token', pattern: /\bxox[abposre]-[A-Za-z0-9-]{10,}|\bxapp-\d-[A-Za-z0-9-]{10,}/g },
  { kind: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  { kind: 'bearer_token', pattern: /\bBearer\s+[A-Za-z0-9._~+/-]{16,}=*/gi },
  {
    kind: 'api_key',
    pattern: /\b(?:api[_ -]?key|apikey|access[_ -]?token|auth[_ -]?token|client[_ -]?secret|secret[_ -]?key|token|secret)\s*[:=]\s*["']?[A-Za-z0-9._~+/=-]{8,}["']?/gi,
  },
  { kind: 'iban', pattern: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g, accept: ibanValid },
  {
    kind: 'card_number',
    pattern: /\b\d(?:[ -]?\d){12,18}\b/g,
    accept: (m) => {
      const d = digitsOf(m);
      return d.length >= 13 && d.length <= 19 && luhnValid(d);
    },
  },
];

/**
 * "my password is X", "mot de passe : X", "mdp = X". The value is the next token, unless that token
 * is an ordinary word describing the password ("my password is expired", "mon mot de passe est bloqué").
 */
const PASSWORD_PHRASE =
  /(\b(?:(?:my|the|new|old|current)\s+(?:password|passcode|pwd)\s*(?:(?:is|was)\b(?:\s*:)?|=|:)|(?:password|passwd|pwd|pass|pw)\s*[:=]|(?:mon|le|nouveau|ancien)\s+(?:nouveau\s+|ancien\s+)?(?:mot de passe|mdp)\s*(?:(?:est|c'est|c’est|etait|était)(?![\p{L}])(?:\s*:)?|=|:)|(?:mot de passe|mdp)\s*[:=]|(?:le\s+)?mdp\s+c['’]est))(\s*)("[^"\n]{1,64}"|'[^'\n]{1,64}'|«[^»\n]{1,64}»|“[^”\n]{1,64}”|\S+)/giu;

/** Words that follow "my password is" in ordinary sentences: never redacted. */
const PASSWORD_DESCRIPTORS = new Set(
  [
    'not', 'no', 'expired', 'expiring', 'wrong', 'incorrect', 'invalid', 'locked', 'blocked', 'correct', 'right', 'ok',
    'fine', 'still', 'too', 'the', 'a', 'an', 'being', 'been', 'rejected', 'refused', 'changed', 'reset', 'old', 'new',
    'about', 'going', 'weak', 'short', 'long', 'saved', 'stored', 'forgotten', 'lost', 'working', 'valid', 'same',
    'different', 'case', 'in', 'on', 'for', 'required', 'needed', 'asked', 'never', 'always', 'also',
    'pas', 'plus', 'expire', 'expiré', 'expirée', 'bloque', 'bloqué', 'incorrect', 'faux', 'bon', 'refusé', 'refuse',
    'toujours', 'trop', 'le', 'la', 'les', 'un', 'une', 'encore', 'change', 'changé', 'oublié', 'oublie', 'perdu',
    'valide', 'invalide', 'rejeté', 'demandé', 'correct', 'juste', 'bien', 'en', 'sur', 'dans', 'déjà', 'deja', 'mauvais',
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
];

/** A lone token with the shape of a password: long enough, mixing character classes, not an ID. */
export function looksLikePassword(token: string): boolean {
  if (token.length < 8 || token.length > 64 || /\s/.test(token)) return false;
  if (NOT_A_PASSWORD.some((re) => re.test(token))) return false;
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(token)).length;
  return classes >= 3;
}

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

  let passwordLike = false;
  text = text.replace(PASSWORD_PHRASE, (whole: string, prefix: string, space: string, token: string, index: number) => {
    const word = token.replace(/^["'«“]|["'»”.,;!?]+$/g, '').toLowerCase();
    if (!/^["'«“]/.test(token) && PASSWORD_DESCRIPTORS.has(word)) return whole;
    if (token.startsWith('[REDACTED:')) return whole;
    passwordLike = true;
    found.push({ kind: 'password', index });
    return `${prefix}${space}${marker('password')}`;
  });

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
