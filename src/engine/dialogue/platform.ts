import type { ArticleView } from '../ports/knowledge.js';
import { fold } from './text.js';

/**
 * The device or system a user talks about ("on my Mac", "sur mon iPhone", "on my laptop") and
 * the one an article or a section is written for, read from titles and headings ("On macOS",
 * "Sur votre téléphone", "Sur Android"): generic, so imported knowledge bases need no metadata.
 */
export type Platform = 'mac' | 'windows' | 'linux' | 'iphone' | 'android' | 'phone' | 'computer';

const PATTERNS: Array<[Platform, RegExp]> = [
  ['mac', /\b(?:mac|macs|macbook\w*|imac|macos|mac os|os x|osx)\b/g],
  ['windows', /\b(?:windows|win ?1[01])\b/g],
  ['linux', /\b(?:linux|ubuntu|debian|fedora)\b/g],
  ['iphone', /\b(?:iphone\w*|ipad\w*|ios)\b/g],
  ['android', /\b(?:android|samsung|galaxy|pixel)\b/g],
  ['phone', /\b(?:phone|phones|mobile|smartphone|cellphone|telephone|telephones|tel pro|tel perso|portable perso|portable pro)\b/g],
  ['computer', /\b(?:laptop|laptops|computer|computers|desktop|pc|pcs|ordinateur|ordinateurs|ordi|pc portable|poste de travail)\b/g],
];

/** The broader kind each platform belongs to. */
const FAMILY: Record<Platform, 'phone' | 'computer'> = {
  mac: 'computer',
  windows: 'computer',
  linux: 'computer',
  computer: 'computer',
  iphone: 'phone',
  android: 'phone',
  phone: 'phone',
};

/** Every platform a text names, in no particular order. */
export function platformsIn(text: string): Set<Platform> {
  const f = fold(text);
  const out = new Set<Platform>();
  for (const [platform, re] of PATTERNS) if (new RegExp(re.source).test(f)) out.add(platform);
  return out;
}

/** The platform the user named last ("my printer is not printing and on my Mac?" → mac). */
export function statedPlatform(text: string): Platform | undefined {
  const f = fold(text);
  let best: { platform: Platform; at: number } | undefined;
  for (const [platform, re] of PATTERNS) {
    for (const m of f.matchAll(re)) {
      if (!best || m.index > best.at || (m.index === best.at && platform !== 'computer')) best = { platform, at: m.index };
    }
  }
  return best?.platform;
}

/** A section written for `target` applies to a user on `user`: the same, or a specific kind of a generic heading ("iPhone" → "On your phone"). */
function applies(user: Platform, target: Platform): boolean {
  if (user === target || FAMILY[user] === target) return true;
  // "on my phone" reads the iPhone and the Android sections alike.
  return user === 'phone' && FAMILY[target] === 'phone';
}

/** The article's section for the user's platform, if it has one ("On macOS" for a Mac user). */
export function sectionFor(view: ArticleView, user: Platform | undefined): { heading: string; steps: string[] } | undefined {
  if (!user) return undefined;
  return view.variants?.find((v) => [...platformsIn(v.heading)].some((t) => applies(user, t)));
}

/**
 * The article is written for another kind of device than the user's and has no section for
 * theirs: "set up my work email in Outlook on my laptop" is not answered by "…on your phone".
 */
export function conflictsWith(view: ArticleView, user: Platform | undefined): boolean {
  if (!user) return false;
  const targets = platformsIn(view.title);
  if (targets.size === 0) return false;
  if ([...targets].some((t) => FAMILY[t] === FAMILY[user])) return false;
  return !sectionFor(view, user);
}

/** Whether the article's main steps are written for a platform other than the user's ("Windows" steps for a Mac user). */
export function mainStepsForAnother(view: ArticleView, user: Platform): boolean {
  const named = platformsIn(view.steps.join('\n'));
  named.delete('computer');
  named.delete('phone');
  return named.size > 0 && ![...named].some((t) => applies(user, t));
}
