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
 * - **End**: `afterDuration` counts the duration from the start as resolved, so a past start moved
 *   to now keeps the whole duration asked for (Microsoft's documented bodies, written with a start
 *   that has since passed, get what they ask for: `2025-01-01` + `P180D` read in 2026 holds 180
 *   days from now). `afterDateTime` takes `endDateTime` as given, `noExpiration` is permanent
 *   (`end: null`). `notSpecified` follows whichever of `endDateTime`/`duration` is present, and is
 *   permanent when neither is; policy then decides whether permanent is allowed (`ExpirationRule`),
 *   which is where the refusal belongs.
 * - Contradictory bodies are refused rather than guessed at: `afterDuration` with an
 *   `endDateTime`, `afterDateTime` with a duration, `noExpiration` with either, a missing
 *   duration or end date, an end at or before the start.
 * - An `endDateTime` already past (`end <= now`) is refused with a message naming it: only a
 *   fixed end can lie in the past, since a duration always counts from now or later.
 *
 * @throws ValidationError (`invalidRequest`, with the offending field as target).
 */
export function resolveWindow(requested: RequestedSchedule, now: number): Window {
  const start = Math.max(requested.startDateTime ?? now, now);
  const end = requestedEnd(requested, start);
  if (end === null) return { start, end };
  if (end.at > MAX_DATETIME) {
    throw new ValidationError('The schedule would end after 9999-12-31T23:59:59.999Z.', 'scheduleInfo');
  }
  if (!end.fromDuration && end.at <= now) {
    throw new ValidationError(
      `The schedule ends on ${describeInstant(end.at)}, which is in the past; choose a later endDateTime.`,
      END_TARGET,
    );
  }
  if (end.at <= start) {
    throw new ValidationError(
      `The schedule must end after it starts; it starts on ${describeInstant(start)} ` +
        `and ends on ${describeInstant(end.at)}.`,
      'scheduleInfo',
    );
  }
  return { start, end: end.at };
}

/** Where the schedule ends (epoch ms) and whether a duration decided it; `null` for permanent. */
interface End {
  at: number;
  fromDuration: boolean;
}

/** The end the client asked for, counted from the resolved start, or `null` for permanent. */
function requestedEnd(requested: RequestedSchedule, start: number): End | null {
  const { type, endDateTime, duration } = requested.expiration;
  const after = (text: string): End => ({
    at: start + parseDuration(text, DURATION_TARGET),
    fromDuration: true,
  });
  const until = (at: number): End => ({ at, fromDuration: false });
  switch (type) {
    case 'noExpiration':
      if (endDateTime !== null) throw contradiction('noExpiration', 'an endDateTime', END_TARGET);
      if (duration !== null) throw contradiction('noExpiration', 'a duration', DURATION_TARGET);
      return null;
    case 'afterDuration':
      if (endDateTime !== null) throw contradiction('afterDuration', 'an endDateTime', END_TARGET);
      if (duration === null) throw missing('afterDuration', 'a duration (e.g. PT8H)', DURATION_TARGET);
      return after(duration);
    case 'afterDateTime':
      if (duration !== null) throw contradiction('afterDateTime', 'a duration', DURATION_TARGET);
      if (endDateTime === null) throw missing('afterDateTime', 'an endDateTime', END_TARGET);
      return until(endDateTime);
    case 'notSpecified':
      if (endDateTime !== null && duration !== null) {
        throw new ValidationError(
          'An expiration may have an endDateTime or a duration, not both; set its type to say which.',
          'scheduleInfo.expiration',
        );
      }
      if (duration !== null) return after(duration);
      return endDateTime === null ? null : until(endDateTime);
  }
}

function contradiction(type: string, what: string, target: string): ValidationError {
  return new ValidationError(`An expiration of type ${type} cannot have ${what}.`, target);
}

function missing(type: string, what: string, target: string): ValidationError {
  return new ValidationError(`An expiration of type ${type} needs ${what}.`, target);
}
