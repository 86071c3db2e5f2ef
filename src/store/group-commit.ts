import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * What one use case left in a batch's transaction: its result, and what to do once the batch's
 * fate is known (after a durable commit; or after a rollback, of its savepoint or of the batch).
 */
export interface Prepared<T> {
  result: T;
  committed(): Promise<void>;
  rolledBack(): void;
}

/**
 * Runs `prepare` in the transaction `trx`. It cleans up after itself when it throws: the caller
 * only rolls the database back.
 */
export type Prepare<T> = (trx: Kysely<Database>) => Promise<Prepared<T>>;

export interface GroupCommit {
  /**
   * Runs `prepare` in the next batch, in a savepoint of its own, and settles once the batch's one
   * `COMMIT` returned (with `synchronous=FULL`, once it is durable): with the result after
   * `committed()` ran, or with the error `prepare` threw, or with the commit's error.
   */
  run<T>(prepare: Prepare<T>): Promise<T>;
}

/** Batch statistics for metrics and tests: how many use cases shared each commit. */
export interface GroupCommitObserver {
  batchCommitted(members: number): void;
}

interface Member {
  prepare: Prepare<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** A member once its savepoint is released (`prepared`) or rolled back (`error`). */
type Ran = { member: Member; prepared: Prepared<unknown> } | { member: Member; error: unknown };

/** The one savepoint name: members run one after the other, each released before the next. */
const SAVEPOINT = sql.raw('elevate_member');

/** One turn of the event loop: requests that arrived meanwhile reach `run` and join the batch. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Group commit for SQLite (docs/adr/0050-sqlite-group-commit.md). better-sqlite3 has one
 * connection and one writer, and each transaction's `COMMIT` is an fsync on the event loop thread;
 * here concurrent use cases share one transaction and one `COMMIT`.
 *
 * The first use case to arrive opens a batch (a transaction) and runs at once; use cases that
 * arrive while the batch is open queue and run next in the same transaction, one at a time (one
 * connection: savepoints nest, so two members may not interleave), each in a savepoint that is
 * rolled back alone if it fails. When nobody is waiting, the batch gives the event loop one turn
 * for requests already received to join, then commits; it also commits after `maxMembers`. Only
 * then does any member settle, in the order they ran: nothing a member decided is seen by its
 * caller before it is durable, including refusals that read an earlier member's writes. Members
 * that queued during the commit open the next batch.
 *
 * A failing member's error is delivered after the commit too. If the batch cannot commit (the
 * `COMMIT` fails, or an error ended the whole transaction so its savepoint is gone), nothing of it
 * is durable and every member gets that error, in reverse order of running for `rolledBack`.
 */
export function makeGroupCommit(
  kysely: Kysely<Database>,
  o: { maxMembers: number; observer?: GroupCommitObserver },
): GroupCommit {
  const waiting: Member[] = [];
  let open = false;

  async function next(ran: number): Promise<Member | undefined> {
    if (ran >= o.maxMembers) return undefined;
    if (waiting.length === 0 && ran > 0) await nextTurn();
    return waiting.shift();
  }

  async function runMember(trx: Kysely<Database>, member: Member): Promise<Ran> {
    await sql`savepoint ${SAVEPOINT}`.execute(trx);
    let prepared: Prepared<unknown> | undefined;
    try {
      prepared = await member.prepare(trx);
      await sql`release ${SAVEPOINT}`.execute(trx);
      return { member, prepared };
    } catch (error) {
      prepared?.rolledBack();
      // If this throws too (an error ended the whole transaction), the batch fails as a whole.
      await sql`rollback to ${SAVEPOINT}`.execute(trx);
      await sql`release ${SAVEPOINT}`.execute(trx);
      return { member, error };
    }
  }

  async function commitBatch(): Promise<void> {
    const ran: Ran[] = [];
    let current: Member | undefined;
    try {
      await kysely.transaction().execute(async (trx) => {
        for (current = await next(0); current; current = await next(ran.length)) {
          ran.push(await runMember(trx, current));
          current = undefined;
        }
      });
    } catch (error) {
      for (const r of ran.reverse()) {
        if ('prepared' in r) r.prepared.rolledBack();
        r.member.reject(error);
      }
      // Not even begun: the first in line gets the error (the next batch tries again for the others).
      if (current === undefined && ran.length === 0) current = waiting.shift();
      current?.reject(error);
      return;
    }
    o.observer?.batchCommitted(ran.length);
    for (const r of ran) {
      if ('error' in r) r.member.reject(r.error);
      else
        r.prepared.committed().then(
          () => r.member.resolve(r.prepared.result),
          (e: unknown) => r.member.reject(e),
        );
    }
  }

  async function commitBatches(): Promise<void> {
    while (waiting.length > 0) await commitBatch();
    open = false;
  }

  return {
    run<T>(prepare: Prepare<T>) {
      return new Promise<T>((resolve, reject) => {
        waiting.push({ prepare, resolve, reject });
        if (open) return;
        open = true;
        void commitBatches();
      });
    },
  };
}
