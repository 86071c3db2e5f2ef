import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../shared/errors.js';
import { parseDateTime } from '../time/datetime.js';
import { parseDuration } from '../time/duration.js';
import { resolveWindow } from './resolve-window.js';
import type { ExpirationType, RequestedSchedule } from './types.js';
import { holds } from './window.js';

const H = 3_600_000;
const D = 24 * H;
const NOW = parseDateTime('2026-11-27T00:00:00Z');

function schedule(
  startDateTime: number | null,
  type: ExpirationType,
  fields: { endDateTime?: number; duration?: string } = {},
): RequestedSchedule {
  return {
    startDateTime,
    expiration: { type, endDateTime: fields.endDateTime ?? null, duration: fields.duration ?? null },
  };
}

describe('resolveWindow: accepted schedules', () => {
  it.each([
    [
      'afterDuration from now (start null)',
      schedule(null, 'afterDuration', { duration: 'PT8H' }),
      NOW,
      NOW + 8 * H,
    ],
    ['afterDuration, start = now', schedule(NOW, 'afterDuration', { duration: 'PT5H' }), NOW, NOW + 5 * H],
    [
      'afterDuration, future start',
      schedule(NOW + D, 'afterDuration', { duration: 'PT5H' }),
      NOW + D,
      NOW + D + 5 * H,
    ],
    ['afterDateTime', schedule(null, 'afterDateTime', { endDateTime: NOW + 30 * D }), NOW, NOW + 30 * D],
    ['noExpiration', schedule(null, 'noExpiration'), NOW, null],
    ['noExpiration, future start', schedule(NOW + D, 'noExpiration'), NOW + D, null],
    ['notSpecified + duration', schedule(null, 'notSpecified', { duration: 'PT1H' }), NOW, NOW + H],
    ['notSpecified + endDateTime', schedule(null, 'notSpecified', { endDateTime: NOW + D }), NOW, NOW + D],
    ['notSpecified alone is permanent (policy decides)', schedule(null, 'notSpecified'), NOW, null],
    [
      'a past start moves to now and keeps the whole duration',
      schedule(NOW - 2 * H, 'afterDuration', { duration: 'PT8H' }),
      NOW,
      NOW + 8 * H,
    ],
    [
      'a past start with notSpecified + duration keeps the whole duration',
      schedule(NOW - 3 * D, 'notSpecified', { duration: 'P1D' }),
      NOW,
      NOW + D,
    ],
    [
      'the Entra-style client body: 2025-01-01 + P180D read in 2026 holds P180D from now',
      schedule(parseDateTime('2025-01-01T00:00:00Z'), 'afterDuration', { duration: 'P180D' }),
      NOW,
      NOW + 180 * D,
    ],
    [
      'a past start with an endDateTime still ahead ends as asked',
      schedule(NOW - 30 * D, 'afterDateTime', { endDateTime: NOW + 5 * D }),
      NOW,
      NOW + 5 * D,
    ],
    ['a past start, permanent', schedule(NOW - 365 * D, 'noExpiration'), NOW, null],
    ['ends 1 ms after now', schedule(NOW - H, 'afterDateTime', { endDateTime: NOW + 1 }), NOW, NOW + 1],
    ['lowercase duration', schedule(null, 'afterDuration', { duration: 'pt8h' }), NOW, NOW + 8 * H],
  ])('%s', (_name, requested, start, end) => {
    expect(resolveWindow(requested, NOW)).toEqual({ start, end });
  });
});

