/**
 * Exponential back-off for failed sign-in attempts, counted per key (an account, a client
 * address). The first `freeFailures` cost nothing; each one after doubles the wait, from `baseMs`
 * up to `maxMs` (the temporary lockout). A success clears the account's counter.
 */
export interface ThrottlePolicy {
  freeFailures: number;
  baseMs: number;
  maxMs: number;
}

export interface ThrottleCount {
  failures: number;
  /** Epoch ms before which attempts under this key are refused; 0 when not blocked. */
  blockedUntil: number;
  /** When the last failure was counted; a quiet hour starts the count afresh. */
  lastFailureAt?: number;
}

/** Failures older than this (after the last block ended) are forgotten. */
export const THROTTLE_FORGET_AFTER_MS = 60 * 60_000;

/** Per account (or per user for second-factor codes): 5 free, then 1 s, 2 s, 4 s … up to 15 minutes. */
export const ACCOUNT_THROTTLE: ThrottlePolicy = { freeFailures: 5, baseMs: 1_000, maxMs: 15 * 60_000 };
/** Per client address: more generous (offices share one), the same curve after. */
export const ADDRESS_THROTTLE: ThrottlePolicy = { freeFailures: 20, baseMs: 1_000, maxMs: 15 * 60_000 };

export function afterFailure(
  count: ThrottleCount | undefined,
  now: number,
  policy: ThrottlePolicy,
): ThrottleCount {
  const quietSince = Math.max(count?.lastFailureAt ?? 0, count?.blockedUntil ?? 0);
  const forgotten = count === undefined || now - quietSince >= THROTTLE_FORGET_AFTER_MS;
  const failures = (forgotten ? 0 : count.failures) + 1;
  const over = failures - policy.freeFailures;
  if (over <= 0) return { failures, blockedUntil: 0, lastFailureAt: now };
  const waitMs = Math.min(policy.baseMs * 2 ** Math.min(over - 1, 30), policy.maxMs);
  return { failures, blockedUntil: now + waitMs, lastFailureAt: now };
}

/** Whole seconds until attempts are allowed again, or null when they are allowed now. */
export function retryAfterSeconds(count: ThrottleCount | undefined, now: number): number | null {
  if (count === undefined || count.blockedUntil <= now) return null;
  return Math.max(1, Math.ceil((count.blockedUntil - now) / 1000));
}
