import { isDeepStrictEqual } from 'node:util';
import * as AC from 'adaptivecards';

/**
 * Checks a card the way Teams' renderer reads it, with the adaptivecards library (schema 1.5):
 * parse warnings, semantic validation, and a lossless round trip (unknown properties are dropped
 * by the library, so a misspelt one shows up as a difference).
 */
export function cardProblems(card: unknown): string[] {
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, context);
  const problems = Array.from({ length: context.eventCount }, (_, i) => `parse: ${context.getEventAt(i)?.message ?? '?'}`);
  for (const e of parsed.validateProperties().validationEvents) problems.push(`validate: ${AC.ValidationEvent[e.event]}: ${e.message}`);
  if (!isDeepStrictEqual(parsed.toJSON(context), card)) problems.push('round trip differs');
  return problems;
}

type Node = { type?: unknown } & Record<string, unknown>;

/** Every element or action of a type, anywhere in the card. */
export function findAll(card: unknown, type: string): Node[] {
  const out: Node[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      if ((v as Node).type === type) out.push(v as Node);
      Object.values(v).forEach(walk);
    }
  };
  walk(card);
  return out;
}