describe('resolveWindow: refused schedules', () => {
  it.each([
    [
      'afterDuration with an endDateTime',
      schedule(null, 'afterDuration', { duration: 'PT8H', endDateTime: NOW + H }),
      'scheduleInfo.expiration.endDateTime',
      'An expiration of type afterDuration cannot have an endDateTime.',
    ],
    [
      'afterDuration without a duration',
      schedule(null, 'afterDuration'),
      'scheduleInfo.expiration.duration',
      'An expiration of type afterDuration needs a duration (e.g. PT8H).',
    ],
    [
      'afterDateTime without an endDateTime',
      schedule(null, 'afterDateTime'),
      'scheduleInfo.expiration.endDateTime',
      'An expiration of type afterDateTime needs an endDateTime.',
    ],
    [
      'afterDateTime with a duration',
      schedule(null, 'afterDateTime', { endDateTime: NOW + H, duration: 'PT1H' }),
      'scheduleInfo.expiration.duration',
      'An expiration of type afterDateTime cannot have a duration.',
    ],
    [
      'noExpiration with an endDateTime',
      schedule(null, 'noExpiration', { endDateTime: NOW + H }),
      'scheduleInfo.expiration.endDateTime',
      'An expiration of type noExpiration cannot have an endDateTime.',
    ],
    [
      'noExpiration with a duration',
      schedule(null, 'noExpiration', { duration: 'PT1H' }),
      'scheduleInfo.expiration.duration',
      'An expiration of type noExpiration cannot have a duration.',
    ],
    [
      'notSpecified with both',
      schedule(null, 'notSpecified', { endDateTime: NOW + H, duration: 'PT1H' }),
      'scheduleInfo.expiration',
      'An expiration may have an endDateTime or a duration, not both; set its type to say which.',
    ],
    [
      'a zero duration',
      schedule(null, 'afterDuration', { duration: 'PT0S' }),
      'scheduleInfo',
      'The schedule must end after it starts; it starts on 2026-11-27T00:00:00.000Z and ends on 2026-11-27T00:00:00.000Z.',
    ],
    [
      'an end before the start',
      schedule(NOW + D, 'afterDateTime', { endDateTime: NOW + H }),
      'scheduleInfo',
      'The schedule must end after it starts; it starts on 2026-11-28T00:00:00.000Z and ends on 2026-11-27T01:00:00.000Z.',
    ],
    [
      'an afterDateTime end already past (2025-01-01 to 2025-06-30)',
      schedule(parseDateTime('2025-01-01T00:00:00Z'), 'afterDateTime', {
        endDateTime: parseDateTime('2025-06-30T00:00:00Z'),
      }),
      'scheduleInfo.expiration.endDateTime',
      'The schedule ends on 2025-06-30T00:00:00.000Z, which is in the past; choose a later endDateTime.',
    ],
    [
      'a notSpecified end already past, without a start',
      schedule(null, 'notSpecified', { endDateTime: NOW - D }),
      'scheduleInfo.expiration.endDateTime',
      'The schedule ends on 2026-11-26T00:00:00.000Z, which is in the past; choose a later endDateTime.',
    ],
    [
      'ending exactly now',
      schedule(NOW - H, 'afterDateTime', { endDateTime: NOW }),
      'scheduleInfo.expiration.endDateTime',
      'The schedule ends on 2026-11-27T00:00:00.000Z, which is in the past; choose a later endDateTime.',
    ],
    [
      'ending after year 9999',
      schedule(parseDateTime('9999-12-31T00:00:00Z'), 'afterDuration', { duration: 'P2D' }),
      'scheduleInfo',
      'The schedule would end after 9999-12-31T23:59:59.999Z.',
    ],
  ])('%s', (_name, requested, target, message) => {
    try {
      resolveWindow(requested, NOW);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).code).toBe('invalidRequest');
      expect((error as ValidationError).target).toBe(target);
      expect((error as ValidationError).message).toBe(message);
    }
  });

  it.each([['PT-1H'], ['P1Y'], ['P100000Y'], ['8 hours'], ['P99999999D']])(
    'refuses the malformed duration %s',
    (duration) => {
      expect(() => resolveWindow(schedule(null, 'afterDuration', { duration }), NOW)).toThrow(
        ValidationError,
      );
    },
  );
});

describe('resolveWindow properties', () => {
  const requests = fc.record({
    startDateTime: fc.option(fc.integer({ min: NOW - 400 * D, max: NOW + 400 * D })),
    expiration: fc.oneof(
      fc.record({
        type: fc.constant<ExpirationType>('afterDuration'),
        endDateTime: fc.constant(null),
        duration: fc.integer({ min: 0, max: 900 }).map((h) => `PT${h}H`),
      }),
      fc.record({
        type: fc.constantFrom<ExpirationType>('afterDateTime', 'notSpecified'),
        endDateTime: fc.integer({ min: NOW - 800 * D, max: NOW + 800 * D }),
        duration: fc.constant(null),
      }),
      fc.record({
        type: fc.constantFrom<ExpirationType>('noExpiration', 'notSpecified'),
        endDateTime: fc.constant(null),
        duration: fc.constant(null),
      }),
    ),
  });

  it('either refuses with a ValidationError or gives a window that starts no earlier than now, ends after it, and holds at its start', () => {
    fc.assert(
      fc.property(requests, (requested) => {
        let window;
        try {
          window = resolveWindow(requested, NOW);
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
          return;
        }
        expect(window.start).toBeGreaterThanOrEqual(NOW);
        if (window.end !== null) expect(window.end).toBeGreaterThan(NOW);
        expect(holds(window, window.start)).toBe(true);
        if (requested.startDateTime !== null && requested.startDateTime > NOW) {
          expect(window.start).toBe(requested.startDateTime);
        }
        // A duration always holds in full from the resolved start, however late the body arrives.
        const { duration } = requested.expiration;
        if (duration !== null) expect(window.end).toBe(window.start + parseDuration(duration));
      }),
    );
  });
});
