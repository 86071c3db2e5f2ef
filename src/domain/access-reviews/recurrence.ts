import { ValidationError } from '../shared/errors.js';
import type { RecurrencePattern, ReviewSettings } from './types.js';

const DAY_MS = 86_400_000;
/** Never more occurrences than this are walked (a daily review for ten years is 3,650). */
const MAX_OCCURRENCES = 5_000;

function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const day = d.getUTCDate();
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  return Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), Math.min(day, lastDay));
}

/** The start of occurrence `k` (0-based) of a pattern from `start`. */
export function occurrenceStart(start: number, pattern: RecurrencePattern | null, k: number): number {
  if (pattern === null || k === 0) return start;
  switch (pattern.type) {
    case 'daily':
      return start + k * pattern.interval * DAY_MS;
    case 'weekly':
      return start + k * pattern.interval * 7 * DAY_MS;
    case 'absoluteMonthly':
      return addMonths(start, k * pattern.interval);
    case 'absoluteYearly':
      return addMonths(start, k * pattern.interval * 12);
  }
}

/** The shortest period a pattern can have, in days (a month counts 28). */
export function shortestPeriodDays(pattern: RecurrencePattern): number {
  const unit = { daily: 1, weekly: 7, absoluteMonthly: 28, absoluteYearly: 365 }[pattern.type];
  return unit * pattern.interval;
}

/**
 * The period starts of a review's recurrence that began at or before `now`, in order. A one-time
 * review (no pattern) has one. Ends at the range's end date or number of occurrences.
 */
export function periodsUpTo(recurrence: ReviewSettings['recurrence'], now: number): number[] {
  const { pattern, range } = recurrence;
  const out: number[] = [];
  const count =
    pattern === null ? 1 : range.type === 'numbered' ? range.numberOfOccurrences : MAX_OCCURRENCES;
  for (let k = 0; k < Math.min(count, MAX_OCCURRENCES); k += 1) {
    const at = occurrenceStart(range.startDate, pattern, k);
    if (at > now) break;
    if (range.type === 'endDate' && range.endDate !== null && at > range.endDate) break;
    out.push(at);
  }
  return out;
}

/**
 * Checks what the schema cannot: interval at least 1 (0 would repeat forever at one instant),
 * an end date not before the start, a number of occurrences for `numbered`, and an instance no
 * longer than the shortest period, so two instances of one definition never overlap.
 * @throws ValidationError
 */
export function checkRecurrence(
  settings: Pick<ReviewSettings, 'recurrence' | 'instanceDurationInDays'>,
): void {
  const { pattern, range } = settings.recurrence;
  if (settings.instanceDurationInDays < 1)
    throw new ValidationError(
      'instanceDurationInDays must be at least 1.',
      'settings.instanceDurationInDays',
    );
  if (pattern !== null) {
    if (!Number.isInteger(pattern.interval) || pattern.interval < 1)
      throw new ValidationError(
        'The recurrence interval must be a whole number of at least 1.',
        'settings.recurrence.pattern.interval',
      );
    if (settings.instanceDurationInDays > shortestPeriodDays(pattern))
      throw new ValidationError(
        `instanceDurationInDays (${settings.instanceDurationInDays}) is longer than the recurrence period ` +
          `(${shortestPeriodDays(pattern)} days).`,
        'settings.instanceDurationInDays',
      );
  }
  if (range.type === 'endDate' && (range.endDate === null || range.endDate < range.startDate))
    throw new ValidationError(
      'A recurrence of type endDate needs an endDate on or after its startDate.',
      'settings.recurrence.range.endDate',
    );
  if (range.type === 'numbered' && pattern !== null && range.numberOfOccurrences < 1)
    throw new ValidationError(
      'A recurrence of type numbered needs numberOfOccurrences of at least 1.',
      'settings.recurrence.range.numberOfOccurrences',
    );
}

export const DAYS = DAY_MS;
