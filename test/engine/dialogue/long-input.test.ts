import { describe, expect, it } from 'vitest';
import { cutAtBoundary } from '../../../src/engine/dialogue/long-input.js';

describe('cutting long messages', () => {
  it('leaves short messages alone', () => {
    expect(cutAtBoundary('short', 10)).toBeUndefined();
  });
  it('cuts at the last line end, else at the last word end, never mid-word', () => {
    expect(cutAtBoundary('first line\nsecond line\nthird', 25)).toEqual({ text: 'first line\nsecond line', atLine: true });
    const words = 'lorem ipsum '.repeat(50);
    const cut = cutAtBoundary(words, 100)!;
    expect(cut.atLine).toBe(false);
    expect(cut.text.length).toBeLessThanOrEqual(100);
    expect(cut.text.endsWith('lorem') || cut.text.endsWith('ipsum')).toBe(true);
    expect(cutAtBoundary('x'.repeat(300), 100)).toEqual({ text: 'x'.repeat(100), atLine: false });
  });
});
