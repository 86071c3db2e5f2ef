// Retention deletes a message only once every consumer has passed it and it is older than the
// retention; numbering goes on from where it was, and unnumbered messages are never touched.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dialectName } from '../helpers/db.js';
import { skipFor } from '../helpers/skip.js';
import { outboxFixture, recorder, T0, type OutboxFixture } from './support.js';

const HOUR = 3_600_000;

describe(`outbox retention (${dialectName})`, () => {
  let f: OutboxFixture;
  beforeEach(async () => {
    f = await outboxFixture();
  });
  afterEach(() => f.close());

  const stored = async () =>
    (await f.db.kysely.selectFrom('outbox_messages').select(['seq', 'id']).orderBy('seq').execute()).map(
      (r) => (r.seq === null ? null : Number(r.seq)),
    );

  it('deletes what every consumer passed once it is older than the retention, no sooner', async () => {
    const fast = recorder('fast', { from: 'beginning' });
    let refused = 0;
    const slow = recorder('slow', { from: 'beginning', fail: (m) => m.payload.n === 3 && refused++ === 0 });
    const relay = f.relay([fast, slow], 'a', { retentionMs: HOUR });
    await f.enqueue(f.message(), f.message(), f.message(), f.message());
    await relay.runOnce();
    expect((await f.store.consumers()).map((s) => [s.name, s.cursorSeq])).toEqual([
      ['fast', 4],
      ['slow', 2],
    ]);

    f.clock.set(T0 + HOUR); // exactly the retention: still kept
    expect(await relay.prune()).toBe(0);
    f.clock.set(T0 + HOUR + 1);
    expect(await relay.prune()).toBe(2); // 1 and 2; 3 and 4 wait for 'slow'
    expect(await stored()).toEqual([3, 4]);

    await relay.runOnce(); // 'slow' retries 3 (its back-off is over), then 4
    expect(await relay.prune()).toBe(2);
    expect(await stored()).toEqual([]);

    // The head is kept: numbering goes on, and the cursors stay valid.
    const next = f.message();
    await f.enqueue(next);
    await relay.runOnce();
    expect(fast.seen.at(-1)).toMatchObject({ id: next.id, seq: 5 });
    expect(slow.seen.at(-1)).toMatchObject({ id: next.id, seq: 5 });
  });

  it(
    'never deletes a message that is not numbered yet',
    skipFor(dialectName === 'postgres' ? undefined : 'SQLite numbers outbox messages at insert'),
    async () => {
      const relay = f.relay([], 'a', { retentionMs: 0 });
      await f.enqueue(f.message());
      await relay.runOnce();
      await f.enqueue(f.message()); // committed, not numbered
      f.clock.set(T0 + 1);
      expect(await relay.prune()).toBe(1);
      expect(await stored()).toEqual([null]);
    },
  );

  it('deletes nothing while a registered consumer has no state yet', async () => {
    await f.enqueue(f.message());
    await f.relay([]).runOnce();
    const relay = f.relay([recorder('new', { from: 'beginning' })], 'a', { retentionMs: 0 });
    f.clock.set(T0 + 1);
    expect(await relay.prune()).toBe(0);
    await relay.runOnce();
    expect(await relay.prune()).toBe(1);
  });

  it('counts consumers another replica ran within the retention; forgets those gone for longer', async () => {
    await f.enqueue(f.message(), f.message());
    // Another replica (a rolling deploy) runs 'webhook', which is not registered here; it fails on 2.
    const there = f.relay([recorder('webhook', { from: 'beginning', fail: (m) => m.payload.n === 2 })], 'b', {
      retentionMs: HOUR,
    });
    const here = f.relay([recorder('mail', { from: 'beginning' })], 'a', { retentionMs: HOUR });
    await there.runOnce();
    await here.runOnce();

    f.clock.set(T0 + HOUR + 1);
    await there.runOnce(); // still running there, still failing on 2
    expect(await here.prune()).toBe(1);
    expect(await stored()).toEqual([2]);

    f.clock.set(T0 + 2 * HOUR + 2); // no replica has run it for longer than the retention
    expect(await here.prune()).toBe(1);
    expect(await stored()).toEqual([]);
  });

  it('with no consumer at all, retention alone decides; large backlogs go in batches', async () => {
    const relay = f.relay([], 'a', { retentionMs: HOUR, pruneBatchSize: 2 });
    await f.enqueue(f.message(), f.message(), f.message(), f.message(), f.message());
    f.clock.set(T0 + 10);
    await f.enqueue(f.message());
    await relay.runOnce();
    f.clock.set(T0 + HOUR + 1);
    expect(await relay.prune()).toBe(5);
    expect(await stored()).toEqual([6]);
    const status = await relay.status();
    expect(status).toEqual({ lastSeq: 6, consumers: [] });
  });

  it('reports each consumer lag', async () => {
    const relay = f.relay([recorder('slow', { from: 'beginning', fail: () => true })], 'a');
    await f.enqueue(f.message(), f.message(), f.message());
    await relay.runOnce();
    const status = await relay.status();
    expect(status.lastSeq).toBe(3);
    expect(status.consumers).toMatchObject([
      { name: 'slow', cursorSeq: 0, lag: 3, attempts: 1, registered: true },
    ]);
  });
});
