import type { Request, Response } from 'express';
import type { Translator, Params } from '../engine/i18n.js';
import { LANGS, langFromLocale, type Lang } from '../engine/lang.js';

/** The console speaks English and French: ?lang= switches (remembered in a cookie), else Accept-Language. */
export const LANG_COOKIE = 'hd_console_lang';

export function consoleLang(req: Request, res: Response, cookies: Record<string, string>): Lang {
  const asked = typeof req.query.lang === 'string' ? langFromLocale(req.query.lang) : undefined;
  if (asked) {
    res.cookie(LANG_COOKIE, asked, { httpOnly: true, sameSite: 'strict', path: '/admin', maxAge: 365 * 24 * 3600 * 1000 });
    return asked;
  }
  return langFromLocale(cookies[LANG_COOKIE]) ?? langFromLocale(req.acceptsLanguages(...LANGS) || undefined) ?? 'en';
}

export type T = (key: string, params?: Params) => string;

/** `t('nav.dashboard')` → console.nav.dashboard in the page language. */
export function consoleT(translator: Translator, lang: Lang): T {
  return (key, params) => translator.t(lang, `console.${key}`, params);
}

export function formatPercent(value: number | undefined, lang: Lang): string {
  if (value === undefined) return '—';
  return new Intl.NumberFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { style: 'percent', maximumFractionDigits: 1 }).format(value);
}

export function formatDateTime(iso: string | undefined, lang: Lang): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(d) + ' UTC';
}
