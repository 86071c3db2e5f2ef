import { useEffect, useState } from 'react';

/** The current time, updated every `everyMs` (the countdowns). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** `1 h 05 min 09 s` left until `endMs`; `ended` when past. */
export function countdown(endMs: number, nowMs: number): string {
  const left = Math.max(0, Math.floor((endMs - nowMs) / 1000));
  if (left === 0) return 'ended';
  const h = Math.floor(left / 3600);
  const m = Math.floor((left % 3600) / 60);
  const s = left % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h} h ${mm} min ${ss} s` : `${m} min ${ss} s`;
}

/** Hours in an ISO 8601 duration (`PT8H`, `PT1H30M`, `P1D`); undefined when not one. */
export function isoHours(duration: string | null | undefined): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(duration ?? '');
  if (!m || duration === 'P' || duration === 'PT') return undefined;
  const [, d = '0', h = '0', min = '0', s = '0'] = m;
  return Number(d) * 24 + Number(h) + Number(min) / 60 + Number(s) / 3600;
}

/** Hours as an ISO 8601 duration in whole minutes: 1.5 → `PT1H30M`. */
export function hoursToIso(hours: number): string {
  const minutes = Math.round(hours * 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `PT${h > 0 ? `${h}H` : ''}${m > 0 || h === 0 ? `${m}M` : ''}`;
}

/** A date and time in the reader's locale, or `permanent` for none. */
export const when = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : 'permanent';
