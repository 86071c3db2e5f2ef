import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../shared/errors.js';
import { MAX_DATETIME, MIN_DATETIME, formatDateTime, parseDateTime } from './datetime.js';

/** The oracle for valid input: `Date` is fine in tests, and agrees wherever it does not roll over. */
const utc = (iso: string) => new Date(iso).getTime();

describe('parseDateTime', () => {
  it.each([
    ['2022-04-10T00:00:00Z', utc('2022-04-10T00:00:00.000Z')],
    ['2022-04-11T11:50:03.9014347Z', utc('2022-04-11T11:50:03.901Z')],
    ['2022-04-11T11:50:03.9999999Z', utc('2022-04-11T11:50:03.999Z')],
    ['2022-04-11T11:50:03.9Z', utc('2022-04-11T11:50:03.900Z')],
    ['2022-04-11T11:50:03.123456789Z', utc('2022-04-11T11:50:03.123Z')],
    ['2022-04-11T11:50:03.123456789012Z', utc('2022-04-11T11:50:03.123Z')],
    ['2022-04-10T02:00:00+02:00', utc('2022-04-10T00:00:00.000Z')],
    ['2022-04-09T18:30:00-05:30', utc('2022-04-10T00:00:00.000Z')],
    ['2022-04-10T00:00:00-00:00', utc('2022-04-10T00:00:00.000Z')],
    ['2022-04-10T14:00:00+14:00', utc('2022-04-10T00:00:00.000Z')],
    ['2022-04-09T10:00:00-14:00', utc('2022-04-10T00:00:00.000Z')],
    ['2022-04-10t00:00:00z', utc('2022-04-10T00:00:00.000Z')],
    ['2022-04-10T10:15Z', utc('2022-04-10T10:15:00.000Z')],
    ['1970-01-01T00:00:00Z', 0],
    ['1970-01-01T01:00:00+01:00', 0],
    ['1969-12-31T23:59:59.999Z', -1],
    ['2024-02-29T12:00:00Z', utc('2024-02-29T12:00:00Z')],
    ['2000-02-29T00:00:00Z', utc('2000-02-29T00:00:00Z')],
    ['0001-01-01T00:00:00Z', MIN_DATETIME],
    ['0001-01-01T08:00:00Z', MIN_DATETIME + 8 * 3_600_000],
    ['0099-06-15T00:00:00Z', utc('0099-06-15T00:00:00Z')],
    ['9999-12-31T23:59:59.999Z', MAX_DATETIME],
    ['9999-12-31T23:59:59.9999999Z', MAX_DATETIME],
  ])('%s → %d', (text, ms) => {
    expect(parseDateTime(text)).toBe(ms);
  });

  it.each([
    ['2022-04-10T00:00:00', /must have a time zone/i],
    ['2022-04-10T00:00:00.123', /must have a time zone/i],
    ['2022-04-10', /must have a time as well as a date/i],
    ['2025-13-40T00:00:00Z', /month between 01 and 12/i],
    ['2025-00-10T00:00:00Z', /month/i],
    ['2023-02-30T00:00:00Z', /day 30 is not in a month of 28 days/i],
    ['2023-02-29T00:00:00Z', /day 29 is not in a month/i],
    ['1900-02-29T00:00:00Z', /day 29 is not in a month/i],
    ['2022-04-31T00:00:00Z', /day 31 is not in a month/i],
    ['2022-04-00T00:00:00Z', /day 00 is not in a month/i],
    ['2022-04-10T24:00:00Z', /hour between 00 and 23/i],
    ['2022-04-10T23:60:00Z', /minute/i],
    ['2016-12-31T23:59:60Z', /leap seconds are not supported/i],
    ['0000-01-01T00:00:00Z', /year between 0001 and 9999/i],
    ['10000-01-01T00:00:00Z', /must be an ISO 8601 date-time with a time zone/i],
    ['+010000-01-01T00:00:00Z', /must be an ISO 8601 date-time with a time zone/i],
    ['0001-01-01T00:00:00+01:00', /must lie between/i],
    ['9999-12-31T23:59:59-01:00', /must lie between/i],
    ['2022-04-10T00:00:00+14:01', /offset between/i],
    ['2022-04-10T00:00:00+15:00', /offset/i],
    ['2022-04-10T00:00:00+02:60', /offset/i],
    ['2022-04-10T00:00:00+0200', /must be an ISO 8601 date-time with a time zone/i],
    ['2022-04-10T00:00:00+02', /must be an ISO 8601 date-time with a time zone/i],
    ['2022-04-10 00:00:00Z', /must be an ISO 8601 date-time with a time zone/i],
    ['20220410T000000Z', /must be an ISO 8601 date-time with a time zone/i],
    ['2022-04-10T00:00:00.Z', /must be an ISO 8601 date-time with a time zone/i],
    ['2022-04-10T00:00:00.1234567890123Z', /must be an ISO 8601 date-time with a time zone/i],
    ['2022-4-10T00:00:00Z', /must be an ISO 8601 date-time with a time zone/i],
    ['2022-04-10T0:00:00Z', /must be an ISO 8601 date-time with a time zone/i],
    ['2022-04-10T00:00:00ZZ', /must be an ISO 8601 date-time with a time zone/i],
    [' 2022-04-10T00:00:00Z', /must be an ISO 8601 date-time with a time zone/i],
    ['2022-04-10T00:00:00Z ', /must be an ISO 8601 date-time with a time zone/i],
    ['２０２２-04-10T00:00:00Z', /must be an ISO 8601 date-time with a time zone/i],
    ['1649548800000', /must be an ISO 8601 date-time with a time zone/i],
    ['', /must be an ISO 8601 date-time with a time zone/i],
    ['2022-04-10T00:00:00.' + '0'.repeat(22) + 'Z', /at most 40 characters/i],
    ['2'.repeat(1_000_000), /at most 40 characters/i],
  ])('rejects %j', (text, message) => {
    const run = () => parseDateTime(text);
    expect(run).toThrow(ValidationError);
    expect(run).toThrow(message);
  });

  it('names the field in backticks and says what is expected', () => {
    expect(() => parseDateTime('2026-11-27T10:00:00', 'scheduleInfo.startDateTime')).toThrow(
      '`scheduleInfo.startDateTime` must have a time zone: add Z or an offset such as +02:00 to "2026-11-27T10:00:00".',
    );
    expect(() => parseDateTime('tomorrow')).toThrow(
      'The value must be an ISO 8601 date-time with a time zone (e.g. 2022-04-10T00:00:00Z or 2022-04-10T02:00:00+02:00); "tomorrow" is not one.',
    );
  });

  it('reports the target field and the invalidRequest code', () => {
    try {
      parseDateTime('2023-02-30T00:00:00Z', 'scheduleInfo.startDateTime');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: 'invalidRequest', target: 'scheduleInfo.startDateTime' });
    }
  });

  it('rejects a non-string at runtime (JSON may carry a number)', () => {
    expect(() => parseDateTime(0 as unknown as string)).toThrow(ValidationError);
  });
});

