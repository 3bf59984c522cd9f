import { articleUsage, type ArticleUsage } from '../engine/analytics/articles.js';
import { clusterGaps, gapItems, type GapCluster } from '../engine/analytics/gaps.js';
import { classifyTopics, type ClassifiedTopic } from '../engine/analytics/outcomes.js';
import { dashboardReport, type DashboardReport } from '../engine/analytics/report.js';
import { satisfactionSummary, type SatisfactionSummary } from '../engine/analytics/satisfaction.js';
import { idfWeights, type TermWeight } from '../engine/analytics/similarity.js';
import { buildTopics } from '../engine/analytics/topics.js';
import type { ConversationStore, FeedbackRecord } from '../engine/ports/conversation-store.js';
import type { ManagedKnowledgeService } from '../engine/ports/knowledge.js';
import type { KnowledgeFiles } from './articles.js';

/**
 * Reads the store and feeds the pure analytics (src/engine/analytics): topics of a period with
 * their honest outcome, the dashboard report, gap groups and per-article usage.
 */
export interface InsightDeps {
  store: ConversationStore;
  knowledge: ManagedKnowledgeService;
  files: KnowledgeFiles;
  gapConfidence: number;
  now: () => Date;
}

const DAY_MS = 24 * 3_600_000;
/** How many conversations one report reads at most (the dashboard covers up to 365 days). */
const MAX_CONVERSATIONS = 200_000;

export class ConsoleInsights {
  private weights: { hash: string; weight: TermWeight } | undefined;

  constructor(private readonly deps: InsightDeps) {}

  familyOf = (articleId: string): string => [...this.deps.knowledge.family(articleId)].sort()[0] ?? articleId;

  /** IDF over the served articles' titles and questions, rebuilt when the knowledge changes. */
  termWeight(): TermWeight {
    const hash = this.deps.knowledge.status().knowledgeHash;
    if (this.weights?.hash !== hash) {
      const docs = this.deps.files.load().articles.map((a) => ({ text: [a.title, ...a.questions].join('\n'), lang: a.lang }));
      this.weights = { hash, weight: idfWeights(docs) };
    }
    return this.weights.weight;
  }

  async topics(days: number): Promise<{ topics: ClassifiedTopic[]; from: Date; to: Date }> {
    const to = this.deps.now();
    const from = new Date(to.getTime() - days * DAY_MS);
    const since = from.toISOString();
    const [events, conversations] = await Promise.all([
      this.deps.store.events({ since }),
      this.deps.store.searchConversations?.({ activeSince: since, limit: MAX_CONVERSATIONS }) ?? Promise.resolve([]),
    ]);
    const users = new Map(conversations.map((c) => [c.id, c.user.id]));
    const topics = buildTopics(events, (id) => users.get(id)).filter((t) => t.startedAt >= since);
    return {
      topics: classifyTopics(topics, { now: to, familyOf: this.familyOf, weight: this.termWeight() }),
      from,
      to,
    };
  }

  async report(days: number): Promise<{ report: DashboardReport; topics: ClassifiedTopic[] }> {
    const { topics, from, to } = await this.topics(days);
    return { report: dashboardReport(topics, { from, to, familyOf: this.familyOf }), topics };
  }

  async gaps(days: number): Promise<GapCluster[]> {
    const { topics } = await this.topics(days);
    return clusterGaps(gapItems(topics, { lowConfidence: this.deps.gapConfidence }), { weight: this.termWeight() });
  }

  /** Ratings users gave after a live handoff, over the period. */
  async satisfaction(days: number): Promise<SatisfactionSummary> {
    const since = new Date(this.deps.now().getTime() - days * DAY_MS).toISOString();
    return satisfactionSummary(await this.deps.store.events({ types: ['satisfaction'], since }));
  }

  /** The latest feedback on an article that came with a comment (Teams' thumbs form), newest first. */
  async articleComments(articleId: string, limit = 50): Promise<FeedbackRecord[]> {
    const feedback = await this.deps.store.feedback({ articleId });
    return feedback.filter((f) => f.comment).reverse().slice(0, limit);
  }

  async articleUsage(): Promise<Map<string, ArticleUsage>> {
    const [events, feedback] = await Promise.all([this.deps.store.events({ types: ['answer_shown'] }), this.deps.store.feedback()]);
    return articleUsage(events, feedback);
  }
}
