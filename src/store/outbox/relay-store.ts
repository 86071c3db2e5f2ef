import { sql, type Kysely } from 'kysely';
import type {
  OutboxConsumerState,
  OutboxDeadLetter,
  OutboxRelayStore,
  StoredOutboxMessage,
} from '../../app/outbox/ports.js';
import { codecs } from '../codecs.js';
import type { Database } from '../schema.js';
import type { OutboxConsumerRow, OutboxDeadLetterRow, OutboxMessageRow } from './rows.js';

const int = (v: number | string | bigint): number => codecs.time.decode(v);

/** The one row of `outbox_head`. */
const HEAD = 'outbox';

const messageFromRow = (r: Omit<OutboxMessageRow, 'order_key'>): StoredOutboxMessage => ({
  seq: int(r.seq!),
  id: codecs.id.decode(r.id),
  tenantId: codecs.id.decode(r.tenant_id),
  type: r.type,
  occurredAt: codecs.time.decode(r.occurred_at),
  payload: codecs.json.decode<Record<string, unknown>>(r.payload),
});

const consumerFromRow = (r: OutboxConsumerRow): OutboxConsumerState => ({
  name: r.name,
  cursorSeq: int(r.cursor_seq),
  attempts: int(r.attempts),
  nextAttemptAt: int(r.next_attempt_at),
  lastError: r.last_error,
  leaseHolder: r.lease_holder,
  leaseExpiresAt: int(r.lease_expires_at),
  updatedAt: int(r.updated_at),
});

const deadLetterFromRow = (r: OutboxDeadLetterRow): OutboxDeadLetter => ({
  consumer: r.consumer,
  message: messageFromRow({ ...r, id: r.message_id }),
  attempts: int(r.attempts),
  lastError: r.last_error,
  deadAt: int(r.dead_at),
});

/**
 * The relay's side of the outbox, over the root connection (never a use case's transaction). Every
 * method is one statement or one short transaction; leases and cursors move by compare-and-set, so
 * it works unchanged on SQLite and PostgreSQL with any number of replicas (DESIGN.md invariant 4).
 */
