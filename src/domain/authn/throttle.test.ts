import { describe, expect, it } from 'vitest';
import { ACCOUNT_THROTTLE, afterFailure, retryAfterSeconds, type ThrottleCount } from './throttle.js';

describe('sign-in back-off', () => {
  it('lets 5 failures through, then doubles the wait up to 15 minutes', () => {
    let count: ThrottleCount | undefined;
    const waits: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      count = afterFailure(count, 0, ACCOUNT_THROTTLE);
      waits.push(count.blockedUntil);
    }
    expect(waits.slice(0, 8)).toEqual([0, 0, 0, 0, 0, 1_000, 2_000, 4_000]);
    expect(waits[19]).toBe(15 * 60_000);
  });

  it('forgets failures after a quiet hour', () => {
    let count: ThrottleCount | undefined;
    for (let i = 0; i < 7; i += 1) count = afterFailure(count, 0, ACCOUNT_THROTTLE);
    expect(count).toMatchObject({ failures: 7, blockedUntil: 2_000 });
    expect(afterFailure(count, 2_000 + 59 * 60_000, ACCOUNT_THROTTLE).failures).toBe(8);
    expect(afterFailure(count, 2_000 + 60 * 60_000, ACCOUNT_THROTTLE)).toMatchObject({
      failures: 1,
      blockedUntil: 0,
    });
  });

  it('answers Retry-After in whole seconds, at least 1, and null once the block has passed', () => {
    expect(retryAfterSeconds({ failures: 6, blockedUntil: 1_500 }, 0)).toBe(2);
    expect(retryAfterSeconds({ failures: 6, blockedUntil: 1_500 }, 1_499)).toBe(1);
    expect(retryAfterSeconds({ failures: 6, blockedUntil: 1_500 }, 1_500)).toBeNull();
    expect(retryAfterSeconds(undefined, 0)).toBeNull();
  });
});
