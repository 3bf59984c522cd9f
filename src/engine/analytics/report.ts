import { DEFLECTED, OUTCOMES, type ClassifiedTopic, type Outcome } from './outcomes.js';

/**
 * The dashboard numbers, from classified topics. Every rate is over settled topics only (pending
 * ones are counted apart), so the outcome shares add up to 100 % and a busy last three days can
 * neither inflate nor deflate the deflection rate.
 */

export type OutcomeCounts = Record<Outcome, number>;

export interface Rates {
  /** Topics whose outcome is known (everything but pending). */
  settled: number;
  pending: number;
  /** Shares of settled topics, in [0,1]; undefined when nothing is settled. */
  deflection?: number;
  escalation?: number;
  noFeedback?: number;
}

export interface SegmentReport extends Rates {
  key: string;
  topics: number;
  outcomes: OutcomeCounts;
}

export interface DayReport {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  topics: number;
  conversations: number;
  outcomes: OutcomeCounts;
}

export interface TopTopic {
  /** Article family key, or '' for questions no article answered. */
  family: string;
  /** The first article id shown for the topic (for a title lookup). */
  articleId?: string;
  topics: number;
  deflected: number;
  escalated: number;
}

export interface FeedbackTotals {
  yes: number;
  no: number;
  /** 👍 / (👍 + 👎); undefined without feedback. */
  ratio?: number;
  /** Answers shown that got neither 👍 nor 👎. */
  answersWithoutFeedback: number;
  answersShown: number;
}

export interface DashboardReport {
  from: string;
  to: string;
  topics: number;
  conversations: number;
  outcomes: OutcomeCounts;
  rates: Rates;
  feedback: FeedbackTotals;
  perDay: DayReport[];
  byLang: SegmentReport[];
  byChannel: SegmentReport[];
  topTopics: TopTopic[];
}

export function emptyCounts(): OutcomeCounts {
  return Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as OutcomeCounts;
}

function rates(counts: OutcomeCounts): Rates {
  const pending = counts.pending;
  const settled = OUTCOMES.reduce((n, o) => n + counts[o], 0) - pending;
  const share = (n: number) => (settled > 0 ? n / settled : undefined);
  return {
    settled,
    pending,
    deflection: share([...DEFLECTED].reduce((n, o) => n + counts[o], 0)),
    escalation: share(counts.escalated),
    noFeedback: share(counts.no_feedback),
  };
}

function segment(topics: readonly ClassifiedTopic[], keyOf: (t: ClassifiedTopic) => string): SegmentReport[] {
  const groups = new Map<string, OutcomeCounts>();
  for (const t of topics) {
    const key = keyOf(t);
    const counts = groups.get(key) ?? emptyCounts();
    counts[t.outcome] += 1;
    groups.set(key, counts);
  }
  return [...groups]
    .map(([key, outcomes]) => ({ key, topics: OUTCOMES.reduce((n, o) => n + outcomes[o], 0), outcomes, ...rates(outcomes) }))
    .sort((a, b) => b.topics - a.topics || a.key.localeCompare(b.key));
}

function daysBetween(from: Date, to: Date): string[] {
  const days: string[] = [];
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()));
  while (d <= to) {
    days.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return days;
}

export interface ReportOptions {
  from: Date;
  to: Date;
  familyOf?: (articleId: string) => string;
  topTopics?: number;
}

export function dashboardReport(topics: readonly ClassifiedTopic[], options: ReportOptions): DashboardReport {
  const familyOf = options.familyOf ?? ((id: string) => id);
  const outcomes = emptyCounts();
  for (const t of topics) outcomes[t.outcome] += 1;

  const perDay = new Map<string, { topics: number; conversations: Set<string>; outcomes: OutcomeCounts }>(
    daysBetween(options.from, options.to).map((day) => [day, { topics: 0, conversations: new Set<string>(), outcomes: emptyCounts() }]),
  );
  for (const t of topics) {
    const day = perDay.get(t.startedAt.slice(0, 10));
    if (!day) continue;
    day.topics += 1;
    day.conversations.add(t.conversationId);
    day.outcomes[t.outcome] += 1;
  }

  let yes = 0;
  let no = 0;
  let answersShown = 0;
  let answersWithoutFeedback = 0;
  for (const t of topics) {
    yes += t.feedback.filter((f) => f === 'yes').length;
    no += t.feedback.filter((f) => f === 'no').length;
    answersShown += t.articlesShown.length;
    // Each answer is followed by at most one 👍/👎; answers beyond the feedback given went unrated.
    answersWithoutFeedback += Math.max(0, t.articlesShown.length - t.feedback.filter((f) => f !== 'none').length);
  }

  const top = new Map<string, TopTopic>();
  for (const t of topics) {
    const first = t.articlesShown[0];
    const family = first ? familyOf(first) : '';
    const entry = top.get(family) ?? { family, ...(first ? { articleId: first } : {}), topics: 0, deflected: 0, escalated: 0 };
    entry.topics += 1;
    if (DEFLECTED.has(t.outcome)) entry.deflected += 1;
    if (t.outcome === 'escalated') entry.escalated += 1;
    top.set(family, entry);
  }

  return {
    from: options.from.toISOString(),
    to: options.to.toISOString(),
    topics: topics.length,
    conversations: new Set(topics.map((t) => t.conversationId)).size,
    outcomes,
    rates: rates(outcomes),
    feedback: { yes, no, ...(yes + no > 0 ? { ratio: yes / (yes + no) } : {}), answersShown, answersWithoutFeedback },
    perDay: [...perDay].map(([day, d]) => ({ day, topics: d.topics, conversations: d.conversations.size, outcomes: d.outcomes })),
    byLang: segment(topics, (t) => t.lang),
    byChannel: segment(topics, (t) => t.channel),
    topTopics: [...top.values()].sort((a, b) => b.topics - a.topics || a.family.localeCompare(b.family)).slice(0, options.topTopics ?? 10),
  };
}
