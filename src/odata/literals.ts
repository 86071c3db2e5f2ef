import { isGuid } from '../domain/shared/ids.js';

/**
 * An OData DateTimeOffset as Graph writes it: seconds and fractions optional, `Z` or an offset.
 * A space is accepted in place of `+` because `+` in a query string decodes to a space, and clients
 * often forget to escape it.
 */
const DATE_TIME_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?(Z|[+\- ]\d{2}:\d{2})$/i;

const MAX_OFFSET_MINUTES = 14 * 60;

const daysInMonth = (year: number, month: number): number => {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
};

/**
 * The instant a DateTimeOffset literal names, in epoch milliseconds (the store's timestamp codec),
 * or `undefined` when the text is not a real date and time (e.g. month 13, 30 February, 25:00).
 * Fractions beyond milliseconds are truncated, as the store keeps milliseconds only.
 */
export function dateTimeOffsetToEpochMs(text: string): number | undefined {
  const match = DATE_TIME_OFFSET.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s = '0', fraction = '', zone = 'Z'] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const offsetHours = Number(zone.slice(1, 3));
    const offsetMins = Number(zone.slice(4, 6));
    if (offsetMins > 59) return undefined;
    offsetMinutes = sign * (offsetHours * 60 + offsetMins);
    if (Math.abs(offsetMinutes) > MAX_OFFSET_MINUTES) return undefined;
  }
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime() - offsetMinutes * 60_000;
}

/** A GUID in the store's form (lower case), or `undefined` when the text is not a GUID. */
export const normalizeGuid = (text: string): string | undefined =>
  isGuid(text) ? text.toLowerCase() : undefined;
