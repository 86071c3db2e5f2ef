import type { RequestAction, Window } from './types.js';
import { endWindowAt } from './window.js';

/** Actions whose `scheduleInfo` asks for a window; removals and deactivations ignore it (Graph echoes null). */
export const WINDOWED: ReadonlySet<RequestAction> = new Set([
  'adminAssign',
  'adminUpdate',
  'adminExtend',
  'adminRenew',
  'selfActivate',
  'selfExtend',
  'selfRenew',
]);

/**
 * The window a removed or deactivated schedule keeps: cut at `now`; one that has not started yet
 * becomes the empty `[now, now)`, so it neither holds nor blocks a new schedule at any later time.
 */
export function endedAt(window: Window, now: number): Window {
  return window.start > now ? { start: now, end: now } : endWindowAt(window, now);
}
