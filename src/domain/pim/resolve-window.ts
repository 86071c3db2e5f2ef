import { ValidationError } from '../shared/errors.js';
import { MAX_DATETIME } from '../time/datetime.js';
import { parseDuration } from '../time/duration.js';
import type { RequestedSchedule, Window } from './types.js';
import { describeInstant } from './window.js';

const DURATION_TARGET = 'scheduleInfo.expiration.duration';
const END_TARGET = 'scheduleInfo.expiration.endDateTime';

/**
 * Turns a request's `scheduleInfo` into the window the schedule will hold, read at `now`:
 *
 * - **Start**: the requested `startDateTime`, or `now` when absent. A start in the past becomes
 *   `now`, for every action: Entra rewrites it to the processing time (reference §1.1), and a
 *   record must never claim access held before it was granted (reviews and audits read history).
 * - **End**: `afterDuration` counts the duration from the *requested* start, `afterDateTime` takes
 *   `endDateTime`, `noExpiration` is permanent (`end: null`). `notSpecified` follows whichever of
 *   `endDateTime`/`duration` is present, and is permanent when neither is; policy then decides
 *   whether permanent is allowed (`ExpirationRule`), which is where the refusal belongs.
 * - Contradictory bodies are refused rather than guessed at: `afterDuration` with an
 *   `endDateTime`, `afterDateTime` with a `duration`, `noExpiration` with either, a missing
 *   duration or end date, an end at or before the start.
 * - A window wholly in the past (`end <= now`) is refused with a message naming the end, e.g. the
 *   Entra-style client's `2025-01-01` + `P180D` read in 2026. Because the duration counts from the
 *   requested start, the same body always asks for the same interval; a partly past window is
 *   shortened to its future part.
 *
 * @throws ValidationError (`invalidRequest`, with the offending field as target).
 */
export function resolveWindow(requested: RequestedSchedule, now: number): Window {
  const requestedStart = requested.startDateTime ?? now;
  const end = requestedEnd(requested, requestedStart);
  if (end !== null) {
    if (end > MAX_DATETIME) {
      throw new ValidationError('The schedule would end after 9999-12-31T23:59:59.999Z.', 'scheduleInfo');
    }
    if (end <= requestedStart) {
      throw new ValidationError(
        `The schedule must end after it starts; it starts on ${describeInstant(requestedStart)} ` +
          `and ends on ${describeInstant(end)}.`,
        'scheduleInfo',
      );
    }
    if (end <= now) {
      throw new ValidationError(
        `The schedule ends on ${describeInstant(end)}, which is in the past; ` +
          'use a start date of today or later.',
        'scheduleInfo',
      );
    }
  }
  return { start: Math.max(requestedStart, now), end };
}

/** The end the client asked for, in epoch ms, or `null` for permanent. */
function requestedEnd(requested: RequestedSchedule, requestedStart: number): number | null {
  const { type, endDateTime, duration } = requested.expiration;
  switch (type) {
    case 'noExpiration':
      if (endDateTime !== null) throw contradiction('noExpiration', 'an endDateTime', END_TARGET);
      if (duration !== null) throw contradiction('noExpiration', 'a duration', DURATION_TARGET);
      return null;
    case 'afterDuration':
      if (endDateTime !== null) throw contradiction('afterDuration', 'an endDateTime', END_TARGET);
      if (duration === null) throw missing('afterDuration', 'a duration (e.g. PT8H)', DURATION_TARGET);
      return requestedStart + parseDuration(duration, DURATION_TARGET);
    case 'afterDateTime':
      if (duration !== null) throw contradiction('afterDateTime', 'a duration', DURATION_TARGET);
      if (endDateTime === null) throw missing('afterDateTime', 'an endDateTime', END_TARGET);
      return endDateTime;
    case 'notSpecified':
      if (endDateTime !== null && duration !== null) {
        throw new ValidationError(
          'An expiration may have an endDateTime or a duration, not both; set its type to say which.',
          'scheduleInfo.expiration',
        );
      }
      if (duration !== null) return requestedStart + parseDuration(duration, DURATION_TARGET);
      return endDateTime;
  }
}

function contradiction(type: string, what: string, target: string): ValidationError {
  return new ValidationError(`An expiration of type ${type} cannot have ${what}.`, target);
}

function missing(type: string, what: string, target: string): ValidationError {
  return new ValidationError(`An expiration of type ${type} needs ${what}.`, target);
}
