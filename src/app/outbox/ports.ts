/**
 * The transactional outbox (DESIGN.md invariant 3, docs/adr/0013-transactional-outbox.md): use cases
 * enqueue facts in their own transaction; after commit the relay hands them to consumers (mail,
 * webhooks, chat, connectors), in order per consumer, at least once.
 */

/** A fact other parts of the system react to after commit. JSON-safe, never a secret. */
export interface OutboxMessage {
  id: string; // uuid, lets consumers de-duplicate (delivery is at least once)
  tenantId: string;
  type: string; // the domain event's name, e.g. 'pim.roleActivated'
  occurredAt: number; // epoch ms, from the use case's clock reading
  payload: Record<string, unknown>;
}

export interface OutboxStore {
  /**
   * Appends in the caller's transaction, in order (each gets an increasing sequence number).
   * The numbers are given once the transaction has committed (the relay's sequencer does it), in
   * commit order, so that a consumer reading "after my cursor" never skips a late committer; within
   * one transaction, and after any transaction whose messages this one could see, the order is the
   * order of the calls. Takes no lock: concurrent use cases do not queue behind each other here.
   */
  enqueue(messages: readonly OutboxMessage[]): Promise<void>;
}

/** A message as a consumer receives it: its place in the outbox and which attempt this is. */
export interface DeliveredMessage extends OutboxMessage {
  /** Position in the outbox: increasing in commit order, dense. */
  seq: number;
  /** 1 on the first delivery to this consumer, then 2, 3… after failures (a lapsed lease may also repeat one). */
  attempt: number;
}

/** A consumer's "not before then" for the head message (epoch ms); not a failure. */
export interface Deferral {
  deferUntil: number;
}

/** Something that reacts to outbox messages after commit, registered with the relay by name. */
export interface OutboxConsumer {
  /** Stable name: the key of its cursor. Renaming a consumer starts a new cursor. */
  name: string;
  /** Types it handles; the others only move its cursor. Pure and fast. */
  accepts(type: string): boolean;
  /**
   * Performs the side effect. Resolving means "done": the cursor moves past the message. Rejecting
   * means "try again later" (back-off), until the attempts run out and it is dead-lettered. Called
   * outside any transaction, one message at a time, in order; may be called again for a message it
   * already handled (a crash, a lapsed lease): de-duplicate by `message.id` where it matters.
   * Resolving with a `Deferral` means "not yet": the message stays at the head and is handed over
   * again from `deferUntil` on, its attempts unchanged (a consumer that batches or rate-limits).
   */
  handle(message: DeliveredMessage): Promise<void | Deferral>;
  /**
   * Where a consumer without a cursor starts: `'end'` (default) after every message already
   * sequenced, so a new webhook does not replay retained history; `'beginning'` at the oldest
   * message still retained.
   */
  from?: 'end' | 'beginning';
}

/** A sequenced message as stored. */
export interface StoredOutboxMessage extends OutboxMessage {
  seq: number;
}

/** One consumer's delivery state. */
export interface OutboxConsumerState {
  name: string;
  /** Every message with `seq <= cursorSeq` was delivered, skipped or dead-lettered. */
  cursorSeq: number;
  /** Failed attempts of the head message (the first one after the cursor it accepts). */
  attempts: number;
  /** The head message is not tried again before this time (epoch ms; 0 = at once). */
  nextAttemptAt: number;
  lastError: string | null;
  leaseHolder: string | null;
  leaseExpiresAt: number;
  updatedAt: number;
}

/** A message a consumer gave up on after its last attempt. */
export interface OutboxDeadLetter {
  consumer: string;
  message: StoredOutboxMessage;
  attempts: number;
  lastError: string;
  deadAt: number;
}

/**
 * What the relay needs, outside use cases: each method is one statement or its own short
 * transaction, never held across a consumer call. Leases and cursors move by compare-and-set
 * (DESIGN.md invariant 4), so any number of replicas may call them at once.
 */
export interface OutboxRelayStore {
  /**
   * Gives the next sequence numbers to up to `limit` committed, unsequenced messages, in enqueue
   * order. Sequencers queue on one head row, so numbers become visible in increasing order.
   * @returns how many were sequenced.
   */
  sequence(limit: number): Promise<number>;
  /** Highest sequence number given so far (0 before the first). */
  lastSeq(): Promise<number>;
  /**
   * Creates the consumer's state if it has none: cursor at `lastSeq()` (`'end'`), at the given seq,
   * or 0 (`'beginning'`). A state that exists is left as it is.
   */
  ensureConsumer(name: string, from: 'end' | 'beginning' | { afterSeq: number }, now: number): Promise<void>;
  /**
   * Takes or renews the consumer's lease: succeeds when nobody holds it, `holder` holds it, or the
   * lease expired at `now`. @returns the state under the new lease, or undefined when held elsewhere.
   */
  claim(name: string, holder: string, now: number, leaseMs: number): Promise<OutboxConsumerState | undefined>;
  /** Gives the lease up (a clean stop), if `holder` still has it. */
  release(name: string, holder: string): Promise<void>;
  /** Up to `limit` sequenced messages with `seq > afterSeq`, in seq order. */
  after(afterSeq: number, limit: number): Promise<StoredOutboxMessage[]>;
  /**
   * Moves the cursor from `fromSeq` to `toSeq`, clears the failure state and renews the lease, only
   * while `holder` holds the lease and the cursor is still at `fromSeq`.
   * @returns false when the lease or the cursor moved: the caller stops, nothing is lost.
   */
  advance(
    name: string,
    holder: string,
    fromSeq: number,
    toSeq: number,
    now: number,
    leaseMs: number,
  ): Promise<boolean>;
  /**
   * Records a failed (or deferred: `error` null) attempt of the message after `toSeq` (the cursor
   * moves to `toSeq` over the messages skipped before it): attempts, next attempt time and error;
   * renews the lease. Same conditions as `advance`.
   */
  recordFailure(
    name: string,
    holder: string,
    fromSeq: number,
    toSeq: number,
    failure: { attempts: number; nextAttemptAt: number; error: string | null },
    now: number,
    leaseMs: number,
  ): Promise<boolean>;
  /**
   * In one transaction: stores the dead letter and moves the cursor from `fromSeq` past its message,
   * under the same conditions as `advance` (nothing is stored when they fail).
   */
  deadLetter(holder: string, fromSeq: number, letter: OutboxDeadLetter, leaseMs: number): Promise<boolean>;
  /** Every consumer's state, by name. */
  consumers(): Promise<OutboxConsumerState[]>;
  /** A consumer's dead letters, oldest first. */
  deadLetters(consumer: string, limit: number): Promise<OutboxDeadLetter[]>;
  /**
   * Deletes up to `limit` sequenced messages with `seq <= throughSeq` that occurred before
   * `occurredBefore`. @returns how many.
   */
  prune(throughSeq: number, occurredBefore: number, limit: number): Promise<number>;
}
