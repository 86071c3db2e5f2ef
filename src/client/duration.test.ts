import { describe, expect, it } from 'vitest';
import { parseDuration, toIso } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['2h', 7_200_000, 'PT2H'],
    ['30m', 1_800_000, 'PT30M'],
    ['1h30m', 5_400_000, 'PT1H30M'],
    ['1d', 86_400_000, 'PT24H'],
    ['90s', 90_000, 'PT1M30S'],
    ['PT2H', 7_200_000, 'PT2H'],
    ['pt45m', 2_700_000, 'PT45M'],
    ['P1DT2H', 93_600_000, 'PT26H'],
    [' 8H ', 28_800_000, 'PT8H'],
  ])('%s is %d ms (%s)', (text, ms, iso) => {
    expect(parseDuration(text)).toEqual({ ms, iso });
  });

  it.each(['', '2', 'h', 'two hours', '0h', 'PT', 'P', 'PT2X', '-1h', '1.5h'])(
    'refuses %j as a usage error',
    (text) => {
      expect(() => parseDuration(text)).toThrow(expect.objectContaining({ exitCode: 2 }));
    },
  );

  it('writes a zero duration as PT0S', () => {
    expect(toIso(0)).toBe('PT0S');
  });
});
