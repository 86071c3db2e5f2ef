// The relay hands committed outbox messages to each consumer in order, at least once, outside any
// transaction; consumers skip what they do not accept and start at the end unless told otherwise.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveredMessage } from '../../src/app/outbox/ports.js';
import { dialectName } from '../helpers/db.js';
import { skipFor } from '../helpers/skip.js';

/** SQLite numbers messages at insert (ADR 0013): no committed message waits for a number there. */
const numberedAfterCommit = dialectName === 'postgres';
const unnumbered = skipFor(numberedAfterCommit ? undefined : 'SQLite numbers outbox messages at insert');
import { ids, outboxFixture, recorder, T0, TENANT, type OutboxFixture } from './support.js';

describe(`outbox delivery (${dialectName})`, () => {
  let f: OutboxFixture;
  beforeEach(async () => {
    f = await outboxFixture();
  });
  afterEach(() => f.close());

  it('delivers committed messages in enqueue order, each once, numbered 1, 2, 3…', async () => {
    const c = recorder('mail', { from: 'beginning' });
    const relay = f.relay([c]);
    const first = [f.message('pim.roleActivated', { role: 'x' }), f.message('pim.roleActivated')];
    const second = [f.message('pim.roleDeactivated'), f.message('pim.roleActivated'), f.message('x.y')];
    await f.enqueue(...first);
    await f.enqueue(...second);

    const run = await relay.runOnce();
    // SQLite numbers messages as they are inserted (one writer at a time); PostgreSQL after commit.
    expect(run.sequenced).toBe(numberedAfterCommit ? 5 : 0);
    expect(run.consumers).toEqual([
      { consumer: 'mail', delivered: 5, skipped: 0, deadLettered: 0, failures: [] },
    ]);
    expect(ids(c.seen)).toEqual(ids([...first, ...second]));
    expect(c.seen.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(c.seen[0]).toEqual({ ...first[0], seq: 1, attempt: 1 });
    expect(c.seen[0]!.payload).toEqual({ n: 1, role: 'x' });

    // Nothing new: nothing delivered again.
    expect((await relay.runOnce()).consumers[0]).toMatchObject({ delivered: 0 });
    expect(c.seen).toHaveLength(5);
    const [state] = await f.store.consumers();
    expect(state).toMatchObject({
      name: 'mail',
      cursorSeq: 5,
      attempts: 0,
      nextAttemptAt: 0,
      lastError: null,
    });
  });

  it('keeps the order of several enqueue calls in one transaction', async () => {
    const c = recorder('hook', { from: 'beginning' });
    const [a, b, d] = [f.message(), f.message(), f.message()];
    await f.uow.run(async (tx) => {
      await tx.outbox.enqueue([a]);
      await tx.outbox.enqueue([b, d]);
    });
    await f.relay([c]).runOnce();
    expect(ids(c.seen)).toEqual(ids([a, b, d]));
  });

  it('a rolled-back transaction enqueues nothing', async () => {
    const c = recorder('hook', { from: 'beginning' });
    const kept = f.message();
    await expect(
      f.uow.run(async (tx) => {
        await tx.outbox.enqueue([f.message(), f.message()]);
        throw new Error('the use case failed after enqueueing');
      }),
    ).rejects.toThrow('the use case failed');
    await f.enqueue(kept);
    const run = await f.relay([c]).runOnce();
    expect(run.sequenced).toBe(numberedAfterCommit ? 1 : 0);
    expect(ids(c.seen)).toEqual([kept.id]);
    expect(c.seen[0]!.seq).toBe(1);
    expect(await f.db.kysely.selectFrom('outbox_messages').select('id').execute()).toHaveLength(1);
  });

  it('calls consumers outside any transaction, before the cursor moves', async () => {
    const seenCursor: number[] = [];
    const consumer = {
      name: 'reentrant',
      from: 'beginning' as const,
      accepts: () => true,
      // A handler that writes through a unit of work itself: with the relay's transaction open this
      // would wait for the connection (SQLite) or see uncommitted state; it sees the committed cursor.
      async handle(m: DeliveredMessage) {
        await f.uow.run((tx) => tx.outbox.enqueue([{ ...f.message('echo'), payload: { of: m.id } }]));
        const [state] = await f.store.consumers();
        seenCursor.push(state!.cursorSeq);
      },
    };
    const relay = f.relay([consumer], 'a', { handleTimeoutMs: 5_000, leaseMs: 10_000 });
    await f.enqueue(f.message('start'));
    await relay.runOnce();
    expect(seenCursor).toEqual([0]);
    expect((await f.store.consumers())[0]!.cursorSeq).toBe(1);
    await f.store.sequence(10);
    expect(await f.store.lastSeq()).toBe(2);
  });

  it('skips types a consumer does not accept, moving its cursor past them', async () => {
    const onlyActivations = recorder('connector', {
      from: 'beginning',
      accepts: (t) => t === 'pim.roleActivated',
    });
    const everything = recorder('audit-hook', { from: 'beginning' });
    const ms = [
      f.message('pim.roleActivated'),
      f.message('directory.userCreated'),
      f.message('pim.roleActivated'),
      f.message('directory.userCreated'),
      f.message('directory.userCreated'),
    ];
    await f.enqueue(...ms);
    const run = await f.relay([onlyActivations, everything]).runOnce();
    expect(run.consumers).toEqual([
      { consumer: 'connector', delivered: 2, skipped: 3, deadLettered: 0, failures: [] },
      { consumer: 'audit-hook', delivered: 5, skipped: 0, deadLettered: 0, failures: [] },
    ]);
    expect(ids(onlyActivations.seen)).toEqual(ids([ms[0]!, ms[2]!]));
    expect(ids(everything.seen)).toEqual(ids(ms));
    const states = await f.store.consumers();
    expect(states.map((s) => [s.name, s.cursorSeq])).toEqual([
      ['audit-hook', 5],
      ['connector', 5],
    ]);
  });

  it("a new consumer starts at the current end, or at the oldest retained message with from: 'beginning'", async () => {
    const before = [f.message(), f.message()];
    await f.enqueue(...before);
    await f.relay([]).runOnce(); // numbers them
    const late = recorder('late');
    const replay = recorder('replay', { from: 'beginning' });
    const relay = f.relay([late, replay]);
    await relay.runOnce();
    expect(late.seen).toEqual([]);
    expect(ids(replay.seen)).toEqual(ids(before));

    const after = f.message();
    await f.enqueue(after);
    await relay.runOnce();
    expect(ids(late.seen)).toEqual([after.id]);
    expect(ids(replay.seen)).toEqual(ids([...before, after]));
  });

  it(
    "'end' still includes messages committed before the consumer started but not yet numbered",
    unnumbered,
    async () => {
      await f.enqueue(f.message());
      await f.relay([]).runOnce();
      const pending = f.message();
      await f.enqueue(pending); // committed, not numbered yet
      const c = recorder('new');
      await f.relay([c]).runOnce();
      expect(ids(c.seen)).toEqual([pending.id]);
    },
  );

  it('markEnd: a new consumer hears what committed after it, also before its first run; nothing older', async () => {
    await f.enqueue(f.message()); // history: not for a consumer starting at the end
    await f.relay([], 'earlier').runOnce(); // numbered (PostgreSQL numbers after commit)
    const c = recorder('new');
    const relay = f.relay([c]);
    await relay.markEnd();
    const after = [f.message(), f.message()];
    await f.enqueue(after[0]!);
    await f.enqueue(after[1]!); // both committed before the relay's first run
    await relay.runOnce();
    expect(ids(c.seen)).toEqual(ids(after));
  });

  it('keeps tenant, type, time and payload as enqueued', async () => {
    const c = recorder('x', { from: 'beginning' });
    const m = {
      id: '0A0B0C0D-1111-4111-8111-111111111111',
      tenantId: TENANT,
      type: 'pim.roleActivated',
      occurredAt: T0 + 123,
      payload: { nested: { list: [1, 'two', null, true] }, text: 'é ✓' },
    };
    await f.enqueue(m);
    await f.relay([c]).runOnce();
    expect(c.seen).toEqual([{ ...m, id: m.id.toLowerCase(), seq: 1, attempt: 1 }]);
  });

  it('refuses two consumers with one name, and names that cannot be a key', () => {
    expect(() => f.relay([recorder('a'), recorder('a')])).toThrow(/registered twice/);
    expect(() => f.relay([recorder('')])).toThrow(/invalid outbox consumer name/);
    expect(() => f.relay([recorder('x'.repeat(101))])).toThrow(/invalid outbox consumer name/);
    expect(() => f.relay([], 'a', { leaseMs: 1_000, handleTimeoutMs: 1_000 })).toThrow(
      /shorter than leaseMs/,
    );
    expect(() => f.relay([], 'a', { retry: { maxAttempts: 0 } })).toThrow(/maxAttempts/);
  });
});
