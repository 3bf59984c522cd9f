import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LANGS, type Lang } from './lang.js';

/**
 * User-facing strings live in `locales/<lang>/<namespace>.json`, never in code.
 * Keys are addressed as `<namespace>.<key>`; values may contain `{param}` placeholders.
 */
export type Messages = Record<Lang, Record<string, string>>;
export type Params = Record<string, string | number | undefined>;

const here = dirname(fileURLToPath(import.meta.url));
/** Works from src/ (tsx, vitest) and dist/ (compiled): both sit one level below the repo root. */
export const DEFAULT_LOCALES_DIR = resolve(here, '..', '..', 'locales');

function flatten(prefix: string, value: unknown, out: Record<string, string>): void {
  if (typeof value === 'string') {
    out[prefix] = value;
  } else if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v, out);
  } else {
    throw new Error(`locale entry ${prefix} must be a string or an object of strings`);
  }
}

export function loadMessages(dir: string = DEFAULT_LOCALES_DIR): Messages {
  const messages = {} as Messages;
  for (const lang of LANGS) {
    const table: Record<string, string> = {};
    const langDir = join(dir, lang);
    if (existsSync(langDir)) {
      for (const file of readdirSync(langDir).filter((f) => f.endsWith('.json')).sort()) {
        const ns = basename(file, '.json');
        const parsed: unknown = JSON.parse(readFileSync(join(langDir, file), 'utf8'));
        flatten(ns, parsed, table);
      }
    }
    messages[lang] = table;
  }
  return messages;
}

export function interpolate(template: string, params: Params = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    return v === undefined ? whole : String(v);
  });
}

export interface Translator {
  t(lang: Lang, key: string, params?: Params): string;
  has(key: string): boolean;
}

export function createTranslator(messages: Messages = loadMessages()): Translator {
  return {
    t(lang, key, params) {
      const template = messages[lang][key] ?? messages.en[key];
      // A missing key is a bug; showing the key keeps the conversation going and is easy to spot in tests.
      return template === undefined ? key : interpolate(template, params);
    },
    has(key) {
      return LANGS.every((l) => messages[l][key] !== undefined);
    },
  };
}

let shared: Translator | undefined;
/** Process-wide translator over the repository's locale files. */
export function translator(): Translator {
  shared ??= createTranslator();
  return shared;
}
