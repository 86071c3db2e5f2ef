import type { Kysely } from 'kysely';

/**
 * SCIM 2.0 provisioning (ADR 0038): the provisioning clients an administrator created (their bearer
 * token kept as a SHA-256 hash only), and which client provisioned which user and group, with the
 * identity provider's `externalId`. A client sees and changes only its own objects; deleting the
 * object (through SCIM or Graph) drops the row, deleting the client leaves the objects unmanaged.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('scim_clients')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('token_hint', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
  for (const [table, objects] of [
    ['scim_users', 'users'],
    ['scim_groups', 'groups'],
  ] as const) {
    await db.schema
      .createTable(table)
      .addColumn('object_id', 'text', (c) => c.primaryKey().references(`${objects}.id`).onDelete('cascade'))
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('client_id', 'text', (c) => c.notNull().references('scim_clients.id').onDelete('cascade'))
      .addColumn('external_id', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex(`${table}_client`).on(table).columns(['client_id', 'created_at']).execute();
  }
}
