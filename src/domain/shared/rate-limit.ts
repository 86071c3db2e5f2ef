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
 * by the passing of time alone.
 */
export function admitRequest(state: number | undefined, now: number, limit: RateLimit): Admission {
  const intervalMs = 1000 / limit.perSecond;
  const next = Math.max(state ?? now, now) + intervalMs;
  const overMs = next - now - limit.burst * intervalMs;
  if (overMs > 0) return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil(overMs / 1000)) };
  return { admitted: true, state: next };
}
