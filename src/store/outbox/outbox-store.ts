import type { Kysely } from 'kysely';
import type { OutboxStore } from '../../app/outbox/ports.js';
import { codecs } from '../codecs.js';
import type { Database } from '../schema.js';
import type { OutboxMessageRow } from './rows.js';

const int = (v: number | string | bigint): number => codecs.time.decode(v);

/** Rows per multi-row INSERT: well under SQLite's and PostgreSQL's bound-parameter limits. */
const ROWS_PER_INSERT = 500;

/**
 * Enqueueing, bound to the use case's transaction (`bindStores`).
 *
 * Messages are inserted without a sequence number: on PostgreSQL, concurrent transactions commit
 * in any order, so a number taken at insert time could become visible after a higher one that a
 * consumer has already passed. The relay numbers them after commit (`sequence`, relay-store.ts).
 * Until then they are ordered by `order_key`, a Lamport clock: one more than the highest key of
 * any unnumbered message this statement can see. A transaction that could see another's committed
 * messages therefore sorts after them (or after their numbers, once given), and a transaction's
 * own messages keep the order of the calls. No lock is taken.
 */
export function outboxStore(db: Kysely<Database>): OutboxStore {
  return {
    async enqueue(messages) {
      if (messages.length === 0) return;
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
