import { describe, expect, it } from 'vitest';
import { audienceNames, isPublicAudience, visibleTo } from '../../../src/engine/knowledge/audience.js';

describe('article audience', () => {
  it('treats no audience and the public names as everyone', () => {
    for (const a of [undefined, '', 'all-staff', 'Everyone', 'employees, IT staff']) expect(isPublicAudience(a)).toBe(true);
    expect(visibleTo('all-staff', undefined)).toBe(true);
  });

  it('shows a restricted article only to members of one of its audiences, case-insensitively', () => {
    expect(audienceNames(' IT staff ,Network team')).toEqual(['it staff', 'network team']);
    expect(visibleTo('IT staff, Network team', undefined)).toBe(false);
    expect(visibleTo('IT staff, Network team', [])).toBe(false);
    expect(visibleTo('IT staff, Network team', ['Sales'])).toBe(false);
    expect(visibleTo('IT staff, Network team', ['network TEAM'])).toBe(true);
  });
});
