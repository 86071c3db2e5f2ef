// Several replicas run the relay at once: each consumer is driven by one of them at a time (a lease),
// so in the normal case every message reaches every consumer once; when the holder stops answering,
// its lease lapses, another replica takes over and the message in flight is delivered again.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveredMessage, OutboxMessage } from '../../src/app/outbox/ports.js';
import { makeOutboxRelay } from '../../src/app/outbox/relay.js';
import { dialectName } from '../helpers/db.js';
import { gate, ids, outboxFixture, recorder, T0, type OutboxFixture } from './support.js';

const LEASE_MS = 30_000;

describe(`outbox relay on several replicas (${dialectName})`, () => {
  let f: OutboxFixture;
  beforeEach(async () => {
    f = await outboxFixture({ poolSize: 8 });
  });
  afterEach(() => f.close());

  it('two replicas deliver each message exactly once per consumer, in order, also when one stops', async () => {
    const seen: Record<string, DeliveredMessage[]> = { mail: [], hook: [], chat: [] };
    const consumersOf = () =>
      Object.keys(seen).map((name) => recorder(name, { from: 'beginning', seen: seen[name] }));
    const a = f.relay(consumersOf(), 'replica-a', { leaseMs: LEASE_MS, batchSize: 3 });
    const b = f.relay(consumersOf(), 'replica-b', { leaseMs: LEASE_MS, batchSize: 3 });
    const sent: OutboxMessage[] = [];
    const heldBy = new Set<string>();

    for (let round = 0; round < 6; round += 1) {
      const batch = [f.message(), f.message(), f.message(), f.message()];
      sent.push(...batch);
      await Promise.all([f.enqueue(batch[0]!, batch[1]!), f.enqueue(batch[2]!, batch[3]!)]);
      const runs = round < 3 ? [a.runOnce(), b.runOnce()] : [b.runOnce()];
      for (const [i, run] of (await Promise.all(runs)).entries()) {
        for (const c of run.consumers) {
          expect(c.error).toBeUndefined();
          if (!c.heldElsewhere) heldBy.add(`${round < 3 ? 'ab'[i] : 'b'}:${c.consumer}`);
        }
      }
      if (round === 2) await a.close(); // a clean stop: b continues at once, without waiting for the lease
    }
    // Each consumer got every message once, numbered 1..N; all in the same order, which keeps each
    // transaction's order (the two transactions of a round are concurrent: either may come first).
    const order = ids(seen.mail!);
    expect([...order].sort()).toEqual(ids(sent).sort());
    for (const name of Object.keys(seen)) {
      expect(ids(seen[name]!), name).toEqual(order);
      expect(
        seen[name]!.map((m) => m.seq),
        name,
      ).toEqual(sent.map((_, i) => i + 1));
    }
    for (let i = 0; i < sent.length; i += 2)
      expect(order.indexOf(sent[i]!.id)).toBeLessThan(order.indexOf(sent[i + 1]!.id));
    expect([...heldBy].filter((h) => h.startsWith('b:'))).toHaveLength(3);
  });

  it('a lease that lapses is taken over and the message in flight is delivered again (at least once)', async () => {
    const stuck = gate();
    const entered = gate();
    const seenByA: DeliveredMessage[] = [];
    const a = f.relay(
      [
        {
          name: 'connector',
          from: 'beginning',
          accepts: () => true,
          async handle(m) {
            seenByA.push(m);
            if (m.payload.n === 2) {
              entered.open(); // replica a hangs (a long GC pause, a network partition…)
              await stuck.promise;
            }
          },
        },
      ],
      'replica-a',
      { leaseMs: LEASE_MS, handleTimeoutMs: 10_000 },
    );
    const takeover = recorder('connector', { from: 'beginning' });
    const b = f.relay([takeover], 'replica-b', { leaseMs: LEASE_MS });
    const ms = [f.message(), f.message(), f.message()];
    await f.enqueue(...ms);

    const runA = a.runOnce();
    await entered.promise;
    expect((await f.store.consumers())[0]).toMatchObject({ leaseHolder: 'replica-a', cursorSeq: 1 });

    f.clock.set(T0 + LEASE_MS - 1); // not lapsed yet: b leaves it alone
    expect((await b.runOnce()).consumers[0]).toMatchObject({ heldElsewhere: true, delivered: 0 });

    f.clock.set(T0 + LEASE_MS); // lapsed: b takes over from the stored cursor
    expect((await b.runOnce()).consumers[0]).toMatchObject({ delivered: 2 });
    expect(ids(takeover.seen)).toEqual(ids(ms.slice(1)));

    stuck.open(); // a wakes up: its cursor move fails, it stops without touching b's progress
    const late = (await runA).consumers[0]!;
    expect(late).toMatchObject({ delivered: 1 });
    expect(late.error?.message).toMatch(/lost the lease on outbox consumer connector/);
    expect(ids(seenByA)).toEqual(ids(ms.slice(0, 2)));
    expect((await f.store.consumers())[0]).toMatchObject({ leaseHolder: 'replica-b', cursorSeq: 3 });

    // Message 2 reached the consumer twice (once per replica), every message at least once.
    const all = [...seenByA, ...takeover.seen].map((m) => m.payload.n);
    expect(all.sort()).toEqual([1, 2, 2, 3]);

    // a's next run finds the lease held by b.
    expect((await a.runOnce()).consumers[0]).toMatchObject({ heldElsewhere: true });
  });

  it('a replica renews its lease while it works, so a slow but live replica is not taken over', async () => {
    const c = recorder('mail', { from: 'beginning' });
    const a = f.relay([c], 'replica-a', { leaseMs: LEASE_MS });
    const b = f.relay([recorder('mail', { from: 'beginning' })], 'replica-b', { leaseMs: LEASE_MS });
    await f.enqueue(f.message());
    await a.runOnce();
    f.clock.set(T0 + LEASE_MS - 1);
    await f.enqueue(f.message());
    await a.runOnce(); // renews until T0 + 2·LEASE_MS - 1
    f.clock.set(T0 + LEASE_MS + 10);
    expect((await b.runOnce()).consumers[0]).toMatchObject({ heldElsewhere: true });
    expect((await f.store.consumers())[0]).toMatchObject({
      leaseHolder: 'replica-a',
      leaseExpiresAt: T0 + 2 * LEASE_MS - 1,
    });
  });

  it('a replica that stalled past its lease checks it again before calling the consumer, and stops', async () => {
    const b = f.relay([recorder('connector', { from: 'beginning' })], 'replica-b', { leaseMs: LEASE_MS });
    let stalled = false;
    const aSeen: DeliveredMessage[] = [];
    const a = makeOutboxRelay({
      // Replica a stalls right after reading its batch, for longer than its lease; b takes over.
      store: {
        ...f.store,
        async after(afterSeq, limit) {
          const batch = await f.store.after(afterSeq, limit);
          if (!stalled) {
            stalled = true;
            f.clock.advance(LEASE_MS);
            await b.runOnce();
          }
          return batch;
        },
      },
      clock: f.clock,
      replicaId: 'replica-a',
      consumers: [recorder('connector', { from: 'beginning', seen: aSeen })],
      options: { leaseMs: LEASE_MS, handleTimeoutMs: 10_000 },
    });
    await f.enqueue(f.message(), f.message());
    const run = await a.runOnce();
    expect(run.consumers[0]!.error?.message).toMatch(/lost the lease/);
    expect(aSeen).toEqual([]); // b delivered both; a called nothing: each message exactly once
    expect((await f.store.consumers())[0]).toMatchObject({ leaseHolder: 'replica-b', cursorSeq: 2 });
  });

  it('renews the lease before a call that could outlast it', async () => {
    const bSeen: DeliveredMessage[] = [];
    const b = f.relay([recorder('connector', { from: 'beginning', seen: bSeen })], 'replica-b', {
      leaseMs: LEASE_MS,
    });
    let bDuringCall: unknown;
    const a = f.relay(
      [
        {
          name: 'connector',
          from: 'beginning',
          accepts: (t) => {
            if (t === 'slow.scan') f.clock.advance(LEASE_MS); // the lease ran out while a was busy
            return t !== 'slow.scan';
          },
          async handle() {
            bDuringCall = (await b.runOnce()).consumers[0];
          },
        },
      ],
      'replica-a',
      { leaseMs: LEASE_MS, handleTimeoutMs: 10_000 },
    );
    await f.enqueue(f.message('slow.scan'), f.message('wanted'));
    const run = await a.runOnce();
    expect(run.consumers[0]).toMatchObject({ delivered: 1, skipped: 1 });
    // a renewed its lease before calling, so b could not take the consumer over during the call.
    expect(bDuringCall).toMatchObject({ heldElsewhere: true });
    expect(bSeen).toEqual([]);
    expect((await f.store.consumers())[0]).toMatchObject({
      leaseHolder: 'replica-a',
      leaseExpiresAt: T0 + 2 * LEASE_MS,
    });
  });

  describe('cursor moves written at most once per cursorPersistMs', () => {
    const PERSIST_MS = 1_000;
    const lazy = { leaseMs: LEASE_MS, cursorPersistMs: PERSIST_MS };
    const stored = async () => (await f.store.consumers())[0]!.cursorSeq;

    it('a stream of messages moves the stored cursor once per interval; status shows the delivered position', async () => {
      const c = recorder('mail', { from: 'beginning' });
      const a = f.relay([c], 'replica-a', lazy);
      await f.enqueue(f.message());
      await a.runOnce();
      expect(await stored()).toBe(1); // the first move after a claim is written at once
      for (let i = 0; i < 5; i += 1) {
        f.clock.advance(100);
        await f.enqueue(f.message());
        await a.runOnce();
      }
      expect(c.seen.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(await stored()).toBe(1); // 500 ms later: five moves kept in memory
      expect((await a.status()).consumers[0]).toMatchObject({ cursorSeq: 6, lag: 0 });
      f.clock.advance(PERSIST_MS);
      expect((await a.runOnce()).consumers[0]).toMatchObject({ delivered: 0 });
      expect(await stored()).toBe(6); // written by a run with nothing to deliver
      expect(c.seen).toHaveLength(6);
    });

    it('a replica that dies with moves unwritten: the next holder delivers them again (at least once), nothing lost', async () => {
      const seenA = recorder('mail', { from: 'beginning' });
      const seenB = recorder('mail', { from: 'beginning' });
      const a = f.relay([seenA], 'replica-a', lazy);
      await f.enqueue(f.message(), f.message());
      await a.runOnce();
      f.clock.advance(10);
      await f.enqueue(f.message(), f.message());
      await a.runOnce();
      expect(await stored()).toBe(2);
      // a dies (no close): b waits for the lease, then continues from the stored cursor.
      const b = f.relay([seenB], 'replica-b', lazy);
      expect((await b.runOnce()).consumers[0]).toMatchObject({ heldElsewhere: true });
      f.clock.advance(LEASE_MS);
      await f.enqueue(f.message());
      await b.runOnce();
      expect(seenA.seen.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
      expect(seenB.seen.map((m) => m.seq)).toEqual([3, 4, 5]);
      expect(await stored()).toBe(5);
    });

    it('a clean stop writes the moves kept in memory: the next holder delivers nothing again', async () => {
      const seenA = recorder('mail', { from: 'beginning' });
      const seenB = recorder('mail', { from: 'beginning' });
      const a = f.relay([seenA], 'replica-a', lazy);
      await f.enqueue(f.message());
      await a.runOnce();
      f.clock.advance(10);
      await f.enqueue(f.message(), f.message());
      await a.runOnce();
      expect(await stored()).toBe(1);
      await a.close();
      expect(await stored()).toBe(3);
      const b = f.relay([seenB], 'replica-b', lazy);
      await f.enqueue(f.message());
      await b.runOnce();
      expect(seenB.seen.map((m) => m.seq)).toEqual([4]);
    });

    it('a failure is written at once, with the moves before it', async () => {
      const c = recorder('mail', { from: 'beginning', fail: (m) => m.seq === 3 });
      const a = f.relay([c], 'replica-a', lazy);
      await f.enqueue(f.message());
      await a.runOnce();
      f.clock.advance(10);
      await f.enqueue(f.message(), f.message());
      const run = await a.runOnce();
      expect(run.consumers[0]).toMatchObject({ delivered: 1, failures: [{ seq: 3, attempt: 1 }] });
      expect((await f.store.consumers())[0]).toMatchObject({ cursorSeq: 2, attempts: 1 });
    });

    it('refuses an interval that is not well under the lease', () => {
      expect(() => f.relay([], 'replica-a', { leaseMs: LEASE_MS, cursorPersistMs: LEASE_MS })).toThrow(
        /cursorPersistMs/,
      );
      expect(() => f.relay([], 'replica-a', { cursorPersistMs: -1 })).toThrow(/cursorPersistMs/);
    });
  });
});
