import { describe, expect, it } from 'vitest';
import { classifyTopics } from '../../../src/engine/analytics/outcomes.js';
import { dashboardReport } from '../../../src/engine/analytics/report.js';
import { buildTopics } from '../../../src/engine/analytics/topics.js';
import { EventLog, NOW, hoursAgo } from './fixtures.js';

const families: Record<string, string> = { 'vpn-cannot-connect': 'vpn', 'vpn-cannot-connect-fr': 'vpn', 'printer-jam': 'printer' };
const familyOf = (id: string) => families[id] ?? id;

function classify(log: EventLog) {
  return Object.fromEntries(
    classifyTopics(buildTopics(log.events, log.userOf), { now: NOW, familyOf }).map((t) => [t.id, t]),
  );
}

describe('honest deflection', () => {
  it('counts a confirmed fix with no comeback within 72 hours as deflected', () => {
    const log = new EventLog();
    log.conversation('c1', 'alice');
    log.answered('c1', 't1', 100, 'vpn will not connect', 'vpn-cannot-connect')
      .add('feedback', 'c1', 't1', 100, { articleId: 'vpn-cannot-connect', value: 'yes' })
      .add('resolved', 'c1', 't1', 100, { articleId: 'vpn-cannot-connect' });
    expect(classify(log).t1?.outcome).toBe('deflected_confirmed');
  });

  it('counts "thanks" after an answer as deflected, but silence after an answer only as no feedback', () => {
    const log = new EventLog();
    log.conversation('c1', 'alice');
    log.conversation('c2', 'bob');
    log.answered('c1', 't1', 100, 'printer paper jam', 'printer-jam').add('intent', 'c1', 't1', 99.9, { decision: 'thanks' });
    log.answered('c2', 't2', 100, 'printer paper jam again', 'printer-jam');
    const r = classify(log);
    expect(r.t1?.outcome).toBe('deflected_ended');
    expect(r.t2?.outcome).toBe('no_feedback');
  });

  it('a 👎 after the thanks, or a 👎 and nothing else, is not a success', () => {
    const log = new EventLog();
    log.conversation('c1', 'alice');
    log.answered('c1', 't1', 100, 'printer paper jam', 'printer-jam')
      .add('feedback', 'c1', 't1', 99.9, { articleId: 'printer-jam', value: 'no' });
    expect(classify(log).t1?.outcome).toBe('not_helped');
  });

  it('a confirmed fix is not a deflection when the user comes back on the same article family within 72 hours', () => {
    const log = new EventLog();
    log.conversation('c1', 'alice');
    log.conversation('c2', 'alice');
    log.answered('c1', 't1', 120, 'vpn will not connect', 'vpn-cannot-connect')
      .add('feedback', 'c1', 't1', 120, { articleId: 'vpn-cannot-connect', value: 'yes' })
      .add('resolved', 'c1', 't1', 120);
    // Two days later, in French, in another conversation: the translation is the same family.
    log.answered('c2', 't2', 80, 'le vpn ne marche toujours pas', 'vpn-cannot-connect-fr', 0.8, { lang: 'fr' });
    const r = classify(log);
    expect(r.t1?.outcome).toBe('returned');
    expect(r.t1?.returnedBy).toMatchObject({ topicId: 't2', via: 'same_article' });
  });

  it('a similar question without an article, or a ticket, within 72 hours also means the user came back', () => {
    const log = new EventLog();
    log.conversation('c1', 'alice');
    log.conversation('c3', 'carol');
    log.answered('c1', 't1', 150, 'outlook keeps asking for my password', 'outlook-password-prompt').add('intent', 'c1', 't1', 150, { decision: 'thanks' });
    log.add('question', 'c1', 't2', 120, { text: 'outlook asking for password again' })
      .add('decision', 'c1', 't2', 120, { decision: 'escalate', confidence: 0.2 });
    log.answered('c3', 't3', 150, 'printer paper jam', 'printer-jam').add('intent', 'c3', 't3', 150, { decision: 'goodbye' });
    // Carol asks for a technician right away, outside any topic.
    log.add('escalated', 'c3', undefined, 100, { value: 'user_request' });
    const r = classify(log);
    expect(r.t1?.returnedBy?.via).toBe('similar_question');
    expect(r.t3?.outcome).toBe('returned');
    expect(r.t3?.returnedBy?.via).toBe('ticket');
    expect(Object.values(r).filter((t) => t.outcome === 'escalated')).toHaveLength(1);
  });

  it('coming back after 72 hours, or another user asking the same, does not undo a deflection', () => {
    const log = new EventLog();
    log.conversation('c1', 'alice');
    log.conversation('c2', 'alice');
    log.conversation('c3', 'bob');
    log.answered('c1', 't1', 200, 'vpn will not connect', 'vpn-cannot-connect').add('resolved', 'c1', 't1', 200);
    log.answered('c2', 't2', 120, 'vpn error 809', 'vpn-cannot-connect').add('resolved', 'c2', 't2', 120);
    log.answered('c3', 't3', 190, 'vpn will not connect', 'vpn-cannot-connect').add('resolved', 'c3', 't3', 190);
    const r = classify(log);
    expect([r.t1?.outcome, r.t2?.outcome, r.t3?.outcome]).toEqual(['deflected_confirmed', 'deflected_confirmed', 'deflected_confirmed']);
  });

  it('topics younger than 72 hours are pending unless they already failed', () => {
    const log = new EventLog();
    log.conversation('c1', 'alice');
    log.conversation('c2', 'bob');
    log.answered('c1', 't1', 10, 'vpn will not connect', 'vpn-cannot-connect').add('resolved', 'c1', 't1', 10);
    log.add('question', 'c2', 't2', 5, { text: 'my badge does not open the car park' })
      .add('decision', 'c2', 't2', 5, { decision: 'escalate', confidence: 0.1 })
      .add('escalated', 'c2', 't2', 5, { value: 'gate' });
    const r = classify(log);
    expect(r.t1?.outcome).toBe('pending');
    expect(r.t2?.outcome).toBe('escalated');
  });

  it('the dashboard rates are over settled topics only, and segment by language, channel and day', () => {
    const log = new EventLog();
    for (const [i, user] of ['a', 'b', 'c', 'd', 'e'].entries()) log.conversation(`c${i}`, user);
    log.answered('c0', 't0', 100, 'vpn will not connect', 'vpn-cannot-connect').add('feedback', 'c0', 't0', 100, { value: 'yes', articleId: 'vpn-cannot-connect' }).add('resolved', 'c0', 't0', 100);
    log.answered('c1', 't1', 100, 'printer paper jam', 'printer-jam', 0.9, { lang: 'fr', channel: 'teams' });
    log.answered('c2', 't2', 100, 'printer jam', 'printer-jam').add('feedback', 'c2', 't2', 100, { value: 'no', articleId: 'printer-jam' });
    log.add('question', 'c3', 't3', 100, { text: 'badge' }).add('escalated', 'c3', 't3', 100, { value: 'gate' });
    log.answered('c4', 't4', 1, 'vpn will not connect', 'vpn-cannot-connect');
    const topics = classifyTopics(buildTopics(log.events, log.userOf), { now: NOW, familyOf });
    const report = dashboardReport(topics, { from: new Date(hoursAgo(24 * 7)), to: NOW, familyOf });
    expect(report.topics).toBe(5);
    expect(report.rates).toEqual({ settled: 4, pending: 1, deflection: 0.25, escalation: 0.25, noFeedback: 0.25 });
    expect(report.feedback).toEqual({ yes: 1, no: 1, ratio: 0.5, answersShown: 4, answersWithoutFeedback: 2 });
    expect(report.byLang.find((s) => s.key === 'fr')).toMatchObject({ topics: 1, settled: 1, noFeedback: 1 });
    expect(report.byChannel.map((s) => s.key)).toEqual(['web', 'teams']);
    expect(report.perDay).toHaveLength(8);
    expect(report.perDay.reduce((n, d) => n + d.topics, 0)).toBe(5);
    expect(report.perDay.find((d) => d.day === hoursAgo(100).slice(0, 10))?.outcomes.escalated).toBe(1);
    expect(report.topTopics[0]).toMatchObject({ family: 'printer', topics: 2, deflected: 0 });
  });
});
