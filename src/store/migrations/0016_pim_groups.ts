import type { Kysely } from 'kysely';

/**
 * PIM for Groups (docs/adr/0023-pim-for-groups.md): schedules and requests carry the resource type
 * they grant. `directoryRole` rows keep their meaning; `group` rows keep the access (`member` or
 * `owner`) in `role_definition_id` and the group's id in `directory_scope_id`, so the slot, its
 * compare-and-set and every index serve both types unchanged (an access id is never a role's
 * GUID, so the two never share a slot). Existing rows are directory roles.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['pim_schedules', 'pim_schedule_requests']) {
    await db.schema
      .alterTable(table)
      .addColumn('resource_type', 'text', (c) => c.notNull().defaultTo('directoryRole'))
      .execute();
  }
}
