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

export interface DeliveryDeps {
  store: OutboxRelayStore;
  clock: Clock;
  replicaId: string;
  retry: RetryPolicy;
  batchSize: number;
  leaseMs: number;
  handleTimeoutMs: number;
  maxBatchesPerRun: number;
}

/** Longest error text kept in the consumer's state and in a dead letter. */
const MAX_ERROR_LENGTH = 2_000;

const describe = (e: unknown): string =>
  (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).slice(0, MAX_ERROR_LENGTH);

/** Calls the consumer outside any transaction; a rejection or a timeout is a failure (its text). */
async function attempt(
  consumer: OutboxConsumer,
  message: DeliveredMessage,
  timeoutMs: number,
): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`handler timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(() => consumer.handle(message)), timeout]);
    return undefined;
  } catch (e) {
    return describe(e);
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
  const state = await store.claim(name, holder, clock.now(), leaseMs);
  if (!state) return { ...result, heldElsewhere: true };
  let leaseUntil = state.leaseExpiresAt;
  if (state.nextAttemptAt > clock.now()) return { ...result, waitingUntil: state.nextAttemptAt };

  let cursor = state.cursorSeq;
  let failures = state.attempts;
  const moved = (ok: boolean, now: number) => {
    if (!ok) throw new LostLease(name);
    leaseUntil = now + leaseMs;
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
          if (!renewed || renewed.cursorSeq !== cursor) throw new LostLease(name);
          leaseUntil = renewed.leaseExpiresAt;
        }
        const n = failures + 1;
        const error = await attempt(consumer, { ...m, attempt: n }, deps.handleTimeoutMs);
        const now = clock.now();
        if (error === undefined) {
          moved(await store.advance(name, holder, cursor, m.seq, now, leaseMs), now);
          result.delivered += 1;
        } else if (n >= deps.retry.maxAttempts) {
          const letter = { consumer: name, message: m, attempts: n, lastError: error, deadAt: now };
          moved(await store.deadLetter(holder, cursor, letter, leaseMs), now);
          result.deadLettered += 1;
          result.failures.push({ seq: m.seq, messageId: m.id, type: m.type, attempt: n, error });
        } else {
          const nextAttemptAt = now + retryDelayMs(n, deps.retry);
          const failure = { attempts: n, nextAttemptAt, error };
          moved(await store.recordFailure(name, holder, cursor, passed, failure, now, leaseMs), now);
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
      if (passed > cursor) {
        const now = clock.now();
        moved(await store.advance(name, holder, cursor, passed, now, leaseMs), now);
        cursor = passed;
      }
      if (messages.length < deps.batchSize) break;
    }
    return result;
  } catch (e) {
    return { ...result, error: e instanceof Error ? e : new Error(String(e)) };
  }
}
