import type { Tokens } from 'marked';
import { foldAccents } from '../retrieval/text.js';
import { listsIn, type Section } from './markdown.js';
import type { StepsVariant } from './types.js';

/**
 * What an answer shows: the numbered list under the "Resolution" heading (English or French
 * wording), else the first numbered list of the article. Sections such as "On macOS",
 * "Sur votre téléphone" are kept as variants the dialogue can offer.
 */

const RESOLUTION_HEADING = /^(resolution|resolve|solution|fix|how to fix|steps|resolution steps|resolution des problemes|procedure|etapes|marche a suivre|que faire|what to do)\b/;
const VARIANT_HEADING = /^(on|sur|for|pour|with|avec)\s+\S/;

function normHeading(heading: string): string {
  return foldAccents(heading).toLowerCase().trim();
}

function itemsOf(list: Tokens.List): string[] {
  return list.items.map((item) => item.text.trim()).filter((s) => s.length > 0);
}

function firstList(sectionTokens: Section['tokens'], ordered: boolean | 'any'): Tokens.List | undefined {
  return listsIn(sectionTokens).find((l) => ordered === 'any' || l.ordered === ordered);
}

export function isVariantHeading(heading: string): boolean {
  return VARIANT_HEADING.test(normHeading(heading));
}

export function extractSteps(sections: Section[]): { steps: string[]; variants: StepsVariant[] } {
  const resolution = sections.find((s) => RESOLUTION_HEADING.test(normHeading(s.heading)));
  const main =
    (resolution && (firstList(resolution.tokens, true) ?? firstList(resolution.tokens, 'any'))) ??
    sections.filter((s) => !isVariantHeading(s.heading)).map((s) => firstList(s.tokens, true)).find((l) => l !== undefined);
  const variants: StepsVariant[] = [];
  for (const section of sections) {
    if (!isVariantHeading(section.heading)) continue;
    const list = firstList(section.tokens, true) ?? firstList(section.tokens, 'any');
    if (list) variants.push({ heading: section.heading, steps: itemsOf(list) });
  }
  return { steps: main ? itemsOf(main) : [], variants };
}
