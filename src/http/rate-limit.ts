import type { FastifyRequest, RequestPayload } from 'fastify';
import { admitRequest, type RateLimit } from '../domain/shared/rate-limit.js';
import { RateLimitedError } from '../domain/shared/errors.js';
import type { Clock } from '../domain/time/clock.js';

/** The per-principal limits of authenticated calls: the Graph API, and AuthZEN evaluations. */
export interface ApiRateLimits {
  /** `/v1.0`, `/beta` (every authenticated route but AuthZEN's); null: unlimited. */
  graph: RateLimit | null;
  /** `/access/v1/…`: policy enforcement points ask per request they serve, so far more. */
  authzen: RateLimit | null;
}

/**
 * What real automation does not reach and a loop does. Graph: 100 per second sustained, a burst of
 * 1,000. AuthZEN: 2,000 per second, a burst of 20,000 (above what one replica answers).
 */
export const DEFAULT_API_RATE_LIMITS: ApiRateLimits = {
  graph: { perSecond: 100, burst: 1000 },
  authzen: { perSecond: 2000, burst: 20_000 },
};

/** Buckets kept before idle (full) ones are swept out; the sweep is amortized over inserts. */
const SWEEP_AT = 10_000;

/** One token bucket per principal (by object id) for one kind of call, in this process's memory. */
function buckets(limit: RateLimit, clock: Clock) {
  const states = new Map<string, number>();
  let sweepAt = SWEEP_AT;
  return (principalId: string): void => {
    const now = clock.now();
    const state = states.get(principalId);
    const admission = admitRequest(state, now, limit);
    if (!admission.admitted) {
      throw new RateLimitedError(
        admission.retryAfterSeconds,
        `Too many requests: this principal may make ${limit.perSecond} per second (bursts of ${limit.burst}). Retry after ${admission.retryAfterSeconds} s.`,
      );
    }
    if (state === undefined && states.size >= sweepAt) {
      // A bucket whose state is in the past is full: the same as no bucket.
      for (const [id, s] of states) if (s <= now) states.delete(id);
      sweepAt = Math.max(SWEEP_AT, states.size * 2);
    }
    states.set(principalId, admission.state);
  };
}

/**
 * Per-principal rate limits of authenticated calls (token buckets in this process's memory: with
 * several replicas each one counts its own share). Runs as a `preParsing` hook, after the route's
 * `authenticateHook` set `request.caller` and before the body is read, so a refused call costs one
 * map lookup and changes nothing; routes without a caller (sign-in, tokens, health) are not
 * counted here. Over the limit: `RateLimitedError` → 429 `TooManyRequests` with `Retry-After`.
 */
export function apiRateLimitHook(limits: ApiRateLimits, clock: Clock) {
  const graph = limits.graph === null ? undefined : buckets(limits.graph, clock);
  const authzen = limits.authzen === null ? undefined : buckets(limits.authzen, clock);
  // A callback hook (not async): it runs on every authenticated request and awaits nothing.
  return (
    request: FastifyRequest,
    _reply: unknown,
    payload: RequestPayload,
    done: (err: Error | null, payload?: RequestPayload) => void,
  ): void => {
    const caller = request.caller;
    if (caller !== undefined) {
      const admit = request.routeOptions.url?.startsWith('/access/') === true ? authzen : graph;
      try {
        admit?.(caller.id);
      } catch (err) {
        done(err as Error);
        return;
      }
    }
    done(null, payload);
  };
}
