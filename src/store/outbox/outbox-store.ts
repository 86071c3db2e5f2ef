import type { Kysely } from 'kysely';
import type { OutboxMessage, OutboxStore } from '../../app/outbox/ports.js';
import { codecs } from '../codecs.js';
import type { Database } from '../schema.js';
import type { OutboxMessageRow } from './rows.js';

const int = (v: number | string | bigint): number => codecs.time.decode(v);

/** Rows per multi-row INSERT: well under SQLite's and PostgreSQL's bound-parameter limits. */
const ROWS_PER_INSERT = 500;

/**
 * Enqueueing, bound to the use case's transaction (`bindStores`).
 *
 * On PostgreSQL messages are inserted without a sequence number: concurrent transactions commit
 * in any order, so a number taken at insert time could become visible after a higher one that a
 * consumer has already passed. The relay numbers them after commit (`sequence`, relay-store.ts).
 * Until then they are ordered by `order_key`, a Lamport clock: one more than the highest key of
 * any unnumbered message this statement can see. A transaction that could see another's committed
 * messages therefore sorts after them (or after their numbers, once given), and a transaction's
 * own messages keep the order of the calls. No lock is taken.
 *
 * On SQLite (`numberAtInsert`) writers take turns: a transaction holds the database's one write
 * lock from its first write to its commit, so numbers taken from `outbox_head` inside it become
 * visible in commit order, and the relay has nothing to number (one durable write transaction
 * less per use case). Messages left unnumbered by an older version are still numbered by the relay.
 */
export function outboxStore(db: Kysely<Database>, o: { numberAtInsert: boolean }): OutboxStore {
  return {
    async enqueue(messages) {
      if (messages.length === 0) return;
      if (o.numberAtInsert) return insertNumbered(db, messages);
      const top = await db
        .selectFrom('outbox_messages')
        .select('order_key')
        .where('seq', 'is', null)
        .orderBy('order_key', 'desc')
        .limit(1)
        .executeTakeFirst();
      const first = (top ? int(top.order_key) : 0) + 1;
      const rows: OutboxMessageRow[] = messages.map((m, i) => ({
        id: codecs.id.encode(m.id),
        seq: null,
        order_key: first + i,
        tenant_id: codecs.id.encode(m.tenantId),
        type: m.type,
        occurred_at: codecs.time.encode(m.occurredAt),
        payload: codecs.json.encode(m.payload),
      }));
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT)
        await db
          .insertInto('outbox_messages')
          .values(rows.slice(i, i + ROWS_PER_INSERT))
          .execute();
    },
  };
}

/** SQLite: numbers taken from the head under the transaction's write lock (see `outboxStore`). */
async function insertNumbered(db: Kysely<Database>, messages: readonly OutboxMessage[]): Promise<void> {
  const head = await db
    .updateTable('outbox_head')
    .set((eb) => ({ last_seq: eb('last_seq', '+', messages.length) }))
    .where('name', '=', 'outbox')
    .returning('last_seq')
    .executeTakeFirstOrThrow();
  const first = int(head.last_seq) - messages.length + 1;
  const rows: OutboxMessageRow[] = messages.map((m, i) => ({
    id: codecs.id.encode(m.id),
    seq: first + i,
    order_key: first + i,
    tenant_id: codecs.id.encode(m.tenantId),
    type: m.type,
    occurred_at: codecs.time.encode(m.occurredAt),
    payload: codecs.json.encode(m.payload),
  }));
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT)
    await db
      .insertInto('outbox_messages')
      .values(rows.slice(i, i + ROWS_PER_INSERT))
      .execute();
}
