import type { Kysely } from 'kysely';

/**
 * Connectors: what the last reconcile of each connector did, on its lease row (one per connector),
 * written by whichever replica ran it, so every replica's API shows the same status: when it last
 * ran and last succeeded, how many runs in a row failed and the last error, and the counts of its
 * last run (granted, revoked, drift repaired, unmanaged grants found) as JSON.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('connector_leases').addColumn('last_run_at', 'bigint').execute();
  await db.schema.alterTable('connector_leases').addColumn('last_success_at', 'bigint').execute();
  await db.schema.alterTable('connector_leases').addColumn('last_error', 'text').execute();
  await db.schema
    .alterTable('connector_leases')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('connector_leases').addColumn('last_result', 'text').execute();
}
