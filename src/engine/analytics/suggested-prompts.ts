import { translator as sharedTranslator, type Translator } from '../i18n.js';
import type { Lang } from '../lang.js';
import { visibleTo } from '../knowledge/audience.js';
import type { ConversationStore } from '../ports/conversation-store.js';
import type { ArticleView, KnowledgeService } from '../ports/knowledge.js';

/**
 * Suggested prompts for a welcome (Teams prompt starters, Slack assistant suggested prompts):
 * the articles most often answered over the last 30 days, as the article's title and one of its
 * example questions in the user's language, topped up from a shipped list (locales/<lang>/prompts.json)
 * when there is not enough history. Channel-agnostic: the channels turn these into their own shapes.
 */

export interface SuggestedPrompt {
  /** Short label shown on the button. */
  title: string;
  /** The message sent as if the user typed it. */
  message: string;
  /** The article the prompt comes from; absent for shipped prompts. */
  articleId?: string;
}

export interface SuggestedPromptsOptions {
  store: Pick<ConversationStore, 'events'>;
  knowledge: Pick<KnowledgeService, 'article' | 'family'>;
  lang: Lang;
  /** At most this many prompts (default 3, the number Slack shows without scrolling is 4). */
  max?: number;
  /** The viewer's verified audiences: an article restricted to others is never suggested, not even its title. */
  audiences?: readonly string[];
  now?: Date;
  translator?: Translator;
}

export const SUGGESTION_WINDOW_DAYS = 30;
/** Number of shipped prompts per language in locales/<lang>/prompts.json (`prompts.default.<n>.title|message`). */
export const SHIPPED_PROMPTS = 4;
/** Titles longer than this are cut (Slack and Teams show short labels; the message stays whole). */
const MAX_TITLE = 60;

function shortTitle(title: string): string {
  return title.length <= MAX_TITLE ? title : `${title.slice(0, MAX_TITLE - 1).trimEnd()}…`;
}

export function shippedPrompts(lang: Lang, t: Translator = sharedTranslator()): SuggestedPrompt[] {
  const out: SuggestedPrompt[] = [];
  for (let n = 1; n <= SHIPPED_PROMPTS; n++) {
    out.push({ title: t.t(lang, `prompts.default.${n}.title`), message: t.t(lang, `prompts.default.${n}.message`) });
  }
  return out;
}

export async function suggestedPrompts(options: SuggestedPromptsOptions): Promise<SuggestedPrompt[]> {
  const max = Math.max(0, options.max ?? 3);
  const now = options.now ?? new Date();
  const since = new Date(now.getTime() - SUGGESTION_WINDOW_DAYS * 86_400_000).toISOString();
  const events = await options.store.events({ types: ['answer_shown'], since });

  // Count topics (not shows): one help request that saw an article twice is still one ask.
  const topicsPerFamily = new Map<string, Set<string>>();
  for (const e of events) {
    if (!e.articleId || e.at > now.toISOString()) continue;
    const family = [...options.knowledge.family(e.articleId)].sort()[0] ?? e.articleId;
    let topics = topicsPerFamily.get(family);
    if (!topics) topicsPerFamily.set(family, (topics = new Set()));
    topics.add(e.topicId ?? `${e.conversationId}@${e.at}`);
  }
  const ranked = [...topicsPerFamily.entries()]
    .map(([family, topics]) => ({ family, count: topics.size }))
    .sort((a, b) => b.count - a.count || a.family.localeCompare(b.family));

  const out: SuggestedPrompt[] = [];
  for (const { family } of ranked) {
    if (out.length >= max) break;
    const members = options.knowledge.family(family).map((id) => options.knowledge.article(id)).filter((a): a is ArticleView => a !== undefined);
    // Like retrieval: a family with any member the viewer may not see is left out whole.
    if (members.length === 0 || members.some((a) => !visibleTo(a.audience, options.audiences))) continue;
    const view = options.knowledge.article(family, options.lang);
    // An article not in the user's language would greet them in the wrong one; the shipped list does better.
    if (!view || view.lang !== options.lang) continue;
    out.push({ title: shortTitle(view.title), message: view.questions?.[0] ?? view.title, articleId: view.id });
  }
  for (const p of shippedPrompts(options.lang, options.translator)) {
    if (out.length >= max) break;
    if (!out.some((o) => o.message === p.message)) out.push(p);
  }
  return out;
}
