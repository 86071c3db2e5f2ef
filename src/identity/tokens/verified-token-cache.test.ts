import { describe, expect, it } from 'vitest';
import { UnauthenticatedError } from '../../domain/shared/errors.js';
import { ManualClock } from '../../domain/time/clock.js';
import type { AccessTokenClaims } from './access-token-claims.js';
import { cacheVerifiedTokens } from './verified-token-cache.js';

const T0 = 1_800_000_000_000;
const claims = (expSeconds: number): AccessTokenClaims => ({
  tenantId: 't',
  objectId: 'o',
  roles: [],
  kind: 'app',
  raw: { exp: expSeconds },
});

/** A verifier that counts its calls and accepts "Bearer ok-<exp seconds>". */
function countingVerifier() {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    async verify(header: string | undefined) {
      calls += 1;
      const m = /^Bearer ok-(\d+)$/.exec(header ?? '');
      if (!m) throw new UnauthenticatedError();
      return claims(Number(m[1]));
    },
  };
}

describe('cacheVerifiedTokens', () => {
  it('verifies a token once, reuses it, and refuses it from exp on', async () => {
    const clock = new ManualClock(T0);
    const inner = countingVerifier();
    const cached = cacheVerifiedTokens(inner, clock, { maxAgeMs: 60_000 });
    const exp = T0 / 1000 + 30;
    await cached.verify(`Bearer ok-${exp}`);
    await cached.verify(`Bearer ok-${exp}`);
    expect(inner.calls).toBe(1);
    clock.set(exp * 1000 - 1);
    await cached.verify(`Bearer ok-${exp}`);
    expect(inner.calls).toBe(1);
    clock.set(exp * 1000);
    await cached.verify(`Bearer ok-${exp}`); // back to the real verifier, which decides
    expect(inner.calls).toBe(2);
  });

  it('re-verifies after maxAge, never caches failures, and stays bounded', async () => {
    const clock = new ManualClock(T0);
    const inner = countingVerifier();
    const cached = cacheVerifiedTokens(inner, clock, { maxAgeMs: 1_000, maxEntries: 2 });
    const exp = T0 / 1000 + 3600;
    await cached.verify(`Bearer ok-${exp}`);
    clock.advance(1_000);
    await cached.verify(`Bearer ok-${exp}`);
    expect(inner.calls).toBe(2);
    await expect(cached.verify('Bearer forged')).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(cached.verify('Bearer forged')).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(inner.calls).toBe(4);
    await cached.verify(`Bearer ok-${exp + 1}`);
    await cached.verify(`Bearer ok-${exp + 2}`);
    const before = inner.calls;
    await cached.verify(`Bearer ok-${exp}`); // evicted as the oldest
    expect(inner.calls).toBe(before + 1);
  });
});
