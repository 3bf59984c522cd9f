import { describe, expect, it } from 'vitest';
import { pseudoQuestions } from '../../../src/engine/knowledge/pseudo-questions.js';

const body = [
  'A docking station connects your laptop to screens. It usually works.',
  '',
  '## Symptoms',
  '- Monitors stay black or show "No signal" when the laptop is docked.',
  '- The keyboard plugged into the dock does nothing.',
  '',
  '## Resolution',
  '1. Press `Win+P`. If it says "The display driver stopped responding", restart.',
  '',
  '## Update the dock firmware',
  '```',
  '## not a heading',
  '```',
  '## On macOS',
  '## If it still doesn\'t work',
].join('\n');

describe('pseudoQuestions', () => {
  it('draws symptom lines, quoted errors, the title and specific headings, most telling first', () => {
    const qs = pseudoQuestions({ title: 'Docking station problems', body }, 6);
    expect(qs.map((q) => [q.origin, q.text])).toEqual([
      ['symptom', 'Monitors stay black or show "No signal" when the laptop is docked.'],
      ['symptom', 'The keyboard plugged into the dock does nothing.'],
      ['quote', 'The display driver stopped responding'],
      ['title', 'Docking station problems'],
      ['heading', 'Update the dock firmware'],
      ['opening', 'A docking station connects your laptop to screens.'],
    ]);
  });

  it('names the text to take out of the index, and respects the maximum', () => {
    const qs = pseudoQuestions({ title: 'Docking station problems', body }, 4);
    expect(qs).toHaveLength(4);
    expect(qs[0]!.mask).toEqual({ kind: 'line', line: '- Monitors stay black or show "No signal" when the laptop is docked.' });
    expect(qs[3]!.mask).toEqual({ kind: 'title' });
  });

  it('gives the title alone for an article without structure, never generic headings', () => {
    const qs = pseudoQuestions({ title: 'Reset your password', body: '## Résolution\n## Sur Android\n## Si le problème persiste' });
    expect(qs.map((q) => q.text)).toEqual(['Reset your password']);
  });
});
