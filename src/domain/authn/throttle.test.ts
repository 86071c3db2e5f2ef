import { describe, expect, it } from 'vitest';
import {
  ADDRESS_CEILING_PER_HOUR,
  addressAfterFailure,
  addressOverCeiling,
  afterFailure,
  countFailure,
  PAIR_THROTTLE,
  retryAfterSeconds,
  signInThrottleKeys,
  SUBJECT_THROTTLE,
  throttledFor,
  type ThrottleCount,
  type ThrottleCounts,
} from './throttle.js';

describe('sign-in back-off', () => {
  it('lets 5 failures through per subject and address, then doubles the wait up to 15 minutes', () => {
    let count: ThrottleCount | undefined;
    const waits: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      count = afterFailure(count, 0, PAIR_THROTTLE);
      waits.push(count.blockedUntil);
    }
    expect(waits.slice(0, 8)).toEqual([0, 0, 0, 0, 0, 1_000, 2_000, 4_000]);
    expect(waits[19]).toBe(15 * 60_000);
  });

  it('lets 10 failures through per subject from any address', () => {
    let count: ThrottleCount | undefined;
    for (let i = 0; i < 10; i += 1) count = afterFailure(count, 0, SUBJECT_THROTTLE);
    expect(count?.blockedUntil).toBe(0);
    expect(afterFailure(count, 0, SUBJECT_THROTTLE).blockedUntil).toBe(1_000);
  });

  it('forgets failures after a quiet hour', () => {
    let count: ThrottleCount | undefined;
    for (let i = 0; i < 7; i += 1) count = afterFailure(count, 0, PAIR_THROTTLE);
    expect(count).toMatchObject({ failures: 7, blockedUntil: 2_000 });
    expect(afterFailure(count, 2_000 + 59 * 60_000, PAIR_THROTTLE).failures).toBe(8);
    expect(afterFailure(count, 2_000 + 60 * 60_000, PAIR_THROTTLE)).toMatchObject({
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

describe('keys of an attempt', () => {
  it('counts under the subject, the subject from this address, and the address', () => {
    expect(signInThrottleKeys('account:ada@contoso.test', '10.0.0.7')).toEqual({
      subject: 'account:ada@contoso.test',
      pair: 'account:ada@contoso.test|ip:10.0.0.7',
      address: 'ip:10.0.0.7',
    });
    expect(signInThrottleKeys(null, '10.0.0.7')).toEqual({
      subject: null,
      pair: 'unknown|ip:10.0.0.7',
      address: 'ip:10.0.0.7',
    });
  });

  it('refuses while the subject or the pair is blocked, never for the address alone', () => {
    const blocked = { failures: 6, blockedUntil: 3_000 };
    const sprayed = { failures: 500, blockedUntil: 10 * 3_600_000 };
    expect(throttledFor({ subject: blocked, pair: undefined }, 0)).toBe(3);
    expect(throttledFor({ subject: undefined, pair: blocked }, 1_000)).toBe(2);
    expect(throttledFor({ subject: undefined, pair: undefined }, 0)).toBeNull();
    // However sprayed the address is, it is no input to the decision: it refuses nothing by itself.
    expect(addressOverCeiling(sprayed, 0)).toBe(true);
  });
});

describe('address ceiling', () => {
  const ceiling = ADDRESS_CEILING_PER_HOUR;

  it('goes over the ceiling only past 100 failures within the hour, and drains at that rate', () => {
    let count: ThrottleCount | undefined;
    for (let i = 0; i < ceiling; i += 1) count = addressAfterFailure(count, 0);
    expect(count?.failures).toBe(ceiling);
    expect(addressOverCeiling(count, 0)).toBe(false);
    const over = addressAfterFailure(count, 0);
    expect(addressOverCeiling(over, 0)).toBe(true);
    // One failure's worth drains in 36 s: then it is at the ceiling again, not over it.
    expect(addressOverCeiling(over, 35_999)).toBe(true);
    expect(addressOverCeiling(over, 36_000)).toBe(false);
  });

  it('never goes over at a steady 100 failures an hour (200 people mistyping behind one NAT)', () => {
    let count: ThrottleCount | undefined;
    for (let minute = 0; minute < 24 * 60; minute += 0.6) {
      count = addressAfterFailure(count, minute * 60_000);
      expect(addressOverCeiling(count, minute * 60_000)).toBe(false);
    }
  });

  it('starts afresh once drained', () => {
    const drained = addressAfterFailure({ failures: 40, blockedUntil: 1_000 }, 5_000);
    expect(drained).toEqual({ failures: 1, blockedUntil: 5_000 + 36_000, lastFailureAt: 5_000 });
  });

  it('gives each account one free failure from an address over its ceiling instead of five', () => {
    const fresh: ThrottleCounts = { subject: undefined, pair: undefined, address: undefined };
    const sprayed: ThrottleCount = { failures: ceiling, blockedUntil: ceiling * 36_000 };
    const normal = countFailure(countFailure(fresh, 0), 0);
    expect(normal.pair.blockedUntil).toBe(0);
    const first = countFailure({ ...fresh, address: sprayed }, 0);
    expect(first.pair.blockedUntil).toBe(0);
    const second = countFailure({ ...first }, 0);
    expect(second.pair.blockedUntil).toBe(1_000);
    // The subject's own counter is unaffected by where the failures come from.
    expect(second.subject).toEqual(normal.subject);
  });
});
