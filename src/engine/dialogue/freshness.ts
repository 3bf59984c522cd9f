import type { Lang } from '../lang.js';
import type { Translator } from '../i18n.js';

const DAY_MS = 24 * 60 * 60 * 1000;

function parseDay(iso: string | undefined): Date | undefined {
  if (!iso || !/^\d{4}-\d{2}-\d{2}/.test(iso)) return undefined;
  const d = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Whole calendar months from `from` to `to` (UTC), not counting an incomplete last month. */
function monthsBetween(from: Date, to: Date): number {
  let m = (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + (to.getUTCMonth() - from.getUTCMonth());
  if (to.getUTCDate() < from.getUTCDate()) m -= 1;
  return Math.max(0, m);
}

/** "updated 3 months ago" / "mis à jour il y a 3 mois". */
export function updatedLabel(updated: string | undefined, now: Date, lang: Lang, t: Translator): string | undefined {
  const d = parseDay(updated);
  if (!d) return undefined;
  const days = Math.floor((now.getTime() - d.getTime()) / DAY_MS);
  const months = monthsBetween(d, now);
  const key = (k: string, n?: number) => t.t(lang, `dialogue.citation.${k}`, n === undefined ? undefined : { n });
  if (days <= 0) return key('updated_today');
  if (days === 1) return key('updated_yesterday');
  if (months < 1) return key('updated_days', days);
  if (months === 1) return key('updated_one_month');
  if (months < 12) return key('updated_months', months);
  const years = Math.floor(months / 12);
  return years === 1 ? key('updated_one_year') : key('updated_years', years);
}

/** The warning shown when an article is past its review date. */
export function staleWarning(reviewBy: string | undefined, now: Date, lang: Lang, t: Translator): string | undefined {
  const d = parseDay(reviewBy);
  // Still valid on the review day itself.
  if (!d || d.getTime() + DAY_MS > now.getTime()) return undefined;
  const date = new Intl.DateTimeFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(d);
  return t.t(lang, 'dialogue.citation.stale', { date });
}
