import type { AnalyticsEvent, FeedbackRecord } from '../ports/conversation-store.js';

/** Per-article usage for the knowledge list: times shown, 👍/👎 and the last feedback. */
export interface ArticleUsage {
  shown: number;
  yes: number;
  no: number;
  lastFeedbackAt?: string;
  lastFeedback?: 'yes' | 'no';
}

export function articleUsage(events: readonly AnalyticsEvent[], feedback: readonly FeedbackRecord[]): Map<string, ArticleUsage> {
  const usage = new Map<string, ArticleUsage>();
  const get = (id: string): ArticleUsage => {
    let u = usage.get(id);
    if (!u) {
      u = { shown: 0, yes: 0, no: 0 };
      usage.set(id, u);
    }
    return u;
  };
  for (const e of events) if (e.type === 'answer_shown' && e.articleId) get(e.articleId).shown += 1;
  for (const f of feedback) {
    const u = get(f.articleId);
    u[f.value] += 1;
    if (!u.lastFeedbackAt || f.at >= u.lastFeedbackAt) {
      u.lastFeedbackAt = f.at;
      u.lastFeedback = f.value;
    }
  }
  return usage;
}
