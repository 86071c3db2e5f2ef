import type { Kysely } from 'kysely';

/**
 * Resource roles on a scope hierarchy (ADR 0029, docs/resources.md).
 * - `resource_scopes`: registered resources; the scope path is the key and `parent_id` its prefix
 *   (the root `/` is implied and never stored), so a child can be found by its parent and a cycle
 *   cannot be written.
 * - `resource_role_definitions`: a tenant's custom resource roles in Azure RBAC's shape (action
 *   lists and assignable scopes as JSON, read whole); Azure's built-ins live in code.
 * PIM schedules and requests of resource roles use `pim_schedules`/`pim_schedule_requests` with
 * `resource_type = 'resourceRole'` (role id in `role_definition_id`, scope path in
 * `directory_scope_id`, as migration 0016 laid out).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('resource_scopes')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('modified_at', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('resource_scopes_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema
    .createIndex('resource_scopes_by_parent')
    .on('resource_scopes')
    .columns(['tenant_id', 'parent_id'])
    .execute();

  await db.schema
    .createTable('resource_role_definitions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('role_name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('permissions', 'text', (c) => c.notNull())
    .addColumn('assignable_scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('modified_at', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('resource_role_definitions_name')
    .on('resource_role_definitions')
    .columns(['tenant_id', 'role_name'])
    .unique()
    .execute();
}
