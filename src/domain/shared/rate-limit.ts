/**
 * A token bucket of `burst` requests refilled at `perSecond`: at most `burst` requests at once,
 * then `perSecond` on average.
 */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** What {@link admitRequest} decided: go ahead (with the bucket's new state), or wait. */
export type Admission = { admitted: true; state: number } | { admitted: false; retryAfterSeconds: number };

/**
 * One request against a token bucket kept as a single number (GCRA: the time at which the bucket
 * would be full again; `undefined` or a past time means full). O(1), no timers: the bucket refills
 * by the passing of time alone. A state further ahead than a whole burst means the clock stepped
 * back (NTP): the bucket starts full rather than refusing for the length of the step.
 */
export function admitRequest(state: number | undefined, now: number, limit: RateLimit): Admission {
  const intervalMs = 1000 / limit.perSecond;
  const toleranceMs = limit.burst * intervalMs;
  // Beyond the tolerance only if the clock stepped back since: start the bucket afresh.
  const from = state === undefined || state - now > toleranceMs ? now : Math.max(state, now);
  const next = from + intervalMs;
  const overMs = next - now - toleranceMs;
  if (overMs > 0) return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil(overMs / 1000)) };
  return { admitted: true, state: next };
}
