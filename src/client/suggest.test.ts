import { describe, expect, it } from 'vitest';
import { closest, levenshtein } from './suggest.js';

describe('levenshtein', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['helpdesk', 'helpdesk', 0],
  ])('%j → %j is %d', (a, b, d) => {
    expect(levenshtein(a, b)).toBe(d);
  });
});

describe('closest', () => {
  const roles = [
    'Helpdesk Administrator',
    'Groups Administrator',
    'Global Administrator',
    'User Administrator',
  ];

  it('suggests the nearest names for a typo, nearest first', () => {
    expect(closest('Helpdesk Admnistrator', roles)).toEqual(['Helpdesk Administrator']);
    expect(closest('global admin', roles)).toEqual(['Global Administrator']);
  });

  it('suggests nothing for a name far from every candidate', () => {
    expect(closest('Exchange Recipient Manager', roles)).toEqual([]);
  });
});
