import type { Clock } from '../../domain/time/clock.js';
import type { DeliveredMessage, OutboxConsumer, OutboxRelayStore } from './ports.js';
import { retryDelayMs, type RetryPolicy } from './retry.js';

/** A failed attempt of one message in a run. */
export interface DeliveryFailure {
  seq: number;
  messageId: string;
  type: string;
  attempt: number;
  error: string;
  /** Set when the message will be tried again; absent when it was dead-lettered. */
  nextAttemptAt?: number;
}

/** What one run did for one consumer. */
export interface ConsumerRunResult {
  consumer: string;
  /** Messages the consumer handled. */
  delivered: number;
  /** Messages it does not accept; its cursor moved past them. */
  skipped: number;
  deadLettered: number;
  failures: DeliveryFailure[];
  /** Another replica holds the consumer's lease: this run left it alone. */
  heldElsewhere?: boolean;
  /** Backing off: the head message is tried again from this time on. */
  waitingUntil?: number;
  /** The run stopped on an error of the relay itself (database, lost lease); nothing was lost. */
  error?: Error;
}

/**
 * What this replica knows of a consumer whose lease it holds. While the lease has time left, a run
 * starts from it instead of claiming again, so a run with nothing to deliver (or a head waiting for
 * its time) writes nothing; any doubt (an error, a lost lease) drops it.
 *
 * `cursorSeq` is how far delivery got; `writtenSeq` is the cursor stored, at `writtenAt`. They
 * differ while a successful delivery's cursor move waits to be written with the next ones
 * (`cursorPersistMs`): a crash then delivers those messages again, which at-least-once allows.
 */
export interface HeldConsumer {
  cursorSeq: number;
  attempts: number;
  nextAttemptAt: number;
  leaseUntil: number;
  writtenSeq: number;
  writtenAt: number;
}

export interface DeliveryDeps {
  store: OutboxRelayStore;
  clock: Clock;
  replicaId: string;
  retry: RetryPolicy;
  batchSize: number;
  leaseMs: number;
  handleTimeoutMs: number;
  maxBatchesPerRun: number;
  /** The consumers this replica holds, by name (kept by the relay across runs). */
  held: Map<string, HeldConsumer>;
  /**
   * How long the cursor of successful deliveries may stay unwritten (0: written at every move).
   * Failures, deferrals and dead letters are always written at once.
   */
  cursorPersistMs: number;
}

/** Longest error text kept in the consumer's state and in a dead letter. */
const MAX_ERROR_LENGTH = 2_000;

const describe = (e: unknown): string =>
  (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).slice(0, MAX_ERROR_LENGTH);

/** How one call ended: done, deferred to a time, or failed (its text). */
type Outcome = { done: true } | { deferUntil: number } | { error: string };

