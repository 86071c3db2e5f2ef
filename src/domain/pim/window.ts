import { MAX_DATETIME, MIN_DATETIME, formatDateTime } from '../time/datetime.js';
import { formatDuration } from '../time/duration.js';
import type { Window } from './types.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * How close to its end an assignment must be before its principal may ask to extend it: 14 days,
 * as the Entra portal offers "Extend" (reference §1.4). Earlier requests would only queue work for
 * admins about access that is not yet at risk.
 */
export const EXTEND_WINDOW_MS = 14 * DAY_MS;

/** How long after its end an assignment may still be renewed: Entra keeps expired ones 30 days. */
export const RENEW_WINDOW_MS = 30 * DAY_MS;

/** An activation may be deactivated only after it has been active this long (`ActiveDurationTooShort`). */
export const MIN_ACTIVE_DURATION_MS = 5 * MINUTE_MS;

/**
 * Whether the window holds at `now`: `start <= now < end`, with `end: null` meaning forever. This is
 * the one definition of "active" (DESIGN.md invariants 1–2): at `end - 1 ms` it holds, at `end` it
 * does not, whatever any background job has or has not recorded yet.
 */
export function holds(window: Window, now: number): boolean {
  return window.start <= now && (window.end === null || now < window.end);
}

/**
 * Whether the window still matters at `now`: it holds or has yet to start. Only such a schedule
 * blocks a new one (`RoleAssignmentExists`) or can be removed; an ended one is history.
 */
export function isCurrentOrFuture(window: Window, now: number): boolean {
  return window.end === null || now < window.end;
}

/**
 * The window cut off at `now`, for a schedule that is removed or deactivated: it keeps its start and
 * ends now, so it stops holding at once and the record still says when it held. A window that has
 * not started yet becomes empty (`end = start`); one already ended is returned as it is.
 */
export function endWindowAt(window: Window, now: number): Window {
  if (window.end !== null && window.end <= now) return window;
  return { start: window.start, end: Math.max(window.start, now) };
}

/**
 * Whether an activation window would outlive the eligibility it comes from: an activation must end
 * no later than its eligibility (reference §2.5: the eligibility must cover the requested window).
 * Elevate refuses such a request (`ExpirationRule`, with the eligibility's end in the reason)
 * rather than silently shortening it, so a client never holds less than the response says.
 */
export function outlivesEligibility(activation: Window, eligibility: Window): boolean {
  if (eligibility.end === null) return false;
  return activation.end === null || activation.end > eligibility.end;
}

/**
 * Whether a principal may ask to extend an assignment ending at `assignmentEnd`: on
 * `[end - 14 days, end)`. A permanent assignment (`null`) has nothing to extend; an ended one must be
 * renewed instead.
 */
export function canExtend(assignmentEnd: number | null, now: number): boolean {
  return assignmentEnd !== null && assignmentEnd - EXTEND_WINDOW_MS <= now && now < assignmentEnd;
}

/**
 * Whether an assignment that ended at `assignmentEnd` may be renewed: on `[end, end + 30 days)`.
 * After that it is gone, and a new assignment is the way back.
 */
export function canRenew(assignmentEnd: number | null, now: number): boolean {
  return assignmentEnd !== null && assignmentEnd <= now && now < assignmentEnd + RENEW_WINDOW_MS;
}

/**
 * An instant for an error message: ISO-8601 UTC when representable, else the raw number, so that
 * building a message can never throw (evaluation must return failures, not crash).
 */
export function describeInstant(ms: number): string {
  return Number.isInteger(ms) && ms >= MIN_DATETIME && ms <= MAX_DATETIME ? formatDateTime(ms) : `${ms} ms`;
}

/** A span for an error message: ISO-8601 (`PT9H`) when representable, else the raw number. */
export function describeDuration(ms: number): string {
  return Number.isSafeInteger(ms) && ms >= 0 ? formatDuration(ms) : `${ms} ms`;
}

/**
 * The window a removed or deactivated schedule keeps: cut at `now`; one that has not started yet
 * becomes the empty `[now, now)`, so it neither holds nor blocks a new schedule at any later time.
 */
export function endedAt(window: Window, now: number): Window {
  return window.start > now ? { start: now, end: now } : endWindowAt(window, now);
}
