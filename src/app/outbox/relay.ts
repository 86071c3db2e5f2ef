import type { Clock } from '../../domain/time/clock.js';
import {
  deliverToConsumer,
  type ConsumerRunResult,
  type DeliveryDeps,
  type HeldConsumer,
} from './deliver.js';
import type { OutboxConsumer, OutboxConsumerState, OutboxDeadLetter, OutboxRelayStore } from './ports.js';
import { checkRetryPolicy, DEFAULT_RETRY, type RetryPolicy } from './retry.js';

export type { ConsumerRunResult, DeliveryFailure } from './deliver.js';

/** Tunables of the relay; every one has a default. */
export interface OutboxRelayOptions {
  /** Messages read per query for one consumer (default 100). */
  batchSize?: number;
  /** Most batches per consumer in one run, so one run stays short (default 50). */
  maxBatchesPerRun?: number;
  /** Messages numbered per sequencer transaction (default 1,000). */
  sequenceBatchSize?: number;
  /** How long a claim on a consumer lasts without renewal (default 30 s). */
  leaseMs?: number;
  /** Longest a consumer's `handle` may take before it counts as failed (default 10 s; < `leaseMs`). */
  handleTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Delivered messages are kept at least this long after they occurred (default 7 days). */
  retentionMs?: number;
  /** Messages deleted per statement when pruning (default 1,000). */
  pruneBatchSize?: number;
  /**
   * How long a consumer's cursor may move in memory before it is written (default 0: every move is
   * written). Under a stream of messages this turns one durable write per message and consumer
   * into one per interval; a crash or a lost lease delivers the unwritten ones again (at least
   * once). `close` writes them. Must be well under `leaseMs`.
   */
  cursorPersistMs?: number;
}

export const DEFAULT_OUTBOX_LEASE_MS = 30_000;
export const DEFAULT_OUTBOX_RETENTION_MS = 7 * 24 * 3_600_000;

export interface RelayRunResult {
  /** Messages numbered in this run. */
  sequenced: number;
  /** Numbering failed (the run still delivered what was numbered before). */
  sequenceError?: Error;
  consumers: ConsumerRunResult[];
}

