import { ValidationError } from '../shared/errors.js';

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;

/**
 * The longest duration Elevate accepts: 3,653 days (ten years, counting leap days). No PIM setting
 * needs more (Entra caps eligibility at a year), and a bound keeps schedule arithmetic far from
 * overflow and stops `P99999999D` from becoming an "effectively permanent" grant by accident.
 */
export const MAX_DURATION_MS = 3_653 * DAY_MS;

/** Longest duration text we look at; anything longer is rejected before any regex runs. */
export const MAX_DURATION_TEXT_LENGTH = 64;

/**
 * The full ISO-8601 duration grammar (case-insensitive), with fractions allowed in every slot, so
 * that we can say *why* a well-formed but unsupported value (`P1Y`, `PT0.5H`) is refused.
 */
const ISO_DURATION =
  /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

const EXAMPLES = 'such as PT8H, P180D or PT1H45M';

/**
 * Parses an ISO-8601 duration as Graph uses it (`PT8H`, `P180D`, `PT1H45M`, `P1DT2H`, `PT0.5S`)
 * into milliseconds. Graph's `Edm.Duration` is a day-time duration, so we accept exactly that and
 * say clearly what we refuse, because a silently misread policy duration is a security bug:
 * - Years and months (`P1Y`, `P1M`) are refused: their length depends on the calendar (is `P1M`
 *   28 or 31 days?). Use days instead, e.g. `P365D`.
 * - Weeks (`P2W`) are accepted as exactly 7 days, but only alone (`PnW`, as ISO 8601-1 has it).
 * - Fractions are allowed only on seconds (`PT1.5S`), as in OData's `Edm.Duration`; digits past
 *   the millisecond are truncated. `PT0.5H` is refused: write `PT30M`.
 * - Negative durations (`-P1D`, `PT-1H`) are refused: nothing in PIM runs backwards.
 * - At most {@link MAX_DURATION_MS} (3,653 days) and {@link MAX_DURATION_TEXT_LENGTH} characters.
 * - Letters are case-insensitive (`pt8h`); no surrounding whitespace; `P` and `PT` alone, `PT` with
 *   nothing after it, and date units after `T` (`PT1D`) are malformed.
 *
 * @param target the request field being parsed, reported in the error (e.g. `maximumDuration`).
 * @throws ValidationError (`invalidRequest`) when the text is not a supported duration.
 */
export function parseDuration(text: string, target?: string): number {
  if (typeof text !== 'string')
    throw invalid('must be an ISO 8601 duration such as PT8H, as a string', target);
  if (text.length > MAX_DURATION_TEXT_LENGTH) {
    throw invalid(`must have at most ${MAX_DURATION_TEXT_LENGTH} characters`, target);
  }
  const shown = JSON.stringify(text);
  const match = ISO_DURATION.exec(text);
  if (match === null || /^P$|T$/i.test(text)) {
    const unsigned = text.replace(/^-(?=P)|-(?=\d)/gi, '');
    if (unsigned !== text && isDuration(unsigned)) {
      throw invalid(`must not be negative (${shown}); nothing in PIM runs backwards`, target);
    }
    throw invalid(`must be an ISO 8601 duration ${EXAMPLES}; ${shown} is not one`, target);
  }
  const [, years, months, weeks, days, hours, minutes, seconds] = match;
  if (years !== undefined || months !== undefined) {
    throw invalid(
      `must count days, not years or months, whose length depends on the calendar: e.g. P365D instead of ${shown}`,
      target,
    );
  }
  if (weeks !== undefined && [days, hours, minutes, seconds].some((part) => part !== undefined)) {
    throw invalid(`must not combine weeks with other units: use days, e.g. P9D instead of ${shown}`, target);
  }
  if ([weeks, days, hours, minutes].some((part) => part?.includes('.'))) {
    throw invalid(
      `may have a fraction only in its seconds: e.g. PT30M instead of PT0.5H (got ${shown})`,
      target,
    );
  }
  const totalMs =
    whole(weeks) * WEEK_MS +
    whole(days) * DAY_MS +
    whole(hours) * HOUR_MS +
    whole(minutes) * MINUTE_MS +
    secondsToMs(seconds);
  if (totalMs > MAX_DURATION_MS) {
    throw invalid(`must be at most 3653 days (P3653D); ${shown} is longer than the maximum`, target);
  }
  return totalMs;
}

/**
 * Renders milliseconds in Graph's canonical form, so that what we store reads back exactly as
 * Entra would write it: days as `PnD`, then `T` with hours, minutes and seconds (fraction only if
 * there are milliseconds). Examples: 8 h → `PT8H`, 180 d → `P180D`, 1 d 2 h → `P1DT2H`,
 * 1.5 s → `PT1.5S`, 0 → `PT0S`. Values above {@link MAX_DURATION_MS} are formatted too (they may
 * come from schedule arithmetic), though {@link parseDuration} would refuse them.
 *
 * @throws RangeError if `ms` is negative or not a safe integer: a programming error, not bad input.
 */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new RangeError(`formatDuration needs a non-negative integer of milliseconds, got ${ms}`);
  }
  const days = Math.floor(ms / DAY_MS);
  const hours = Math.floor((ms % DAY_MS) / HOUR_MS);
  const minutes = Math.floor((ms % HOUR_MS) / MINUTE_MS);
  const seconds = Math.floor((ms % MINUTE_MS) / SECOND_MS);
  const millis = ms % SECOND_MS;
  let time = '';
  if (hours > 0) time += `${hours}H`;
  if (minutes > 0) time += `${minutes}M`;
  if (seconds > 0 || millis > 0) {
    const fraction = millis > 0 ? `.${String(millis).padStart(3, '0').replace(/0+$/, '')}` : '';
    time += `${seconds}${fraction}S`;
  }
  if (days === 0 && time === '') return 'PT0S';
  return `P${days > 0 ? `${days}D` : ''}${time === '' ? '' : `T${time}`}`;
}

function isDuration(text: string): boolean {
  return ISO_DURATION.test(text) && !/^P$|T$/i.test(text);
}

/** A whole number of units; `undefined` (unit absent) counts as 0. Huge inputs overflow to > max. */
function whole(digits: string | undefined): number {
  return digits === undefined ? 0 : Number(digits);
}

/** Seconds with an optional fraction, truncated to whole milliseconds without float rounding. */
function secondsToMs(text: string | undefined): number {
  if (text === undefined) return 0;
  const [secondsPart = '0', fraction = ''] = text.split('.');
  return Number(secondsPart) * SECOND_MS + Number(fraction.slice(0, 3).padEnd(3, '0'));
}

/**
 * A refusal naming the field, e.g. "`scheduleInfo.expiration.duration` must be an ISO 8601 duration
 * such as PT8H, …": without a target the subject is "The value", which the HTTP edge replaces with
 * the field's path when a schema passes the message on.
 */
function invalid(predicate: string, target: string | undefined): ValidationError {
  return new ValidationError(`${target === undefined ? 'The value' : `\`${target}\``} ${predicate}.`, target);
}
