// A failing consumer retries its head message with exponential back-off on the injected clock, keeps
// order (nothing after the head is delivered meanwhile), and dead-letters it after the last attempt.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveredMessage } from '../../src/app/outbox/ports.js';
import { retryDelayMs } from '../../src/app/outbox/retry.js';
import { dialectName } from '../helpers/db.js';
import { ids, outboxFixture, recorder, T0, type OutboxFixture } from './support.js';

const retry = { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 3_000 };

describe(`outbox retries and dead letters (${dialectName})`, () => {
  let f: OutboxFixture;
  beforeEach(async () => {
    f = await outboxFixture();
  });
  afterEach(() => f.close());

  const state = async (name: string) => (await f.store.consumers()).find((s) => s.name === name)!;

  it('back-off doubles from the base up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, retry))).toEqual([1_000, 2_000, 3_000, 3_000, 3_000]);
    expect(retryDelayMs(2_000, { baseDelayMs: 1_000, maxDelayMs: 60_000 })).toBe(60_000);
  });

  it('retries the head message at exact back-off times, in order, then moves on once it succeeds', async () => {
    let refuse = 2;
    const c = recorder('hook', { from: 'beginning', fail: (m) => m.payload.n === 1 && refuse-- > 0 });
    const relay = f.relay([c], 'a', { retry });
    const [m1, m2] = [f.message(), f.message()];
    await f.enqueue(m1, m2);

    const first = await relay.runOnce();
    expect(first.consumers[0]).toEqual({
      consumer: 'hook',
      delivered: 0,
      skipped: 0,
      deadLettered: 0,
      failures: [
        {
          seq: 1,
          messageId: m1.id,
          type: 'test.happened',
          attempt: 1,
          error: 'Error: refused 1 on attempt 1',
          nextAttemptAt: T0 + 1_000,
        },
      ],
      waitingUntil: T0 + 1_000,
    });
    expect(await state('hook')).toMatchObject({
      cursorSeq: 0,
      attempts: 1,
      nextAttemptAt: T0 + 1_000,
      lastError: 'Error: refused 1 on attempt 1',
    });

    f.clock.set(T0 + 999); // 1 ms early: not tried
    expect((await relay.runOnce()).consumers[0]).toMatchObject({ delivered: 0, waitingUntil: T0 + 1_000 });
    expect(c.seen).toHaveLength(1);

    f.clock.set(T0 + 1_000); // second attempt fails: the pause doubles
    expect((await relay.runOnce()).consumers[0]!.failures[0]).toMatchObject({
      attempt: 2,
      nextAttemptAt: T0 + 3_000,
    });
    expect(await state('hook')).toMatchObject({ attempts: 2, nextAttemptAt: T0 + 3_000 });

    f.clock.set(T0 + 2_999);
    await relay.runOnce();
    expect(c.seen).toHaveLength(2);

    f.clock.set(T0 + 3_000); // third attempt succeeds, and m2 follows in the same run
    expect((await relay.runOnce()).consumers[0]).toMatchObject({ delivered: 2, failures: [] });
    expect(c.seen.map((m) => [m.payload.n, m.attempt])).toEqual([
      [1, 1],
      [1, 2],
      [1, 3],
      [2, 1],
    ]);
    expect(await state('hook')).toMatchObject({
      cursorSeq: 2,
      attempts: 0,
      nextAttemptAt: 0,
      lastError: null,
    });
  });

  it('dead-letters the head after the last attempt (pauses capped) and goes on with the next', async () => {
    const c = recorder('hook', { from: 'beginning', fail: (m) => m.payload.n === 2 });
    const other = recorder('mail', { from: 'beginning' });
    const relay = f.relay([c, other], 'a', { retry });
    const ms = [f.message(), f.message('pim.roleActivated', { role: 'r' }), f.message()];
    await f.enqueue(...ms);

    await relay.runOnce(); // m1 delivered, m2 attempt 1 fails
    expect(ids(other.seen)).toEqual(ids(ms)); // another consumer is not held up
    expect(await state('hook')).toMatchObject({ cursorSeq: 1, attempts: 1, nextAttemptAt: T0 + 1_000 });
    f.clock.set(T0 + 1_000);
    await relay.runOnce(); // attempt 2
    expect(await state('hook')).toMatchObject({ attempts: 2, nextAttemptAt: T0 + 3_000 });
    f.clock.set(T0 + 3_000);
    await relay.runOnce(); // attempt 3: the pause is capped at 3 s (not 4 s)
    expect(await state('hook')).toMatchObject({ attempts: 3, nextAttemptAt: T0 + 6_000 });
    f.clock.set(T0 + 6_000);
    const last = await relay.runOnce(); // attempt 4 of 4: dead letter, then m3
    expect(last.consumers[0]).toMatchObject({
      delivered: 1,
      deadLettered: 1,
      failures: [{ seq: 2, attempt: 4, error: 'Error: refused 2 on attempt 4' }],
    });
    expect(last.consumers[0]!.failures[0]!.nextAttemptAt).toBeUndefined();
    expect(c.seen.map((m) => [m.payload.n, m.attempt])).toEqual([
      [1, 1],
      [2, 1],
      [2, 2],
      [2, 3],
      [2, 4],
      [3, 1],
    ]);
    expect(await state('hook')).toMatchObject({
      cursorSeq: 3,
      attempts: 0,
      nextAttemptAt: 0,
      lastError: null,
    });

    expect(await relay.deadLetters('hook')).toEqual([
      {
        consumer: 'hook',
        message: { ...ms[1], seq: 2 },
        attempts: 4,
        lastError: 'Error: refused 2 on attempt 4',
        deadAt: T0 + 6_000,
      },
    ]);
    expect(await relay.deadLetters('mail')).toEqual([]);
  });

  it('with maxAttempts 1 a failure dead-letters at once', async () => {
    const c = recorder('once', { from: 'beginning', fail: (m) => m.payload.n === 1 });
    await f.enqueue(f.message(), f.message());
    const run = await f.relay([c], 'a', { retry: { maxAttempts: 1 } }).runOnce();
    expect(run.consumers[0]).toMatchObject({ delivered: 1, deadLettered: 1 });
    expect(c.seen.map((m) => m.payload.n)).toEqual([1, 2]);
  });

  it('a handler that does not settle in time counts as a failed attempt', async () => {
    const c = {
      name: 'slow',
      from: 'beginning' as const,
      accepts: () => true,
      handle: () => new Promise<void>(() => undefined), // never settles
    };
    await f.enqueue(f.message());
    const run = await f.relay([c], 'a', { handleTimeoutMs: 50, leaseMs: 1_000, retry }).runOnce();
    expect(run.consumers[0]!.failures).toMatchObject([
      { seq: 1, attempt: 1, error: 'Error: handler timed out after 50 ms', nextAttemptAt: T0 + 1_000 },
    ]);
  });

  it('a consumer that stops accepting its failing head skips it and starts counting afresh', async () => {
    let acceptsFirst = true;
    const c = recorder('fickle', {
      from: 'beginning',
      accepts: (t) => acceptsFirst || t !== 'first',
      fail: (m) => m.type === 'first',
    });
    const relay = f.relay([c], 'a', { retry });
    await f.enqueue(f.message('first'), f.message('second'));
    await relay.runOnce();
    expect(await state('fickle')).toMatchObject({ attempts: 1 });
    acceptsFirst = false;
    f.clock.set(T0 + 1_000);
    await relay.runOnce();
    expect(c.seen.map((m) => [m.type, m.attempt])).toEqual([
      ['first', 1],
      ['second', 1],
    ]);
    expect(await state('fickle')).toMatchObject({ cursorSeq: 2, attempts: 0 });
  });
  it('a deferral is not a failure: the head waits until then, attempts unchanged, never dead-lettered', async () => {
    const seen: [number, number, number][] = [];
    let failOnce = true;
    const c = {
      name: 'paced',
      from: 'beginning' as const,
      accepts: () => true,
      async handle(m: DeliveredMessage) {
        seen.push([Number(m.payload.n), m.attempt, f.clock.now()]);
        if (m.payload.n === 1 && failOnce) {
          failOnce = false;
          throw new Error('down');
        }
        // The first message is paced: not before T0 + 10 s, however often it is handed over.
        if (m.payload.n === 1 && f.clock.now() < T0 + 10_000) return { deferUntil: T0 + 10_000 };
        return undefined;
      },
    };
    const relay = f.relay([c], 'a', { retry: { ...retry, maxAttempts: 2 } });
    await f.enqueue(f.message(), f.message());
    // A failure first (attempt 1), then a deferral at its retry: the count stays at 1, with no error.
    expect((await relay.runOnce()).consumers[0]).toMatchObject({ waitingUntil: T0 + 1_000 });
    f.clock.set(T0 + 1_000);
    expect((await relay.runOnce()).consumers[0]).toMatchObject({
      delivered: 0,
      deadLettered: 0,
      failures: [],
      waitingUntil: T0 + 10_000,
    });
    expect(await state('paced')).toMatchObject({
      cursorSeq: 0,
      attempts: 1,
      nextAttemptAt: T0 + 10_000,
      lastError: null,
    });
    f.clock.set(T0 + 9_999);
    await relay.runOnce();
    expect(seen).toHaveLength(2);
    // Due: delivered as attempt 2, which maxAttempts 2 would have dead-lettered had it failed.
    f.clock.set(T0 + 10_000);
    expect((await relay.runOnce()).consumers[0]).toMatchObject({ delivered: 2, deadLettered: 0 });
    expect(seen).toEqual([
      [1, 1, T0],
      [1, 2, T0 + 1_000],
      [1, 2, T0 + 10_000],
      [2, 1, T0 + 10_000],
    ]);
    expect(await state('paced')).toMatchObject({ cursorSeq: 2, attempts: 0, nextAttemptAt: 0 });
  });
});
