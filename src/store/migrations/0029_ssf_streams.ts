import type { Kysely } from 'kysely';

/**
 * Shared Signals (ADR 0040, docs/ssf.md): `ssf_streams` holds the receivers' streams (the
 * authorization header sealed with the data key) with their delivery back-off and lease;
 * `ssf_deliveries` one SET per stream, event and event type (unique, so a message the outbox hands
 * over twice writes nothing new), unsigned until it is pushed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ssf_streams')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('endpoint_url', 'text', (c) => c.notNull())
    .addColumn('authorization_sealed', 'text')
    .addColumn('events_requested', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('verified_at', 'bigint')
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('retry_at', 'bigint', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('lease_holder', 'text')
    .addColumn('lease_expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('modified_at', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('ssf_streams_tenant_idx')
    .on('ssf_streams')
    .columns(['tenant_id', 'id'])
    .execute();
  await db.schema
    .createTable('ssf_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('stream_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('claims', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('ssf_deliveries_once_idx')
    .on('ssf_deliveries')
    .columns(['stream_id', 'event_id', 'event_type'])
    .unique()
    .execute();
  await db.schema
    .createIndex('ssf_deliveries_pending_idx')
    .on('ssf_deliveries')
    .columns(['stream_id', 'status', 'created_at'])
    .execute();
}
