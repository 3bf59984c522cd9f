import { redact, type SecretKind } from '../redact.js';

/**
 * What leaves the building for a language model: secrets (src/engine/redact.ts) and personal data
 * (e-mail addresses, phone numbers, the user's own name) replaced by markers. Applied to every
 * user-originated text before a prompt is built, and to what the model writes into a ticket.
 * Other people's names cannot be recognised reliably; that limit is documented in the README.
 */

export type PersonalKind = 'email' | 'phone' | 'name';

export interface ModelRedaction {
  text: string;
  secrets: SecretKind[];
  personal: PersonalKind[];
}

export const personalMarker = (kind: PersonalKind): string => `[${kind.toUpperCase()}]`;

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
// Digits with the separators people type in phone numbers; checked further in isPhone.
const PHONE_CANDIDATE = /(?<![\p{L}\p{N}_.+(-])(?:\+|00)?\(?\d[\d ().-]{6,}\d(?![\p{L}\p{N}_-]|\.\d)/gu;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A phone number, not a version, an IP address, a date or an ordinary count. */
export function isPhone(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '');
  if (digits.length < 9 || digits.length > 15) return false;
  const s = candidate.trim();
  if (IPV4.test(s) || ISO_DATE.test(s)) return false;
  // "16.0.17328.20142" is a version; "06.12.34.56.78" a French number: dotted groups must be 2-4 digits.
  if (s.includes('.') && !s.split('.').every((g) => /^\(?\+?\d{2,4}\)?$/.test(g.trim()))) return false;
  return true;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Patterns for the user's display name: the full name in any case, and each part of three
 * letters or more when written as a name (capitalised or upper case), so "Will" is removed but
 * "the VPN will not connect" keeps its verb.
 */
function namePatterns(names: readonly string[]): RegExp[] {
  const patterns: RegExp[] = [];
  for (const name of names) {
    const full = name.trim().replace(/\s+/g, ' ');
    if (full.length < 2) continue;
    patterns.push(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(full).replace(/ /g, '\\s+')}(?![\\p{L}\\p{N}])`, 'giu'));
    for (const part of full.split(/[\s,]+/)) {
      if ([...part].length < 3 || !/\p{L}/u.test(part)) continue;
      const capitalised = part.charAt(0).toUpperCase() + part.slice(1).toLowerCase();
      for (const form of new Set([capitalised, part.toUpperCase(), part])) {
        if (form.charAt(0) !== form.charAt(0).toUpperCase()) continue;
        patterns.push(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(form)}(?![\\p{L}\\p{N}])`, 'gu'));
      }
    }
  }
  return patterns;
}

export interface PrivacyOptions {
  /** The user's display name (and any other names known to be theirs). */
  names?: readonly string[];
}

/** Redacts secrets, then personal data. Markers are stable so the model can refer to them. */
export function redactForModel(input: string, options: PrivacyOptions = {}): ModelRedaction {
  const secrets = redact(input);
  const personal: PersonalKind[] = [];
  let text = secrets.text.replace(EMAIL, () => {
    personal.push('email');
    return personalMarker('email');
  });
  text = text.replace(PHONE_CANDIDATE, (m) => {
    if (!isPhone(m)) return m;
    personal.push('phone');
    return personalMarker('phone');
  });
  for (const pattern of namePatterns(options.names ?? [])) {
    text = text.replace(pattern, () => {
      personal.push('name');
      return personalMarker('name');
    });
  }
  return { text, secrets: secrets.found, personal };
}

/** Shorthand when only the text matters. */
export const cleanForModel = (input: string, options?: PrivacyOptions): string => redactForModel(input, options).text;
