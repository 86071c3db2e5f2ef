import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../shared/errors.js';
import { MAX_DURATION_MS, formatDuration, parseDuration } from './duration.js';

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('parseDuration', () => {
  it.each([
    ['PT8H', 8 * H],
    ['P180D', 180 * D],
    ['PT1H45M', H + 45 * M],
    ['P365D', 365 * D],
    ['PT30M', 30 * M],
    ['PT5H', 5 * H],
    ['P1DT2H', D + 2 * H],
    ['P1DT2H3M4S', D + 2 * H + 3 * M + 4 * S],
    ['PT90M', 90 * M],
    ['PT36H', 36 * H],
    ['PT0S', 0],
    ['P0D', 0],
    ['PT1.5S', 1_500],
    ['PT0.001S', 1],
    ['PT0.9999999S', 999],
    ['PT08H', 8 * H],
    ['P1W', 7 * D],
    ['P52W', 364 * D],
    ['pt8h', 8 * H],
    ['p1dT2h', D + 2 * H],
    ['P3653D', 3_653 * D],
    ['PT87672H', 3_653 * D],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['P1Y', /not years or months.*P365D/i],
    ['P1M', /not years or months/i],
    ['P1Y2M3D', /not years or months/i],
    ['P100000Y', /not years or months/i],
    ['-P1D', /negative/i],
    ['PT-1H', /negative/i],
    ['P-1D', /negative/i],
    ['P99999999D', /longer than the maximum/i],
    ['P3654D', /longer than the maximum/i],
    ['PT87672H0.001S', /longer than the maximum/i],
    ['P1D--1H', /must be an ISO 8601 duration such as PT8H.*is not one/i],
    ['PT87672H1S', /longer than the maximum/i],
    ['P9999999999999999999999999999999999999999999W', /longer than the maximum/i],
    ['PT0.5H', /fraction only in its seconds/i],
    ['PT1.5M', /fraction only in its seconds/i],
    ['P1.5D', /fraction only in its seconds/i],
    ['P1W2D', /must not combine weeks/i],
    ['P1WT1H', /must not combine weeks/i],
    ['', /must be an ISO 8601 duration such as PT8H.*is not one/i],
    ['P', /must be an ISO 8601 duration such as PT8H.*is not one/i],
    ['PT', /must be an ISO 8601 duration such as PT8H.*is not one/i],
    ['P1DT', /must be an ISO 8601 duration such as PT8H.*is not one/i],
    ['8H', /must be an ISO 8601 duration such as PT8H.*is not one/i],
    ['P1H', /must be an ISO 8601 duration such as PT8H.*is not one/i],
    ['PT1D', /must be an ISO 8601 duration such as PT8H.*is not one/i],
    ['PT1H1H', /must be an ISO 8601 duration such as PT8H.*is not one/i],
    ['PT1M1H', /must be an ISO 8601 duration such as PT8H.*is not one/i],
    [' PT8H', /must be an ISO 8601 duration such as PT8H.*is not one/i],
    ['PT8H ', /must be an ISO 8601 duration such as PT8H.*is not one/i],
    ['PT1,5S', /must be an ISO 8601 duration such as PT8H.*is not one/i],
    ['PT.5S', /must be an ISO 8601 duration such as PT8H.*is not one/i],
    ['+P1D', /must be an ISO 8601 duration such as PT8H.*is not one/i],
    ['P1D-', /must be an ISO 8601 duration such as PT8H.*is not one/i],
    ['PT８H', /must be an ISO 8601 duration such as PT8H.*is not one/i],
    ['PT' + '1'.repeat(62) + 'H', /at most 64 characters/i],
    ['P'.padEnd(1_000_000, '1'), /at most 64 characters/i],
  ])('rejects %j', (text, message) => {
    const run = () => parseDuration(text);
    expect(run).toThrow(ValidationError);
    expect(run).toThrow(message);
  });

  it('names the field in backticks, says what is expected and gives examples', () => {
    expect(() => parseDuration('8 hours', 'scheduleInfo.expiration.duration')).toThrow(
      '`scheduleInfo.expiration.duration` must be an ISO 8601 duration such as PT8H, P180D or PT1H45M; "8 hours" is not one.',
    );
    expect(() => parseDuration('8 hours')).toThrow(
      'The value must be an ISO 8601 duration such as PT8H, P180D or PT1H45M; "8 hours" is not one.',
    );
    expect(() => parseDuration('P1Y', 'maximumDuration')).toThrow(
      '`maximumDuration` must count days, not years or months, whose length depends on the calendar: e.g. P365D instead of "P1Y".',
    );
  });

  it('reports the target field and the invalidRequest code', () => {
    try {
      parseDuration('P1Y', 'maximumDuration');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: 'invalidRequest', target: 'maximumDuration', kind: 'validation' });
    }
  });

  it('rejects a non-string at runtime (JSON may carry a number)', () => {
    expect(() => parseDuration(8 as unknown as string)).toThrow(ValidationError);
  });

  it('accepts exactly the maximum and nothing one millisecond past it', () => {
    expect(parseDuration(formatDuration(MAX_DURATION_MS))).toBe(MAX_DURATION_MS);
    expect(() => parseDuration(formatDuration(MAX_DURATION_MS + 1))).toThrow(ValidationError);
  });
});

describe('formatDuration', () => {
  it.each([
    [8 * H, 'PT8H'],
    [180 * D, 'P180D'],
    [D + 2 * H, 'P1DT2H'],
    [0, 'PT0S'],
    [H + 45 * M, 'PT1H45M'],
    [365 * D, 'P365D'],
    [30 * M, 'PT30M'],
    [24 * H, 'P1D'],
    [90 * M, 'PT1H30M'],
    [1_500, 'PT1.5S'],
    [1, 'PT0.001S'],
    [10, 'PT0.01S'],
    [D + 500, 'P1DT0.5S'],
    [D + 2 * H + 3 * M + 4 * S + 50, 'P1DT2H3M4.05S'],
    [7 * D, 'P7D'],
    [5 * M, 'PT5M'],
    [3_653 * D, 'P3653D'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1])(
    'refuses %d as a programming error',
    (ms) => {
      expect(() => formatDuration(ms)).toThrow(RangeError);
    },
  );
});

describe('duration properties', () => {
  it('round-trips every whole-second value within bounds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_DURATION_MS / S }), (seconds) => {
        expect(parseDuration(formatDuration(seconds * S))).toBe(seconds * S);
      }),
    );
  });

  it('round-trips every millisecond value within bounds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_DURATION_MS }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });

  it('formats to the canonical form: re-formatting a parsed value changes nothing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_DURATION_MS }), (ms) => {
        const text = formatDuration(ms);
        expect(formatDuration(parseDuration(text))).toBe(text);
        expect(text).toMatch(/^P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d{1,3})?S)?)?$/);
      }),
    );
  });

  const onlyValidationErrors = (text: string) => {
    try {
      const ms = parseDuration(text);
      expect(Number.isSafeInteger(ms) && ms >= 0 && ms <= MAX_DURATION_MS).toBe(true);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
    }
  };

  it('returns a bounded number or throws ValidationError for any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), onlyValidationErrors));
  });

  it('returns a bounded number or throws ValidationError for duration-like strings', () => {
    const unit = fc.constantFrom(...'PTYMWDHSptmdhs0123456789.,-+ '.split(''));
    fc.assert(fc.property(fc.string({ unit, maxLength: 70 }), onlyValidationErrors), { numRuns: 5_000 });
  });
});