describe('formatDateTime', () => {
  it.each([
    [0, '1970-01-01T00:00:00.000Z'],
    [-1, '1969-12-31T23:59:59.999Z'],
    [MIN_DATETIME, '0001-01-01T00:00:00.000Z'],
    [MAX_DATETIME, '9999-12-31T23:59:59.999Z'],
    [utc('2022-04-11T11:50:03.901Z'), '2022-04-11T11:50:03.901Z'],
    [utc('2024-02-29T23:59:59.999Z'), '2024-02-29T23:59:59.999Z'],
    [utc('0099-06-15T00:00:00Z'), '0099-06-15T00:00:00.000Z'],
  ])('%d → %s', (ms, text) => {
    expect(formatDateTime(ms)).toBe(text);
  });

  it.each([MIN_DATETIME - 1, MAX_DATETIME + 1, 0.5, Number.NaN, Number.NEGATIVE_INFINITY])(
    'refuses %d as a programming error',
    (ms) => {
      expect(() => formatDateTime(ms)).toThrow(RangeError);
    },
  );

  it('pins the constants to the calendar', () => {
    expect(new Date(MIN_DATETIME).toISOString()).toBe('0001-01-01T00:00:00.000Z');
    expect(new Date(MAX_DATETIME).toISOString()).toBe('9999-12-31T23:59:59.999Z');
  });
});

describe('datetime properties', () => {
  const anyInstant = fc.integer({ min: MIN_DATETIME, max: MAX_DATETIME });

  it('round-trips every millisecond in the range', () => {
    fc.assert(
      fc.property(anyInstant, (ms) => {
        expect(parseDateTime(formatDateTime(ms))).toBe(ms);
      }),
      { numRuns: 2_000 },
    );
  });

  it('formats exactly as Date#toISOString does', () => {
    fc.assert(
      fc.property(anyInstant, (ms) => {
        expect(formatDateTime(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2_000 },
    );
  });

  it('reads the same instant under any offset within ±14:00', () => {
    const offsetMinutes = fc.integer({ min: -14 * 60, max: 14 * 60 });
    const inner = fc.integer({ min: MIN_DATETIME + 14 * 3_600_000, max: MAX_DATETIME - 14 * 3_600_000 });
    fc.assert(
      fc.property(inner, offsetMinutes, (ms, offset) => {
        const local = formatDateTime(ms + offset * 60_000).slice(0, -1);
        const abs = Math.abs(offset);
        const zone = `${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
        expect(parseDateTime(local + zone)).toBe(ms);
      }),
    );
  });

  const onlyValidationErrors = (text: string) => {
    try {
      const ms = parseDateTime(text);
      expect(Number.isInteger(ms) && ms >= MIN_DATETIME && ms <= MAX_DATETIME).toBe(true);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
    }
  };

  it('returns an in-range number or throws ValidationError for any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 50 }), onlyValidationErrors));
  });

  it('returns an in-range number or throws ValidationError for date-like strings', () => {
    const digit = fc.constantFrom(...'0123456789'.split(''));
    const two = fc.string({ unit: digit, minLength: 1, maxLength: 3 });
    const tail = fc.constantFrom('Z', 'z', '', '+14:00', '-14:01', '+00:00', '-05:30', '+99:99');
    const text = fc
      .tuple(fc.string({ unit: digit, minLength: 3, maxLength: 5 }), two, two, two, two, two, tail)
      .map(([y, mo, d, h, mi, s, z]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${z}`);
    fc.assert(fc.property(text, onlyValidationErrors), { numRuns: 5_000 });
  });
});
