import { sql, type Kysely } from 'kysely';

/**
 * The transactional outbox (docs/adr/0013-transactional-outbox.md).
 *
 * `outbox_messages`: use cases insert with `seq` null and an `order_key` (enqueue order); after
 * commit the relay's sequencer gives each a `seq` from `outbox_head`, in commit order. Sequencers
 * queue on the head row, so a consumer reading `seq > cursor` never meets a lower `seq` later. The
 * partial index is the sequencer's queue (stays small); the unique index on `seq` is the consumers'.
 *
 * `outbox_consumers`: per consumer, its cursor, the failures of its head message and its lease.
 * `outbox_dead_letters`: messages a consumer gave up on, copied (messages are pruned later).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('outbox_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'bigint')
    .addColumn('order_key', 'bigint', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'bigint', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('outbox_messages_seq_idx')
    .on('outbox_messages')
    .column('seq')
    .unique()
    .execute();
  await db.schema
    .createIndex('outbox_messages_unsequenced_idx')
    .on('outbox_messages')
    .columns(['order_key', 'id'])
    .where(sql.ref('seq'), 'is', null)
    .execute();

  await db.schema
    .createTable('outbox_head')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into outbox_head (name, last_seq) values ('outbox', 0)`.execute(db);

  await db.schema
    .createTable('outbox_consumers')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('cursor_seq', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('lease_holder', 'text')
    .addColumn('lease_expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('outbox_dead_letters')
    .addColumn('consumer', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'bigint', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text', (c) => c.notNull())
    .addColumn('dead_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('outbox_dead_letters_pk', ['consumer', 'seq'])
    .execute();
}
