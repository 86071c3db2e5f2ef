// The in-process job: runs on its interval, at once when nudged (nudges share a run), never two runs
// at a time, prunes on the clock's pace, reports failures, and gives its leases up when it stops.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOutboxRelayJob, type OutboxRelayJob } from '../../src/jobs/outbox-relay.js';
import { dialectName } from '../helpers/db.js';
import { eventually, gate, outboxFixture, recorder, T0, type OutboxFixture } from './support.js';

const HOUR = 3_600_000;

describe(`outbox relay job (${dialectName})`, () => {
  let f: OutboxFixture;
  let job: OutboxRelayJob | undefined;
  beforeEach(async () => {
    f = await outboxFixture();
  });
  afterEach(async () => {
    await job?.stop();
    job = undefined;
    await f.close();
  });

  it('a nudge delivers at once, without waiting for the interval; stop gives the lease up', async () => {
    const c = recorder('mail', { from: 'beginning' });
    job = createOutboxRelayJob({ relay: f.relay([c]), clock: f.clock, intervalMs: HOUR });
    job.start();
    const m = f.message();
    await f.enqueue(m);
    job.nudge();
    await eventually(() => expect(c.seen.map((s) => s.id)).toEqual([m.id]));
    expect((await f.store.consumers())[0]).toMatchObject({ leaseHolder: 'replica-a' });
    await job.stop();
    expect((await f.store.consumers())[0]).toMatchObject({ leaseHolder: null, cursorSeq: 1 });
  });

  it('runs on its interval when nobody nudges it', async () => {
    const c = recorder('mail', { from: 'beginning' });
    job = createOutboxRelayJob({ relay: f.relay([c]), clock: f.clock, intervalMs: 20 });
    job.start();
    await f.enqueue(f.message());
    await eventually(() => expect(c.seen).toHaveLength(1));
  });

  it('nudges during a run share the next one; runs never overlap; a stopped job ignores nudges', async () => {
    const relay = f.relay([recorder('mail', { from: 'beginning' })]);
    let active = 0;
    let runs = 0;
    let overlapped = false;
    const hold = gate();
    const counted = {
      ...relay,
      async runOnce() {
        active += 1;
        runs += 1;
        overlapped ||= active > 1;
        if (runs === 1) await hold.promise;
        try {
          return await relay.runOnce();
        } finally {
          active -= 1;
        }
      },
    };
    job = createOutboxRelayJob({ relay: counted, clock: f.clock, intervalMs: HOUR });
    job.nudge(); // not started: ignored
    await new Promise((r) => setTimeout(r, 20));
    expect(runs).toBe(0);

    job.start();
    job.nudge(); // run 1 starts and waits on `hold`
    await eventually(() => expect(runs).toBe(1));
    for (let i = 0; i < 10; i += 1) job.nudge(); // all served by one run after run 1
    const explicit = job.runOnce(); // joins that same queued run
    hold.open();
    await explicit;
    expect(runs).toBe(2);
    expect(overlapped).toBe(false);

    await job.stop();
    job.nudge();
    await new Promise((r) => setTimeout(r, 20));
    expect(runs).toBe(2);
  });

  it('prunes at most once per prune interval of the clock', async () => {
    const relay = f.relay([recorder('mail', { from: 'beginning' })], 'a', { retentionMs: HOUR });
    job = createOutboxRelayJob({ relay, clock: f.clock, intervalMs: HOUR, pruneIntervalMs: HOUR });
    await f.enqueue(f.message());
    expect((await job.runOnce()).pruned).toBe(0); // first run prunes (nothing old enough yet)
    f.clock.set(T0 + HOUR + 1);
    await f.enqueue(f.message());
    expect((await job.runOnce()).pruned).toBe(1);
    f.clock.set(T0 + 2 * HOUR); // less than an interval since the last prune
    expect((await job.runOnce()).pruned).toBeUndefined();
    f.clock.set(T0 + 2 * HOUR + 1);
    expect((await job.runOnce()).pruned).toBe(0); // the second message is younger than the retention
  });

  it('reports consumer failures and errors with the consumer name, and keeps going', async () => {
    const errors: [string, string | undefined][] = [];
    const c = recorder('hook', { from: 'beginning', fail: () => true });
    job = createOutboxRelayJob({
      relay: f.relay([c]),
      clock: f.clock,
      intervalMs: HOUR,
      onError: (e, consumer) => errors.push([e.message, consumer]),
    });
    await f.enqueue(f.message('pim.roleActivated'));
    const run = await job.runOnce();
    expect(run.consumers[0]!.failures).toHaveLength(1);
    expect(errors).toEqual([
      ['outbox message 1 (pim.roleActivated), attempt 1: Error: refused 1 on attempt 1', 'hook'],
    ]);
  });
});
