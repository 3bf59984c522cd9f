import type { Lang } from '../lang.js';
import { fold } from '../dialogue/text.js';
import type { Flow } from './schema.js';

/** The loaded flows, by id, with trigger-phrase matching. */
export interface FlowCatalog {
  get(id: string): Flow | undefined;
  all(): Flow[];
  /** The flow whose trigger phrase the message is (nearly) exactly, with the trigger's language. */
  matchTrigger(text: string): { flow: Flow; lang: Lang } | undefined;
}

/** How many extra words a message may have around a trigger phrase ("please", "how do I", "my"). */
const TRIGGER_SLACK_WORDS = 3;

export function createFlowCatalog(flows: readonly Flow[]): FlowCatalog {
  const byId = new Map(flows.map((f) => [f.id, f]));
  const triggers = flows.flatMap((flow) =>
    (['en', 'fr'] as const).flatMap((lang) => (flow.triggers?.[lang] ?? []).map((t) => ({ flow, lang, phrase: fold(t) }))),
  );
  // Longest phrases first, so "reset my vpn password" beats "reset my password" when both fit.
  triggers.sort((a, b) => b.phrase.length - a.phrase.length);
  return {
    get: (id) => byId.get(id),
    all: () => [...byId.values()],
    matchTrigger(text) {
      const f = fold(text);
      const n = f.split(' ').length;
      const hit = triggers.find(
        (t) => f === t.phrase || (` ${f} `.includes(` ${t.phrase} `) && n <= t.phrase.split(' ').length + TRIGGER_SLACK_WORDS),
      );
      return hit ? { flow: hit.flow, lang: hit.lang } : undefined;
    },
  };
}
