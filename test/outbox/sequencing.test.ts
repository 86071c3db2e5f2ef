// On PostgreSQL, transactions commit in any order. A message that commits after a later-enqueued one
// has already been delivered must still be delivered: messages are numbered after commit, by one
// sequencer at a time, so no consumer's cursor can ever be past a message that is not yet visible.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveredMessage, OutboxMessage } from '../../src/app/outbox/ports.js';
import { dialectName, postgresOnly } from '../helpers/db.js';
import { skipFor } from '../helpers/skip.js';
import { gate, ids, outboxFixture, recorder, type OutboxFixture } from './support.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`outbox sequencing under concurrent enqueuers (${dialectName})`, () => {
  let f: OutboxFixture;
  beforeEach(async () => {
    f = await outboxFixture({ poolSize: 14 });
  });
  afterEach(() => f.close());

  it('a transaction that enqueued first but commits last is not skipped', skipFor(postgresOnly), async () => {
    const c = recorder('connector', { from: 'beginning' });
    const relay = f.relay([c]);
    const [a1, a2, b1] = [f.message('a'), f.message('a'), f.message('b')];

    // A enqueues first and stays open; B enqueues after it and commits.
    const enqueuedA = gate();
    const commitA = gate();
    const txA = f.uow.run(async (tx) => {
      await tx.outbox.enqueue([a1, a2]);
      enqueuedA.open();
      await commitA.promise;
    });
    await enqueuedA.promise;
    await f.enqueue(b1);

    // The relay runs between the two commits: B is delivered, A is not visible yet.
    expect((await relay.runOnce()).sequenced).toBe(1);
    expect(ids(c.seen)).toEqual([b1.id]);
    expect((await f.store.consumers())[0]!.cursorSeq).toBe(1);

    commitA.open();
    await txA;
    await relay.runOnce();
    expect(ids(c.seen)).toEqual(ids([b1, a1, a2]));
    expect(c.seen.map((m) => m.seq)).toEqual([1, 2, 3]);

    // By enqueue order A came first (its keys are not above B's): a cursor over an enqueue-time
    // number would have been past A when A committed, and A would have been skipped.
    const keys = await f.db.kysely
      .selectFrom('outbox_messages')
      .select(['id', 'order_key', 'seq'])
      .orderBy('seq')
      .execute();
    const key = (id: string) => Number(keys.find((k) => k.id === id)!.order_key);
    expect(key(a1.id)).toBeLessThanOrEqual(key(b1.id));
  });

  it('many concurrent writers and two relays: every committed message once, dense numbers, causal order', async () => {
    const WRITERS = 6;
    const TXS = 12;
    const seen: DeliveredMessage[] = [];
    const relays = ['replica-a', 'replica-b'].map((r) =>
      f.relay([recorder('all', { from: 'beginning', seen })], r, { batchSize: 4, sequenceBatchSize: 5 }),
    );
    const committed: OutboxMessage[][] = Array.from({ length: WRITERS }, () => []);
    const rolledBack: OutboxMessage[] = [];
    const pause = () => sleep(Math.floor(Math.random() * 4));

    let writing = true;
    const relaying = relays.map(async (relay) => {
      while (writing) {
        const run = await relay.runOnce();
        expect(run.sequenceError).toBeUndefined();
        expect(run.consumers[0]!.error).toBeUndefined();
        await sleep(1);
      }
    });
    // A bare sequencer as well, racing the relays' own.
    const sequencing = (async () => {
      while (writing) {
        await f.store.sequence(3);
        await sleep(1);
      }
    })();

    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        for (let t = 0; t < TXS; t += 1) {
          const ms = [0, 1, 2].map((i) => f.message(`writer.${w}`, { t, i }));
          const rollback = (w + t) % 5 === 0;
          await f.uow
            .run(async (tx) => {
              await pause();
              await tx.outbox.enqueue([ms[0]!]);
              await pause();
              await tx.outbox.enqueue([ms[1]!, ms[2]!]);
              await pause();
              if (rollback) throw new Error('rolled back');
            })
            .then(
              () => committed[w]!.push(...ms),
              () => rolledBack.push(...ms),
            );
        }
      }),
    );
    writing = false;
    await Promise.all([...relaying, sequencing]);
    for (const relay of relays) await relay.runOnce();
    for (const relay of relays) await relay.runOnce();

    const all = committed.flat();
    expect(rolledBack.length).toBeGreaterThan(0);
    expect(seen).toHaveLength(all.length);
    expect(new Set(ids(seen))).toEqual(new Set(ids(all)));
    expect(seen.map((m) => m.seq)).toEqual(all.map((_, i) => i + 1));
    // A writer's transactions run one after the other, each seeing the previous one committed:
    // their messages arrive in program order (and each transaction's own in enqueue order).
    for (let w = 0; w < WRITERS; w += 1)
      expect(ids(seen.filter((m) => m.type === `writer.${w}`))).toEqual(ids(committed[w]!));
    expect(await f.store.lastSeq()).toBe(all.length);
    const { rows } = await sql<{
      n: number | string;
    }>`select count(*) as n from outbox_messages where seq is null`.execute(f.db.kysely);
    expect(Number(rows[0]!.n)).toBe(0);
  });
});
