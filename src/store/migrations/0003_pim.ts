import { sql, type Kysely } from 'kysely';

/**
 * PIM for directory roles: schedule requests (the history of every ask), schedules (eligibility
 * and assignment rules with their `[start, end)` window) and one slot row per principal, role,
 * scope and kind, whose `version` is the compare-and-set point that keeps two concurrent writers
 * of the same slot from both succeeding (DESIGN.md invariant 4). Instances are not stored: they are
 * the schedules whose window holds at the reader's `now`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pim_schedule_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('role_definition_id', 'text', (c) => c.notNull())
    .addColumn('directory_scope_id', 'text', (c) => c.notNull())
    .addColumn('app_scope_id', 'text')
    .addColumn('target_schedule_id', 'text')
    .addColumn('activated_using', 'text')
    .addColumn('justification', 'text')
    .addColumn('ticket_number', 'text')
    .addColumn('ticket_system', 'text')
    .addColumn('schedule_start_at', 'bigint')
    .addColumn('expiration_type', 'text')
    .addColumn('expiration_end_at', 'bigint')
    .addColumn('expiration_duration', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('completed_at', 'bigint')
    .addColumn('created_by_kind', 'text', (c) => c.notNull())
    .addColumn('created_by_id', 'text', (c) => c.notNull())
    .addColumn('created_by_app_id', 'text')
    .addColumn('approval_id', 'text')
    .addColumn('custom_data', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('pim_requests_principal_idx')
    .on('pim_schedule_requests')
    .columns(['tenant_id', 'kind', 'principal_id'])
    .execute();
  await db.schema
    .createIndex('pim_requests_creator_idx')
    .on('pim_schedule_requests')
    .columns(['tenant_id', 'kind', 'created_by_id'])
    .execute();
  await db.schema
    .createIndex('pim_requests_status_idx')
    .on('pim_schedule_requests')
    .columns(['tenant_id', 'kind', 'status', 'role_definition_id'])
    .execute();

  await db.schema
    .createTable('pim_schedules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('principal_type', 'text', (c) => c.notNull())
    .addColumn('role_definition_id', 'text', (c) => c.notNull())
    .addColumn('directory_scope_id', 'text', (c) => c.notNull())
    .addColumn('app_scope_id', 'text')
    .addColumn('start_at', 'bigint', (c) => c.notNull())
    .addColumn('end_at', 'bigint')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('member_type', 'text', (c) => c.notNull())
    .addColumn('assignment_type', 'text')
    .addColumn('created_using', 'text', (c) => c.notNull())
    .addColumn('activated_using', 'text')
    .addColumn('instance_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('modified_at', 'bigint', (c) => c.notNull())
    .addColumn('expiry_recorded_at', 'bigint')
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  // The hot path: "what does principal P (or its groups) hold or may activate for role R at scope
  // S now?" — activation, `activeAssignment` (AuthZEN, authorize) and the slot's current schedule.
  await db.schema
    .createIndex('pim_schedules_slot_idx')
    .on('pim_schedules')
    .columns(['tenant_id', 'kind', 'principal_id', 'role_definition_id', 'directory_scope_id', 'end_at'])
    .execute();
  await db.schema
    .createIndex('pim_schedules_instance_idx')
    .on('pim_schedules')
    .columns(['tenant_id', 'instance_id'])
    .execute();
  // The sweeper's queue: ended schedules whose expiry is not recorded yet (partial: stays small).
  await db.schema
    .createIndex('pim_schedules_expiry_idx')
    .on('pim_schedules')
    .column('end_at')
    .where(sql.ref('expiry_recorded_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('pim_slots')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('role_definition_id', 'text', (c) => c.notNull())
    .addColumn('directory_scope_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('pim_slots_pk', [
      'tenant_id',
      'kind',
      'principal_id',
      'role_definition_id',
      'directory_scope_id',
    ])
    .execute();
}
