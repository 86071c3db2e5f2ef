import type { Kysely } from 'kysely';

/**
 * Connectors, issue 17 follow-up: `connector_logins` holds explicit per-user logins of a connector
 * (`principalId → login`, one login per user and one user per login in a connector), which win
 * over the login derived from the userPrincipalName; and an index on `connector_grants` by schedule,
 * which a schedule instance's `GET` reads its connector grants (the effective times) through.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('connector_logins')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('login', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('modified_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('connector_logins_pk', ['connector_id', 'principal_id'])
    .execute();
  // Two users of one connector never share a login: the second would get the first's access.
  await db.schema
    .createIndex('connector_logins_login_uq')
    .on('connector_logins')
    .columns(['connector_id', 'login'])
    .unique()
    .execute();
  await db.schema
    .createIndex('connector_grants_schedule_idx')
    .on('connector_grants')
    .columns(['tenant_id', 'schedule_id'])
    .execute();
}
