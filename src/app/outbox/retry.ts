/** How the relay retries a consumer's head message. */
export interface RetryPolicy {
  /** Attempts in all, the first included; after the last failure the message is dead-lettered. */
  maxAttempts: number;
  /** Pause after the first failure; doubles after each further one. */
  baseDelayMs: number;
  /** Longest pause. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 10, baseDelayMs: 1_000, maxDelayMs: 5 * 60_000 };

/**
 * The pause before the next attempt after `failures` failed ones (1, 2, …): `base · 2^(failures-1)`,
 * at most `maxDelayMs`. No jitter: one replica at a time retries one message per consumer, so
 * there is no herd to spread, and exact times keep the schedule testable.
 */
export function retryDelayMs(
  failures: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 52);
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
}

/** Checks a policy once, when the relay is made. @throws RangeError */
export function checkRetryPolicy(p: RetryPolicy): RetryPolicy {
  if (!Number.isSafeInteger(p.maxAttempts) || p.maxAttempts < 1)
    throw new RangeError('maxAttempts must be a positive integer');
  if (!Number.isSafeInteger(p.baseDelayMs) || p.baseDelayMs < 0)
    throw new RangeError('baseDelayMs must be a non-negative integer');
  if (!Number.isSafeInteger(p.maxDelayMs) || p.maxDelayMs < p.baseDelayMs)
    throw new RangeError('maxDelayMs must be an integer at least baseDelayMs');
  return p;
}
