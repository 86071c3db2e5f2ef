import type { Kysely } from 'kysely';

/**
 * Incremental reconciles (ADR 0045) read the connector's records of a few users and of their
 * logins: indexes on `connector_grants` by principal and by login, so that such a run reads those
 * records, not every record of the connector. `state` is in both, which makes them the better
 * choice over `(connector_id, state)` for the planner.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('connector_grants_principal_idx')
    .on('connector_grants')
    .columns(['connector_id', 'principal_id', 'state'])
    .execute();
  await db.schema
    .createIndex('connector_grants_login_idx')
    .on('connector_grants')
    .columns(['connector_id', 'login', 'state'])
    .execute();
}
