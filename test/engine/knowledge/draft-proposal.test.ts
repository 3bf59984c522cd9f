import { describe, expect, it } from 'vitest';
import { notesToSteps, slugify } from '../../../src/engine/knowledge/draft-proposal.js';

// The stores' behaviour is in test/storage/contract/draft-store.test.ts (SQLite and PostgreSQL); this is the proposal they share.
describe('article proposal helpers', () => {
  it('turns plain note lines into numbered steps and keeps existing lists', () => {
    expect(notesToSteps('one\ntwo')).toBe('1. one\n2. two');
    expect(notesToSteps('- a\n- b')).toBe('- a\n- b');
    expect(notesToSteps('single line')).toBe('single line');
    expect(slugify('Écran noir après mise à jour !')).toBe('ecran-noir-apres-mise-a-jour');
  });
});
