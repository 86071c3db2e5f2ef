import type { Kysely } from 'kysely';

/**
 * SIEM forwarding state: per destination and tenant, the last seq the destination accepted; per
 * destination, the lease that lets one replica forward it at a time.
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
}