/** Calls the consumer outside any transaction; a rejection or a timeout is a failure. */
async function attempt(
  consumer: OutboxConsumer,
  message: DeliveredMessage,
  timeoutMs: number,
): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`handler timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const answer = await Promise.race([Promise.resolve().then(() => consumer.handle(message)), timeout]);
    if (answer && Number.isSafeInteger(answer.deferUntil)) return { deferUntil: answer.deferUntil };
    return { done: true };
  } catch (e) {
    return { error: describe(e) };
  } finally {
    clearTimeout(timer);
  }
}

class LostLease extends Error {
  constructor(consumer: string) {
    super(`lost the lease on outbox consumer ${consumer}; another replica continues from its cursor`);
  }
}

/**
 * One run for one consumer, under its lease: reads the messages after its cursor in seq order and
 * hands each accepted one to the consumer, moving the cursor only after the consumer resolved (at
 * least once). A failure records the attempt and the time of the next one and ends the run (the
 * head is retried, order kept); the last allowed failure dead-letters the message and goes on.
 * The lease is renewed with every cursor move, and before a call whose timeout could outlast it,
 * so in the normal case no two replicas deliver the same message.
 */
export async function deliverToConsumer(
  deps: DeliveryDeps,
  consumer: OutboxConsumer,
): Promise<ConsumerRunResult> {
  const { store, clock, replicaId: holder, leaseMs } = deps;
  const name = consumer.name;
  const result: ConsumerRunResult = {
    consumer: name,
    delivered: 0,
    skipped: 0,
    deadLettered: 0,
    failures: [],
  };
  const known = deps.held.get(name);
  let state: HeldConsumer;
  if (known && clock.now() + deps.handleTimeoutMs < known.leaseUntil) state = known;
  else {
    // A lease about to lapse with moves unwritten: written by its own claim below would be too
    // late (another replica may claim meanwhile), so they are dropped and delivered again.
    deps.held.delete(name);
    const now = clock.now();
    const claimed = await store.claim(name, holder, now, leaseMs);
    if (!claimed) return { ...result, heldElsewhere: true };
    const { cursorSeq, attempts, nextAttemptAt, leaseExpiresAt } = claimed;
    state = {
      cursorSeq,
      attempts,
      nextAttemptAt,
      leaseUntil: leaseExpiresAt,
      writtenSeq: cursorSeq,
      // The first move after a claim is written at once: the new holder's progress is on record.
      writtenAt: Number.NEGATIVE_INFINITY,
    };
    deps.held.set(name, state);
  }
  let leaseUntil = state.leaseUntil;
  if (state.nextAttemptAt > clock.now()) return { ...result, waitingUntil: state.nextAttemptAt };

  let cursor = state.cursorSeq;
  let failures = state.attempts;
  /** The cursor stored, which every conditional write names; `cursor` may be ahead of it. */
  let written = state.writtenSeq;
  let writtenAt = state.writtenAt;
  /** After a conditional write of `at`: the lease is renewed and the state written is what is known. */
  const moved = (
    ok: boolean,
    now: number,
    at: { cursorSeq: number; attempts: number; nextAttemptAt: number },
  ) => {
    if (!ok) throw new LostLease(name);
    leaseUntil = now + leaseMs;
    written = at.cursorSeq;
    writtenAt = now;
    deps.held.set(name, { ...at, leaseUntil, writtenSeq: written, writtenAt });
  };
  /**
   * Successful moves up to `to`: with `cursorPersistMs` 0 written at once; else kept in memory and
   * written at the end of a batch once that long has passed since the last write.
   */
  const progress = async (to: number, batchEnd: boolean) => {
    if (to <= written) return;
    const now = clock.now();
    const at = { cursorSeq: to, attempts: 0, nextAttemptAt: 0 };
    const lazy = deps.cursorPersistMs > 0;
    if (!lazy || (batchEnd && now - writtenAt >= deps.cursorPersistMs)) {
      moved(await store.advance(name, holder, written, to, now, leaseMs), now, at);
    } else deps.held.set(name, { ...at, leaseUntil, writtenSeq: written, writtenAt });
  };
  try {
    for (let batch = 0; batch < deps.maxBatchesPerRun; batch += 1) {
      const messages = await store.after(cursor, deps.batchSize);
      /** Highest seq the cursor may pass without a delivery (messages the consumer skips). */
      let passed = cursor;
      for (const m of messages) {
        if (!consumer.accepts(m.type)) {
          passed = m.seq;
          failures = 0; // the failures counted belonged to this message, which it no longer accepts
          result.skipped += 1;
          continue;
        }
        if (clock.now() + deps.handleTimeoutMs >= leaseUntil) {
          const renewed = await store.claim(name, holder, clock.now(), leaseMs);
          if (!renewed || renewed.cursorSeq !== written) throw new LostLease(name);
          leaseUntil = renewed.leaseExpiresAt;
          deps.held.set(name, {
            cursorSeq: cursor,
            attempts: failures,
            nextAttemptAt: 0,
            leaseUntil,
            writtenSeq: written,
            writtenAt,
          });
        }
        const n = failures + 1;
        const outcome = await attempt(consumer, { ...m, attempt: n }, deps.handleTimeoutMs);
        const now = clock.now();
        if ('done' in outcome) {
          await progress(m.seq, false);
          result.delivered += 1;
        } else if ('deferUntil' in outcome) {
          // Not a failure: the head waits, its attempts unchanged (a consumer's own pacing).
          const nextAttemptAt = Math.max(outcome.deferUntil, now);
          const deferral = { attempts: failures, nextAttemptAt, error: null };
          const at = { cursorSeq: passed, attempts: failures, nextAttemptAt };
          moved(await store.recordFailure(name, holder, written, passed, deferral, now, leaseMs), now, at);
          return { ...result, waitingUntil: nextAttemptAt };
        } else if (n >= deps.retry.maxAttempts) {
          const { error } = outcome;
          const letter = { consumer: name, message: m, attempts: n, lastError: error, deadAt: now };
          const at = { cursorSeq: m.seq, attempts: 0, nextAttemptAt: 0 };
          moved(await store.deadLetter(holder, written, letter, leaseMs), now, at);
          result.deadLettered += 1;
          result.failures.push({ seq: m.seq, messageId: m.id, type: m.type, attempt: n, error });
        } else {
          const { error } = outcome;
          const nextAttemptAt = now + retryDelayMs(n, deps.retry);
          const failure = { attempts: n, nextAttemptAt, error };
          const at = { cursorSeq: passed, attempts: n, nextAttemptAt };
          moved(await store.recordFailure(name, holder, written, passed, failure, now, leaseMs), now, at);
          result.failures.push({
            seq: m.seq,
            messageId: m.id,
            type: m.type,
            attempt: n,
            error,
            nextAttemptAt,
          });
          return { ...result, waitingUntil: nextAttemptAt };
        }
        cursor = m.seq;
        passed = cursor;
        failures = 0;
      }
      if (passed > cursor) cursor = passed;
      await progress(cursor, true);
      if (messages.length < deps.batchSize) break;
    }
    // Moves kept in memory by an earlier run are written once their time has come, even by a run
    // that delivered nothing, so they never wait for the lease to lapse.
    await progress(cursor, true);
    return result;
  } catch (e) {
    deps.held.delete(name); // in doubt: the next run claims and reads the stored state
    return { ...result, error: e instanceof Error ? e : new Error(String(e)) };
  }
}
