/**
 * Back-off for failed sign-in attempts (passwords, second factors, passkeys, client secrets).
 *
 * Failures are counted under three keys (docs/security.md, "Sign-in throttling"):
 * - the **subject** (`account:<upn>`, `totp:<user id>`, `passkey:<user id>`, `client:<app id>`) from
 *   any address: stops guessing spread over many addresses;
 * - the **pair** (subject, address): the tight one, which stops one client guessing one subject;
 * - the **address** alone: a leaky bucket with a high ceiling that never refuses anything by itself.
 *   Over its ceiling (password spraying: few failures on each of many accounts), each pair from that
 *   address gets one free failure instead of five. So a client behind a shared address (a NAT, a
 *   proxy) can make sign-in slower only for the accounts it fails on, never lock out the others.
 *
 * Only subject and pair refuse attempts (`RateLimitedError` while blocked). The first `freeFailures`
 * cost nothing; each one after doubles the wait, from `baseMs` up to `maxMs`. A success clears the
 * subject's and the pair's counters.
 */
export interface ThrottlePolicy {
  freeFailures: number;
  baseMs: number;
  maxMs: number;
}

export interface ThrottleCount {
  failures: number;
  /**
   * Epoch ms before which attempts under this key are refused; 0 when not blocked. For an address
   * key, the time its leaky bucket drains empty (see {@link addressAfterFailure}).
   */
  blockedUntil: number;
  /** When the last failure was counted; a quiet hour starts the count afresh. */
  lastFailureAt?: number;
}

/** Failures older than this (after the last block ended) are forgotten. */
export const THROTTLE_FORGET_AFTER_MS = 60 * 60_000;

/** Per subject from any address: 10 free, then 1 s, 2 s, 4 s … up to 15 minutes. */
export const SUBJECT_THROTTLE: ThrottlePolicy = { freeFailures: 10, baseMs: 1_000, maxMs: 15 * 60_000 };
/** Per subject from one address: 5 free, the same curve after. */
export const PAIR_THROTTLE: ThrottlePolicy = { freeFailures: 5, baseMs: 1_000, maxMs: 15 * 60_000 };
/** Per subject from an address over its ceiling: one free failure (a typo), the same curve after. */
export const STRICT_PAIR_THROTTLE: ThrottlePolicy = { freeFailures: 1, baseMs: 1_000, maxMs: 15 * 60_000 };

/**
 * The address ceiling: failures from one address drain at this many per hour, and over this many
 * in the bucket the address is sprayed from. 100 per hour is far above what 200 people behind one
 * address mistype, far below what spraying needs.
 */
export const ADDRESS_CEILING_PER_HOUR = 100;
const ADDRESS_LEAK_MS = 3_600_000 / ADDRESS_CEILING_PER_HOUR;

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

/**
 * One more failure from an address, as a leaky bucket (GCRA): `blockedUntil` is when the bucket
 * will be empty, each failure adds `ADDRESS_LEAK_MS` to it, and `failures` counts those since it was
 * last empty. It blocks nothing: see {@link addressOverCeiling}.
 */
export function addressAfterFailure(count: ThrottleCount | undefined, now: number): ThrottleCount {
  const empty = count === undefined || count.blockedUntil <= now;
  return {
    failures: (empty ? 0 : count.failures) + 1,
    blockedUntil: (empty ? now : count.blockedUntil) + ADDRESS_LEAK_MS,
    lastFailureAt: now,
  };
}

/** Whether more than the ceiling's failures from this address are in its bucket at `now`. */
export function addressOverCeiling(count: ThrottleCount | undefined, now: number): boolean {
  return count !== undefined && count.blockedUntil - now > ADDRESS_CEILING_PER_HOUR * ADDRESS_LEAK_MS;
}

/** The keys one attempt is counted under; `subject` is null when the attempt names no one. */
export interface SignInThrottleKeys {
  subject: string | null;
  pair: string;
  address: string;
}

/**
 * The keys of an attempt on `subject` (e.g. `account:ada@contoso.test`) from `ip`. An attempt that
 * names no one (an unknown passkey) has only a pair (`unknown|ip:…`) and the address.
 */
export function signInThrottleKeys(subject: string | null, ip: string): SignInThrottleKeys {
  return { subject, pair: `${subject ?? 'unknown'}|ip:${ip}`, address: `ip:${ip}` };
}

/** What is stored under each key of an attempt (undefined: nothing counted). */
export interface ThrottleCounts {
  subject: ThrottleCount | undefined;
  pair: ThrottleCount | undefined;
  address: ThrottleCount | undefined;
}

/** Whole seconds until this attempt may be made, or null when it may be made now. */
export function throttledFor(counts: Omit<ThrottleCounts, 'address'>, now: number): number | null {
  const waits = [retryAfterSeconds(counts.subject, now), retryAfterSeconds(counts.pair, now)];
  const wait = Math.max(...waits.map((w) => w ?? 0));
  return wait > 0 ? wait : null;
}

/** Every counter of an attempt, after a failure. */
export interface CountedFailure {
  subject: ThrottleCount;
  pair: ThrottleCount;
  address: ThrottleCount;
}

/**
 * The counters after one more failure. The pair's curve is the strict one while the address is
 * over its ceiling (this failure included).
 */
export function countFailure(counts: ThrottleCounts, now: number): CountedFailure {
  const address = addressAfterFailure(counts.address, now);
  const pairPolicy = addressOverCeiling(address, now) ? STRICT_PAIR_THROTTLE : PAIR_THROTTLE;
  return {
    subject: afterFailure(counts.subject, now, SUBJECT_THROTTLE),
    pair: afterFailure(counts.pair, now, pairPolicy),
    address,
  };
}
