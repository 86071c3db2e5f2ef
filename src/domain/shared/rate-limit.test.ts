import { describe, expect, it } from 'vitest';
import { admitRequest, type Admission } from './rate-limit.js';

describe('token bucket', () => {
  const limit = { perSecond: 10, burst: 5 };
  const run = (times: number[]) => {
    let state: number | undefined;
    return times.map((t): Admission => {
      const a = admitRequest(state, t, limit);
      if (a.admitted) state = a.state;
      return a;
    });
  };

  it('admits a burst at once, then refuses until a request has refilled', () => {
    const answers = run([0, 0, 0, 0, 0, 0, 99, 100]);
    expect(answers.map((a) => a.admitted)).toEqual([true, true, true, true, true, false, false, true]);
    expect(answers[5]).toEqual({ admitted: false, retryAfterSeconds: 1 });
  });

  it('admits the sustained rate forever, and refuses only what goes over it', () => {
    const steady = run(Array.from({ length: 1000 }, (_, i) => i * 100));
    expect(steady.every((a) => a.admitted)).toBe(true);
    const loop = run(Array.from({ length: 1000 }, (_, i) => i * 10));
    // 100 requests per second for 9.99 s: the burst, then one per 100 ms (99 of them).
    expect(loop.filter((a) => a.admitted)).toHaveLength(5 + 99);
  });

  it('refills completely after a pause: an idle bucket is full', () => {
    const answers = run([0, 0, 0, 0, 0, 0, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000]);
    expect(answers.map((a) => a.admitted)).toEqual([
      ...[true, true, true, true, true, false],
      ...[true, true, true, true, true, false],
    ]);
  });

  it('starts afresh when the clock steps back, instead of refusing for the length of the step', () => {
    const answers = run([600_000, 600_000, 600_000, 600_000, 600_000, 600_000, 0, 0]);
    expect(answers.map((a) => a.admitted)).toEqual([true, true, true, true, true, false, true, true]);
  });

  it('says how long to wait in whole seconds, at least 1', () => {
    const slow = { perSecond: 0.1, burst: 1 };
    const first = admitRequest(undefined, 0, slow);
    expect(first.admitted).toBe(true);
    const second = admitRequest(first.admitted ? first.state : undefined, 0, slow);
    expect(second).toEqual({ admitted: false, retryAfterSeconds: 10 });
  });
});