export function outboxRelayStore(db: Kysely<Database>): OutboxRelayStore {
  /** The consumer row, if `holder` holds its lease and its cursor is at `fromSeq`. */
  const held = (name: string, holder: string, fromSeq: number) =>
    db
      .updateTable('outbox_consumers')
      .where('name', '=', name)
      .where('lease_holder', '=', holder)
      .where('cursor_seq', '=', fromSeq);

  const lastSeq = async () => {
    const r = await db
      .selectFrom('outbox_head')
      .select('last_seq')
      .where('name', '=', HEAD)
      .executeTakeFirstOrThrow();
    return int(r.last_seq);
  };

  return {
    async sequence(limit) {
      // Most runs find nothing to do; they should not take the head row (a write) for it.
      const pending = await db
        .selectFrom('outbox_messages')
        .select('id')
        .where('seq', 'is', null)
        .limit(1)
        .executeTakeFirst();
      if (!pending) return 0;
      return db.transaction().execute(async (trx) => {
        // Takes the head row first: on PostgreSQL a concurrent sequencer waits here until this
        // transaction ends, then reads the head it left (READ COMMITTED re-evaluates the row) and
        // sees these messages as numbered. So numbers become visible in increasing order.
        const head = await trx
          .updateTable('outbox_head')
          .set((eb) => ({ last_seq: eb.ref('last_seq') }))
          .where('name', '=', HEAD)
          .returning('last_seq')
          .executeTakeFirstOrThrow();
        const last = int(head.last_seq);
        // Messages of transactions that commit later are not in this statement's snapshot: they
        // stay unnumbered and get higher numbers in a later run.
        const next = trx
          .selectFrom(
            trx
              .selectFrom('outbox_messages')
              .select(['id', 'order_key'])
              .where('seq', 'is', null)
              .orderBy('order_key')
              .orderBy('id')
              .limit(limit)
              .as('oldest'),
          )
          .select(['oldest.id', sql<number>`row_number() over (order by order_key, id)`.as('rn')])
          .as('next');
        const res = await trx
          .updateTable('outbox_messages')
          .from(next)
          .set((eb) => ({ seq: eb(eb.ref('next.rn'), '+', last) }))
          .whereRef('outbox_messages.id', '=', 'next.id')
          .executeTakeFirst();
        const count = Number(res.numUpdatedRows);
        if (count > 0)
          await trx
            .updateTable('outbox_head')
            .set({ last_seq: last + count })
            .where('name', '=', HEAD)
            .execute();
        return count;
      });
    },

    lastSeq,

    async ensureConsumer(name, from, now) {
      const exists = await db
        .selectFrom('outbox_consumers')
        .select('name')
        .where('name', '=', name)
        .executeTakeFirst();
      if (exists) return;
      // 'end' is the end as of this read; messages numbered meanwhile are delivered (never lost).
      const cursor = from === 'end' ? await lastSeq() : from === 'beginning' ? 0 : from.afterSeq;
      await db
        .insertInto('outbox_consumers')
        .values({
          name,
          cursor_seq: cursor,
          attempts: 0,
          next_attempt_at: 0,
          last_error: null,
          lease_holder: null,
          lease_expires_at: 0,
          created_at: codecs.time.encode(now),
          updated_at: codecs.time.encode(now),
        })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
    },

    async claim(name, holder, now, leaseMs) {
      const r = await db
        .updateTable('outbox_consumers')
        .set({
          lease_holder: holder,
          lease_expires_at: codecs.time.encode(now + leaseMs),
          updated_at: codecs.time.encode(now),
        })
        .where('name', '=', name)
        .where((eb) =>
          eb.or([
            eb('lease_holder', '=', holder),
            eb('lease_holder', 'is', null),
            eb('lease_expires_at', '<=', now),
          ]),
        )
        .returningAll()
        .executeTakeFirst();
      return r && consumerFromRow(r);
    },

    async release(name, holder) {
      await db
        .updateTable('outbox_consumers')
        .set({ lease_holder: null, lease_expires_at: 0 })
        .where('name', '=', name)
        .where('lease_holder', '=', holder)
        .execute();
    },

    async after(afterSeq, limit) {
      const rows = await db
        .selectFrom('outbox_messages')
        .select(['seq', 'id', 'tenant_id', 'type', 'occurred_at', 'payload'])
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map(messageFromRow);
    },

    async advance(name, holder, fromSeq, toSeq, now, leaseMs) {
      const res = await held(name, holder, fromSeq)
        .set({
          cursor_seq: toSeq,
          attempts: 0,
          next_attempt_at: 0,
          last_error: null,
          lease_expires_at: codecs.time.encode(now + leaseMs),
          updated_at: codecs.time.encode(now),
        })
        .executeTakeFirst();
      return res.numUpdatedRows === 1n;
    },

    async recordFailure(name, holder, fromSeq, toSeq, failure, now, leaseMs) {
      const res = await held(name, holder, fromSeq)
        .set({
          cursor_seq: toSeq,
          attempts: failure.attempts,
          next_attempt_at: codecs.time.encode(failure.nextAttemptAt),
          last_error: failure.error,
          lease_expires_at: codecs.time.encode(now + leaseMs),
          updated_at: codecs.time.encode(now),
        })
        .executeTakeFirst();
      return res.numUpdatedRows === 1n;
    },

    async deadLetter(holder, fromSeq, letter, leaseMs) {
      const m = letter.message;
      return db.transaction().execute(async (trx) => {
        const moved = await trx
          .updateTable('outbox_consumers')
          .set({
            cursor_seq: m.seq,
            attempts: 0,
            next_attempt_at: 0,
            last_error: null,
            lease_expires_at: codecs.time.encode(letter.deadAt + leaseMs),
            updated_at: codecs.time.encode(letter.deadAt),
          })
          .where('name', '=', letter.consumer)
          .where('lease_holder', '=', holder)
          .where('cursor_seq', '=', fromSeq)
          .executeTakeFirst();
        if (moved.numUpdatedRows !== 1n) return false;
        await trx
          .insertInto('outbox_dead_letters')
          .values({
            consumer: letter.consumer,
            seq: m.seq,
            message_id: codecs.id.encode(m.id),
            tenant_id: codecs.id.encode(m.tenantId),
            type: m.type,
            occurred_at: codecs.time.encode(m.occurredAt),
            payload: codecs.json.encode(m.payload),
            attempts: letter.attempts,
            last_error: letter.lastError,
            dead_at: codecs.time.encode(letter.deadAt),
          })
          .onConflict((oc) => oc.columns(['consumer', 'seq']).doNothing())
          .execute();
        return true;
      });
    },

    async consumers() {
      const rows = await db.selectFrom('outbox_consumers').selectAll().orderBy('name').execute();
      return rows.map(consumerFromRow);
    },

    async deadLetters(consumer, limit) {
      const rows = await db
        .selectFrom('outbox_dead_letters')
        .selectAll()
        .where('consumer', '=', consumer)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map(deadLetterFromRow);
    },

    async prune(throughSeq, occurredBefore, limit) {
      const res = await db
        .deleteFrom('outbox_messages')
        .where(
          'seq',
          'in',
          db
            .selectFrom('outbox_messages')
            .select('seq')
            .where('seq', '<=', throughSeq)
            .where('occurred_at', '<', occurredBefore)
            .orderBy('seq')
            .limit(limit),
        )
        .executeTakeFirst();
      return Number(res.numDeletedRows);
    },
  };
}
