import type { Clock } from '../../domain/time/clock.js';
import type { TokenVerifier } from './token-verifier.js';
import type { AccessTokenClaims } from './access-token-claims.js';

export interface VerifiedTokenCacheOptions {
  /** Most tokens kept; the oldest entry goes first. Default 10,000. */
  maxEntries?: number;
  /** How long one verification is reused at most. Default 60 s. */
  maxAgeMs?: number;
}

/**
 * Reuses a token's verification for a short while: an ES256 signature check costs more than the
 * whole AuthZEN decision behind it. A cached token is still refused from its `exp` on (without
 * the verifier's skew tolerance), and at most `maxAgeMs` after it was verified, so a removed
 * signing key stops working within that time. Who the token names is still checked on every
 * request by the caller resolver (disabled or deleted principals lose access at once).
 */
export function cacheVerifiedTokens(
  verifier: TokenVerifier,
  clock: Clock,
  options: VerifiedTokenCacheOptions = {},
): TokenVerifier {
  const maxEntries = options.maxEntries ?? 10_000;
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const cache = new Map<string, { claims: AccessTokenClaims; until: number }>();
  return {
    async verify(header) {
      if (header === undefined) return verifier.verify(header);
      const now = clock.now();
      const hit = cache.get(header);
      if (hit !== undefined) {
        if (now < hit.until) return hit.claims;
        cache.delete(header);
      }
      const claims = await verifier.verify(header);
      const expMs = typeof claims.raw.exp === 'number' ? claims.raw.exp * 1000 : now;
      const until = Math.min(now + maxAgeMs, expMs);
      if (until > now) {
        cache.set(header, { claims, until });
        if (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
      }
      return claims;
    },
  };
}