/** A consumer's state with how far it lags behind the last numbered message. */
export interface ConsumerStatus extends OutboxConsumerState {
  lag: number;
  registered: boolean;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

const positive = (name: string, v: number): number => {
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer`);
  return v;
};

/**
 * The outbox relay (DESIGN.md invariant 3, docs/adr/0013-transactional-outbox.md): after use cases
 * commit, it numbers their messages in commit order, then hands them to each registered consumer in
 * that order, at least once, outside any transaction. Each consumer is driven by one replica at a
 * time (a lease, taken over when it lapses); a failing message is retried with exponential back-off
 * and dead-lettered after the last attempt. `prune` deletes what every consumer has passed, once
 * it is older than the retention.
 */
export function makeOutboxRelay(deps: {
  store: OutboxRelayStore;
  clock: Clock;
  /** This process, as a lease holder. */
  replicaId: string;
  consumers?: readonly OutboxConsumer[];
  options?: OutboxRelayOptions;
}) {
  const o = deps.options ?? {};
  const leaseMs = positive('leaseMs', o.leaseMs ?? DEFAULT_OUTBOX_LEASE_MS);
  const handleTimeoutMs = positive('handleTimeoutMs', o.handleTimeoutMs ?? Math.min(10_000, leaseMs / 2));
  if (handleTimeoutMs >= leaseMs) throw new RangeError('handleTimeoutMs must be shorter than leaseMs');
  const held = new Map<string, HeldConsumer>();
  const cursorPersistMs = o.cursorPersistMs ?? 0;
  if (!Number.isSafeInteger(cursorPersistMs) || cursorPersistMs < 0 || cursorPersistMs * 4 > leaseMs)
    throw new RangeError('cursorPersistMs must be a non-negative integer, at most a quarter of leaseMs');
  const delivery: DeliveryDeps = {
    cursorPersistMs,
    held,
    store: deps.store,
    clock: deps.clock,
    replicaId: deps.replicaId,
    retry: checkRetryPolicy({ ...DEFAULT_RETRY, ...o.retry }),
    batchSize: positive('batchSize', o.batchSize ?? 100),
    maxBatchesPerRun: positive('maxBatchesPerRun', o.maxBatchesPerRun ?? 50),
    leaseMs,
    handleTimeoutMs,
  };
  const sequenceBatch = positive('sequenceBatchSize', o.sequenceBatchSize ?? 1_000);
  const retentionMs = o.retentionMs ?? DEFAULT_OUTBOX_RETENTION_MS;
  if (!Number.isSafeInteger(retentionMs) || retentionMs < 0)
    throw new RangeError('retentionMs must be a non-negative integer');
  const pruneBatch = positive('pruneBatchSize', o.pruneBatchSize ?? 1_000);

  const registry = new Map<string, OutboxConsumer>();
  /** Where a new consumer starting at the end starts, once `markEnd` has run (else: at its first run). */
  let endSeq: number | undefined;
  /** Consumers whose state row exists (created once per process). */
  const ensured = new Set<string>();

  function register(consumer: OutboxConsumer): void {
    if (!NAME.test(consumer.name)) throw new RangeError(`invalid outbox consumer name: ${consumer.name}`);
    if (registry.has(consumer.name))
      throw new RangeError(`outbox consumer ${consumer.name} is registered twice`);
    registry.set(consumer.name, consumer);
  }
  for (const c of deps.consumers ?? []) register(c);

  async function sequenceAll(): Promise<number> {
    let total = 0;
    for (let batch = 0; batch < delivery.maxBatchesPerRun; batch += 1) {
      const n = await deps.store.sequence(sequenceBatch);
      total += n;
      if (n < sequenceBatch) break;
    }
    return total;
  }

  /**
   * Creates the state of consumers that have none, before numbering: a consumer starting at the
   * end starts after what was numbered before its first run, and receives what committed meanwhile.
   */
  async function ensureConsumers(): Promise<Map<string, Error>> {
    const failed = new Map<string, Error>();
    for (const c of registry.values()) {
      if (ensured.has(c.name)) continue;
      try {
        const from = c.from ?? 'end';
        const start = from === 'end' && endSeq !== undefined ? { afterSeq: endSeq } : from;
        await deps.store.ensureConsumer(c.name, start, deps.clock.now());
        ensured.add(c.name);
      } catch (e) {
        failed.set(c.name, e instanceof Error ? e : new Error(String(e)));
      }
    }
    return failed;
  }

  async function runConsumer(consumer: OutboxConsumer, notReady?: Error): Promise<ConsumerRunResult> {
    let result: ConsumerRunResult;
    try {
      if (notReady) throw notReady;
      result = await deliverToConsumer(delivery, consumer);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      result = { consumer: consumer.name, delivered: 0, skipped: 0, deadLettered: 0, failures: [], error };
    }
    // Held elsewhere, or its state row is gone (an operator reset it): look again next run.
    if (result.heldElsewhere) ensured.delete(consumer.name);
    if (result.error) held.delete(consumer.name);
    return result;
  }

  return {
    /** Adds a consumer by its (unique) name. @throws RangeError on a bad or repeated name */
    register,

    /**
     * Fixes "the end" for consumers new to the database as what is numbered now. The server calls
     * it before its first use case, so a new consumer hears everything this process commits, also
     * before the relay's first run (on SQLite messages are numbered as they are inserted).
     */
    async markEnd(): Promise<void> {
      endSeq = await deps.store.lastSeq();
    },

    /**
     * One pass: number what has committed, then deliver to every consumer (concurrently; each in
     * order). A failing consumer does not hold up the others.
     */
    async runOnce(): Promise<RelayRunResult> {
      const notEnsured = await ensureConsumers();
      let sequenced = 0;
      let sequenceError: Error | undefined;
      try {
        sequenced = await sequenceAll();
      } catch (e) {
        sequenceError = e instanceof Error ? e : new Error(String(e));
      }
      const consumers = await Promise.all(
        [...registry.values()].map((c) => runConsumer(c, notEnsured.get(c.name))),
      );
      return { sequenced, ...(sequenceError ? { sequenceError } : {}), consumers };
    },

    /**
     * Deletes numbered messages that occurred more than the retention ago and that every consumer
     * has passed: those registered here, and those any replica ran within the retention (a consumer
     * registered on another replica during a rolling deploy). Nothing while a consumer registered
     * here has no state yet. With no consumer at all, retention alone decides.
     * @returns how many were deleted.
     */
    async prune(): Promise<number> {
      const now = deps.clock.now();
      const states = await deps.store.consumers();
      const known = new Set(states.map((s) => s.name));
      if ([...registry.keys()].some((n) => !known.has(n))) return 0;
      const holding = states.filter((s) => registry.has(s.name) || s.updatedAt >= now - retentionMs);
      const through =
        holding.length > 0 ? Math.min(...holding.map((s) => s.cursorSeq)) : await deps.store.lastSeq();
      let total = 0;
      for (let round = 0; round < 100; round += 1) {
        const n = await deps.store.prune(through, now - retentionMs, pruneBatch);
        total += n;
        if (n < pruneBatch) break;
      }
      return total;
    },

    /** Every consumer's state and lag (the registered ones and any other with a state row). */
    async status(): Promise<{ lastSeq: number; consumers: ConsumerStatus[] }> {
      const [lastSeq, states] = await Promise.all([deps.store.lastSeq(), deps.store.consumers()]);
      return {
        lastSeq,
        consumers: states.map((s) => {
          // A consumer held here may have delivered past the cursor stored (not yet written).
          const mine = held.get(s.name);
          const cursorSeq = mine && mine.writtenSeq === s.cursorSeq ? mine.cursorSeq : s.cursorSeq;
          return { ...s, cursorSeq, lag: lastSeq - cursorSeq, registered: registry.has(s.name) };
        }),
      };
    },

    /** The consumer's dead letters, oldest first. */
    deadLetters(consumer: string, limit = 100): Promise<OutboxDeadLetter[]> {
      return deps.store.deadLetters(consumer, limit);
    },

    /**
     * Writes the cursor moves kept in memory, then gives up every lease this replica holds (a clean
     * stop lets another replica continue at once, without delivering anything again).
     */
    async close(): Promise<void> {
      const now = deps.clock.now();
      for (const [name, h] of held) {
        if (h.cursorSeq <= h.writtenSeq) continue;
        await deps.store
          .advance(name, deps.replicaId, h.writtenSeq, h.cursorSeq, now, leaseMs)
          .catch(() => false);
      }
      held.clear();
      for (const name of registry.keys())
        await deps.store.release(name, deps.replicaId).catch(() => undefined);
    },
  };
}

export type OutboxRelay = ReturnType<typeof makeOutboxRelay>;
