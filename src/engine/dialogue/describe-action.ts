import type { Lang } from '../lang.js';
import type { Translator } from '../i18n.js';
import type { KnowledgeService } from '../ports/knowledge.js';
import type { FlowCatalog } from '../flows/catalog.js';
import type { EnginePayload } from './payload.js';

/** A label for the transcript: what the user clicked, in words ("[button] Yes"). */
export function describeAction(
  p: EnginePayload | undefined,
  lang: Lang,
  deps: { translator: Translator; knowledge: KnowledgeService; flows: FlowCatalog },
): string {
  const { knowledge, flows } = deps;
  const t = (key: string) => deps.translator.t(lang, key);
  if (!p) return '[button] ?';
  switch (p.a) {
    case 'feedback':
    case 'flow.check':
      return `[button] ${t(p.v === 'yes' ? 'common.yes' : 'common.no')}`;
    case 'escalate':
      // The label the person saw on the button (escalation.ts), not a bare "Yes".
      return `[button] ${t(p.v === 'yes' ? 'dialogue.escalation.confirm' : 'dialogue.escalation.decline')}`;
    case 'pick':
      return `[button] ${knowledge.article(p.art, lang)?.title ?? p.art}`;
    case 'none':
      return `[button] ${t('common.none_of_these')}`;
    case 'flow.resume':
      return `[button] ${t('dialogue.aside.resume_flow')}`;
    case 'flow.start':
      return `[button] ${flows.get(p.f)?.title[lang] ?? p.f}`;
    case 'flow.choice': {
      const option = flows
        .all()
        .flatMap((f) => f.steps)
        .flatMap((s) => (s.type === 'choice' && s.id === p.s ? s.options : []))
        .find((o) => o.id === p.o);
      return `[button] ${option?.label[lang] ?? p.o}`;
    }
    case 'offer':
      return `[button] ${t('dialogue.clarify.open_ticket')}`;
    case 'handoff.end':
      return `[button] ${t('handoff.user.end_button')}`;
    case 'handoff.rate':
      return `[button] ${p.v}/5`;
  }
}
