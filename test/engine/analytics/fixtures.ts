import type { AnalyticsEvent, AnalyticsEventType } from '../../../src/engine/ports/conversation-store.js';

/** Builds analytics events the way the engine records them, relative to a fixed "now". */
export const NOW = new Date('2026-11-22T12:00:00Z');
export const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();

export class EventLog {
  readonly events: AnalyticsEvent[] = [];
  readonly users = new Map<string, string>();

  conversation(id: string, user: string): void {
    this.users.set(id, user);
  }

  add(type: AnalyticsEventType, conversationId: string, topicId: string | undefined, hours: number, fields: Partial<AnalyticsEvent> = {}): this {
    this.events.push({ type, at: hoursAgo(hours), conversationId, channel: 'web', lang: 'en', ...(topicId ? { topicId } : {}), ...fields });
    return this;
  }

  /** question → decision → answer shown, at `hours` ago. */
  answered(conversationId: string, topicId: string, hours: number, question: string, articleId: string, confidence = 0.9, fields: Partial<AnalyticsEvent> = {}): this {
    return this.add('question', conversationId, topicId, hours, { text: question, ...fields })
      .add('decision', conversationId, topicId, hours, { decision: 'answer', confidence, articleId, text: 'answered: strong match', ...fields })
      .add('answer_shown', conversationId, topicId, hours, { articleId, confidence, ...fields });
  }

  userOf = (conversationId: string) => this.users.get(conversationId);
}
