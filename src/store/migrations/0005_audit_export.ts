import type { Kysely } from 'kysely';

/**
 * SIEM forwarding state: per destination and tenant, the last seq the destination accepted; per
 * destination, the lease that lets one replica forward it at a time; per tenant, the signed records
 * of prefixes that retention deleted.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_export_cursors')
    .addColumn('destination_id', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_export_cursors_pk', ['destination_id', 'tenant_id'])
    .execute();
  await db.schema
    .createTable('audit_export_leases')
    .addColumn('destination_id', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('audit_prunes')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('through_seq', 'bigint', (c) => c.notNull())
    .addColumn('head_hash', 'text', (c) => c.notNull())
    .addColumn('pruned_at', 'bigint', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_prunes_pk', ['tenant_id', 'through_seq'])
    .execute();
}
