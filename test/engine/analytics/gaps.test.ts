import { describe, expect, it } from 'vitest';
import { clusterGaps, gapItems } from '../../../src/engine/analytics/gaps.js';
import { idfWeights } from '../../../src/engine/analytics/similarity.js';
import { csvCell, toCsv } from '../../../src/engine/analytics/csv.js';
import { buildTopics } from '../../../src/engine/analytics/topics.js';
import { EventLog } from './fixtures.js';

describe('gaps', () => {
  it('keeps escalated, low-confidence and 👎 questions only', () => {
    const log = new EventLog();
    log.answered('c1', 'ok', 10, 'vpn will not connect', 'vpn', 0.9);
    log.answered('c1', 'low', 9, 'vpn slow at home', 'vpn', 0.3);
    log.answered('c1', 'down', 8, 'printer jam', 'printer', 0.9).add('feedback', 'c1', 'down', 8, { value: 'no', articleId: 'printer' });
    log.add('question', 'c1', 'esc', 7, { text: 'badge for the car park' }).add('escalated', 'c1', 'esc', 7, { value: 'gate' });
    const items = gapItems(buildTopics(log.events, log.userOf), { lowConfidence: 0.5 });
    expect(Object.fromEntries(items.map((i) => [i.topicId, i.reasons]))).toEqual({
      low: ['low_confidence'],
      down: ['negative_feedback'],
      esc: ['escalated'],
    });
  });

  it('leaves out a confident answer, even when the person then asked for a technician; keeps what the gate had to clarify', () => {
    const log = new EventLog();
    log.answered('c1', 'sure', 10, "VPN won't connect", 'vpn', 1);
    log.add('escalated', 'c1', 'sure', 10, { value: 'user_request' });
    log.add('question', 'c1', 'clar', 9, { text: 'outlook problem' }).add('decision', 'c1', 'clar', 9, { decision: 'clarify', confidence: 0.7 });
    log.answered('c1', 'thumbs', 8, 'printer jam', 'printer', 1).add('feedback', 'c1', 'thumbs', 8, { value: 'no', articleId: 'printer' });
    log.add('escalated', 'c1', 'thumbs', 8, { value: 'negative_feedback' });
    const items = gapItems(buildTopics(log.events, log.userOf), { lowConfidence: 0.5 });
    expect(Object.fromEntries(items.map((i) => [i.topicId, i.reasons]))).toEqual({
      clar: ['low_confidence'],
      thumbs: ['escalated', 'negative_feedback'],
    });
  });

  it('groups similar questions across languages, largest group first', () => {
    const log = new EventLog();
    const ask = (id: string, text: string, lang: 'en' | 'fr', hours: number) =>
      log.add('question', 'c', id, hours, { text, lang }).add('escalated', 'c', id, hours, { lang });
    ask('b1', 'my badge does not open the car park barrier', 'en', 50);
    ask('b2', 'car park barrier will not open with my badge', 'en', 40);
    ask('b3', 'car park badge not working', 'en', 30);
    ask('b4', 'la barriere du parking ne s ouvre pas avec mon badge', 'fr', 20);
    ask('p1', 'the label printer prints blank labels', 'en', 45);
    ask('p2', 'label printer blank labels again', 'en', 25);
    ask('x1', 'how do I expense a taxi ride', 'en', 10);
    // Generic symptoms alone ("not working") must not make two problems one.
    ask('v1', 'vpn not working', 'en', 12);
    ask('s1', 'sound not working', 'en', 11);
    // Term weights as the console builds them from the knowledge base: symptom words are everywhere.
    const weight = idfWeights(
      ['vpn not working', 'wifi not working', 'printer not working', 'sound not working', 'teams camera not working', 'password expired', 'mailbox full']
        .map((text) => ({ text, lang: 'en' as const })),
    );
    const clusters = clusterGaps(gapItems(buildTopics(log.events, log.userOf), { lowConfidence: 0.5 }), { weight });
    expect(clusters.map((c) => c.items.map((i) => i.topicId).sort())).toEqual([['b1', 'b2', 'b3', 'b4'], ['p1', 'p2'], ['x1'], ['s1'], ['v1']]);
    const badge = clusters[0]!;
    expect(badge.langs).toEqual(['en', 'fr']);
    expect(badge.reasons.escalated).toBe(4);
    expect(badge.questions).toHaveLength(4);
    expect(badge.questions[0]).toBe(badge.label);
    // Newest member first for display; the key does not depend on arrival order of newer questions.
    expect(badge.items[0]?.topicId).toBe('b4');
  });
});

describe('CSV export', () => {
  it('escapes quotes, commas and new lines, and neutralises formulas in text', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line1\nline2')).toBe('"line1\nline2"');
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('+33 1 23')).toBe("'+33 1 23");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell(-0.25)).toBe('-0.25');
    expect(csvCell(undefined)).toBe('');
    expect(toCsv(['a', 'b'], [[1, 'x'], [null, '=1+1']])).toBe("a,b\r\n1,x\r\n,'=1+1\r\n");
  });
});
