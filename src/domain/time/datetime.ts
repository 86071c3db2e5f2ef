import { ValidationError } from '../shared/errors.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * `0001-01-01T00:00:00.000Z` in epoch ms: the earliest instant Elevate represents. Graph uses this
 * very value as its "no value" DateTimeOffset, so it must parse and format exactly.
 */
export const MIN_DATETIME = -62_135_596_800_000;

/** `9999-12-31T23:59:59.999Z` in epoch ms: the last instant with a four-digit year. */
export const MAX_DATETIME = 253_402_300_799_999;

/** Longest DateTimeOffset text we look at; anything longer is rejected before any regex runs. */
export const MAX_DATETIME_TEXT_LENGTH = 40;

/**
 * OData's `dateTimeOffsetValue`: date `T` hours `:` minutes, optional seconds with an optional
 * 1–12 digit fraction, then `Z` or a `±hh:mm` offset. Only the shape; ranges are checked in code.
 */
const DATE_TIME_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/i;
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/i;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** XSD and .NET bound offsets to ±14:00, the widest real time zone. */
const MAX_OFFSET_MINUTES = 14 * 60;

const EXAMPLE = 'e.g. 2022-04-10T00:00:00Z or 2022-04-10T02:00:00+02:00';

/**
 * Parses a Graph DateTimeOffset (`2022-04-10T00:00:00Z`, `2022-04-11T11:50:03.9014347Z`,
 * `2022-04-10T02:00:00+02:00`) into epoch milliseconds. We validate the calendar ourselves, because
 * `Date.parse` rolls `2023-02-30` over to March 2 and guesses a zone for zone-less text; a start or
 * end time that means something other than what the client sent is a security bug in PIM.
 * - A zone is required: `Z` or `±hh:mm` up to ±14:00. Letters `T`/`Z` are case-insensitive.
 * - Seconds are optional (OData allows `T10:00Z`). Fractions may have 1–12 digits (.NET sends 7,
 *   Go sends up to 9); digits past the millisecond are truncated, never rounded.
 * - Years 0001–9999, real months and days (leap years included), hours 00–23, no leap second 60,
 *   and the resulting instant must lie within {@link MIN_DATETIME}…{@link MAX_DATETIME}.
 * - At most {@link MAX_DATETIME_TEXT_LENGTH} characters, checked before anything else.
 *
 * @param target the request field being parsed, reported in the error (e.g. `startDateTime`).
 * @throws ValidationError (`invalidRequest`) when the text is not a valid DateTimeOffset.
 */
export function parseDateTime(text: string, target?: string): number {
  if (typeof text !== 'string') throw invalid(`must be a date-time string (${EXAMPLE})`, target);
  if (text.length > MAX_DATETIME_TEXT_LENGTH) {
    throw invalid(`must have at most ${MAX_DATETIME_TEXT_LENGTH} characters`, target);
  }
  const shown = JSON.stringify(text);
  const match = DATE_TIME_OFFSET.exec(text);
  if (match === null) {
    if (LOCAL_DATE_TIME.test(text)) {
      throw invalid(`must have a time zone: add Z or an offset such as +02:00 to ${shown}`, target);
    }
    if (DATE_ONLY.test(text))
      throw invalid(`must have a time as well as a date (${EXAMPLE}); ${shown} has none`, target);
    throw invalid(`must be an ISO 8601 date-time with a time zone (${EXAMPLE}); ${shown} is not one`, target);
  }
  const [, yyyy, mo, dd, hh, mi, ss = '00', fraction = '', zulu, sign, offH, offM] = match;
  const year = Number(yyyy);
  const month = Number(mo);
  const day = Number(dd);
  const hour = Number(hh);
  const minute = Number(mi);
  const second = Number(ss);
  if (year < 1) throw invalid(`must have a year between 0001 and 9999 (got ${shown})`, target);
  if (month < 1 || month > 12) throw invalid(`must have a month between 01 and 12 (got ${shown})`, target);
  const monthDays = daysInMonth(year, month);
  if (day < 1 || day > monthDays) {
    throw invalid(
      `must name a day that exists: day ${dd ?? ''} is not in a month of ${monthDays} days (got ${shown})`,
      target,
    );
  }
  if (hour > 23) throw invalid(`must have an hour between 00 and 23 (got ${shown})`, target);
  if (minute > 59) throw invalid(`must have a minute between 00 and 59 (got ${shown})`, target);
  if (second > 59) {
    throw invalid(
      `must have a second between 00 and 59; leap seconds are not supported (got ${shown})`,
      target,
    );
  }
  let offsetMinutes = 0;
  if (zulu === undefined) {
    const offsetHour = Number(offH);
    const offsetMinute = Number(offM);
    offsetMinutes = offsetHour * 60 + offsetMinute;
    if (offsetMinute > 59 || offsetMinutes > MAX_OFFSET_MINUTES) {
      throw invalid(`must have an offset between -14:00 and +14:00 (got ${shown})`, target);
    }
    if (sign === '-') offsetMinutes = -offsetMinutes;
  }
  const millis = Number(fraction.slice(0, 3).padEnd(3, '0'));
  const localMs =
    daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
  const epochMs = localMs - offsetMinutes * MINUTE_MS;
  if (epochMs < MIN_DATETIME || epochMs > MAX_DATETIME) {
    throw invalid(
      `must lie between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z (got ${shown})`,
      target,
    );
  }
  return epochMs;
}

/**
 * Renders epoch milliseconds as UTC `YYYY-MM-DDTHH:mm:ss.sssZ`, the one form Elevate writes, so
 * that responses, audit entries and hashes are byte-stable. Pure arithmetic, no `Date`.
 *
 * @throws RangeError if `ms` is not an integer within {@link MIN_DATETIME}…{@link MAX_DATETIME}:
 *   a programming error, not bad input.
 */
export function formatDateTime(ms: number): string {
  if (!Number.isInteger(ms) || ms < MIN_DATETIME || ms > MAX_DATETIME) {
    throw new RangeError(`formatDateTime needs integer epoch ms in the years 0001–9999, got ${ms}`);
  }
  const days = Math.floor(ms / DAY_MS);
  const dayMs = ms - days * DAY_MS;
  const [year, month, day] = civilFromDays(days);
  const hour = Math.floor(dayMs / 3_600_000);
  const minute = Math.floor((dayMs % 3_600_000) / MINUTE_MS);
  const second = Math.floor((dayMs % MINUTE_MS) / 1000);
  const millis = dayMs % 1000;
  return (
    `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}` +
    `T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.${pad(millis, 3)}Z`
  );
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The inverse of {@link daysFromCivil} (H. Hinnant's `civil_from_days`): [year, month, day]. */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/**
 * A refusal naming the field ("`scheduleInfo.startDateTime` must have a time zone: …"); without a
 * target the subject is "The value", which the HTTP edge replaces with the field's path.
 */
function invalid(predicate: string, target: string | undefined): ValidationError {
  return new ValidationError(`${target === undefined ? 'The value' : `\`${target}\``} ${predicate}.`, target);
}
