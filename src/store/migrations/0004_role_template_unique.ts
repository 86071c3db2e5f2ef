import type { Kysely } from 'kysely';

/** Template ids identify roles across tenants' scripts; keep them unique per tenant. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('role_definitions_template_unique')
    .on('role_definitions')
    .columns(['tenant_id', 'template_id'])
    .unique()
    .execute();
}
