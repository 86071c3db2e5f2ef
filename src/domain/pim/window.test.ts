import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Window } from './types.js';
import {
  EXTEND_WINDOW_MS,
  MIN_ACTIVE_DURATION_MS,
  RENEW_WINDOW_MS,
  canExtend,
  canRenew,
  describeDuration,
  describeInstant,
  endWindowAt,
  holds,
  isCurrentOrFuture,
  outlivesEligibility,
} from './window.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 10, 27);
const END = START + 8 * 3_600_000;
const bounded: Window = { start: START, end: END };
const permanent: Window = { start: START, end: null };

describe('holds', () => {
  it.each([
    ['before start', bounded, START - 1, false],
    ['at start', bounded, START, true],
    ['inside', bounded, START + 1_000, true],
    ['at end - 1 ms', bounded, END - 1, true],
    ['at end', bounded, END, false],
    ['after end', bounded, END + 1, false],
    ['permanent, at start', permanent, START, true],
    ['permanent, far later', permanent, START + 3_650 * DAY, true],
    ['permanent, before start', permanent, START - 1, false],
    ['empty window [s, s)', { start: START, end: START }, START, false],
  ] as const)('%s → %s', (_name, window, now, expected) => {
    expect(holds(window, now)).toBe(expected);
  });

  const times = fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 });
  const lengths = fc.integer({ min: 1, max: 3_653 * DAY });

  it('is true exactly on [start, end) (property)', () => {
    fc.assert(
      fc.property(times, lengths, fc.integer({ min: -2 * DAY, max: 2 * DAY }), (start, length, offset) => {
        const window = { start, end: start + length };
        const now = start + offset;
        expect(holds(window, now)).toBe(now >= start && now < start + length);
        expect(holds(window, window.end - 1)).toBe(true);
        expect(holds(window, window.end)).toBe(false);
        expect(holds(window, window.start)).toBe(true);
      }),
    );
  });

  it('is false at and after end (property)', () => {
    fc.assert(
      fc.property(times, lengths, fc.nat(), (start, length, after) => {
        expect(holds({ start, end: start + length }, start + length + after)).toBe(false);
      }),
    );
  });

  it('a permanent window holds from its start on (property)', () => {
    fc.assert(
      fc.property(times, fc.nat(), (start, after) => {
        expect(holds({ start, end: null }, start + after)).toBe(true);
        expect(holds({ start, end: null }, start - 1)).toBe(false);
      }),
    );
  });
});

describe('isCurrentOrFuture', () => {
  it.each([
    [bounded, START - DAY, true],
    [bounded, END - 1, true],
    [bounded, END, false],
    [permanent, START + 100 * DAY, true],
  ] as const)('%o at %d → %s', (window, now, expected) => {
    expect(isCurrentOrFuture(window, now)).toBe(expected);
  });
});

describe('endWindowAt', () => {
  it.each([
    ['active → ends now', bounded, START + 1_000, { start: START, end: START + 1_000 }],
    ['permanent → ends now', permanent, START + DAY, { start: START, end: START + DAY }],
    ['future → empty, never holds', bounded, START - DAY, { start: START, end: START }],
    ['already ended → unchanged', bounded, END + 5, bounded],
    ['at end → unchanged', bounded, END, bounded],
  ] as const)('%s', (_name, window, now, expected) => {
    const ended = endWindowAt(window, now);
    expect(ended).toEqual(expected);
    expect(holds(ended, now)).toBe(false);
  });
});

describe('outlivesEligibility', () => {
  it.each([
    ['ends before the eligibility', { start: START, end: END - 1 }, bounded, false],
    ['ends with the eligibility', { start: START, end: END }, bounded, false],
    ['ends 1 ms after the eligibility', { start: START, end: END + 1 }, bounded, true],
    ['permanent activation, bounded eligibility', permanent, bounded, true],
    ['anything within a permanent eligibility', permanent, permanent, false],
  ] as const)('%s → %s', (_name, activation, eligibility, expected) => {
    expect(outlivesEligibility(activation, eligibility)).toBe(expected);
  });
});

describe('canExtend (14 days before end) and canRenew (30 days after)', () => {
  it('uses Entra’s windows and the 5-minute minimum', () => {
    expect(EXTEND_WINDOW_MS).toBe(14 * DAY);
    expect(RENEW_WINDOW_MS).toBe(30 * DAY);
    expect(MIN_ACTIVE_DURATION_MS).toBe(5 * 60_000);
  });

  it.each([
    ['15 days before end', END - 15 * DAY, false],
    ['14 days + 1 ms before end', END - 14 * DAY - 1, false],
    ['exactly 14 days before end', END - 14 * DAY, true],
    ['1 ms before end', END - 1, true],
    ['at end', END, false],
    ['after end', END + DAY, false],
  ])('canExtend %s → %s', (_name, now, expected) => {
    expect(canExtend(END, now)).toBe(expected);
  });

  it.each([
    ['1 ms before end', END - 1, false],
    ['at end', END, true],
    ['30 days - 1 ms after end', END + 30 * DAY - 1, true],
    ['30 days after end', END + 30 * DAY, false],
  ])('canRenew %s → %s', (_name, now, expected) => {
    expect(canRenew(END, now)).toBe(expected);
  });

  it('never extends or renews a permanent assignment', () => {
    expect(canExtend(null, START)).toBe(false);
    expect(canRenew(null, START)).toBe(false);
  });

  it('extend and renew never overlap (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 45 }),
        fc.integer({ min: -60 * DAY, max: 60 * DAY }),
        (end, d) => {
          expect(canExtend(end, end + d) && canRenew(end, end + d)).toBe(false);
        },
      ),
    );
  });
});

describe('describeInstant / describeDuration', () => {
  it('format what they can and never throw', () => {
    expect(describeInstant(Date.UTC(2025, 5, 30))).toBe('2025-06-30T00:00:00.000Z');
    expect(describeInstant(Number.NaN)).toBe('NaN ms');
    expect(describeInstant(1e300)).toBe('1e+300 ms');
    expect(describeDuration(9 * 3_600_000)).toBe('PT9H');
    expect(describeDuration(-1)).toBe('-1 ms');
  });
});
