import { sql, type Kysely } from 'kysely';
import type { ResourceType, ScheduleKind } from '../../domain/pim/types.js';
import type { Database } from '../schema.js';

// The selects PIM reads are built from: PIM schedules current or holding at the reader's `now`,
// and direct role assignments in the same columns, so that lists can `UNION ALL` them.

/** PIM schedules of one resource type current or future at `now`, with `status_at` as a reader sees it then. */
export const currentPim = (
  db: Kysely<Database>,
  tenantId: string,
  kind: ScheduleKind,
  now: number,
  resourceType: ResourceType,
) =>
  db
    .selectFrom('pim_schedules')
    .select([
      'id',
      'tenant_id',
      'kind',
      'principal_id',
      'principal_type',
      'role_definition_id',
      'directory_scope_id',
      'app_scope_id',
      'start_at',
      'end_at',
      'status',
      'member_type',
      'assignment_type',
      'created_using',
      'activated_using',
      'instance_id',
      'created_at',
      'modified_at',
      'expiry_recorded_at',
      'version',
      'resource_type',
    ])
    .select([
      sql<string>`'pim'`.as('origin'),
      sql<string>`case when status = 'Granted' and start_at <= ${now} then 'Provisioned' else status end`.as(
        'status_at',
      ),
    ])
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', kind)
    .where('resource_type', '=', resourceType)
    .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]));

/** Direct role assignments in the same columns as `currentPim`. */
export const directAsSchedules = (db: Kysely<Database>, tenantId: string) =>
  db
    .selectFrom('role_assignments')
    .select([
      'id',
      'tenant_id',
      sql<string>`'assignment'`.as('kind'),
      'principal_id',
      'principal_type',
      'role_definition_id',
      'directory_scope_id',
      'app_scope_id',
      sql<number>`created_at`.as('start_at'),
      sql<number | null>`null`.as('end_at'),
      sql<string>`'Provisioned'`.as('status'),
      sql<string>`'Direct'`.as('member_type'),
      sql<string | null>`'Assigned'`.as('assignment_type'),
      sql<string>`id`.as('created_using'),
      sql<string | null>`null`.as('activated_using'),
      sql<string>`id`.as('instance_id'),
      'created_at',
      sql<number>`created_at`.as('modified_at'),
      sql<number | null>`null`.as('expiry_recorded_at'),
      sql<number>`1`.as('version'),
      sql<string>`'directoryRole'`.as('resource_type'),
      sql<string>`'direct'`.as('origin'),
      sql<string>`'Provisioned'`.as('status_at'),
    ])
    .where('tenant_id', '=', tenantId);

/** PIM schedules of one resource type holding at `now`, as instance rows. */
export const holdingPim = (
  db: Kysely<Database>,
  tenantId: string,
  kind: ScheduleKind,
  now: number,
  resourceType: ResourceType,
) =>
  db
    .selectFrom('pim_schedules')
    .select([
      'instance_id',
      sql<string>`id`.as('schedule_id'),
      'tenant_id',
      'kind',
      'resource_type',
      sql<string>`'pim'`.as('origin'),
      'principal_id',
      'principal_type',
      'role_definition_id',
      'directory_scope_id',
      'app_scope_id',
      sql<number | null>`start_at`.as('start_at'),
      'end_at',
      'member_type',
      'assignment_type',
      'activated_using',
    ])
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', kind)
    .where('resource_type', '=', resourceType)
    .where('start_at', '<=', now)
    .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]));

export const directAsInstances = (db: Kysely<Database>, tenantId: string) =>
  db
    .selectFrom('role_assignments')
    .select([
      sql<string>`id`.as('instance_id'),
      sql<string>`id`.as('schedule_id'),
      'tenant_id',
      sql<string>`'assignment'`.as('kind'),
      sql<string>`'directoryRole'`.as('resource_type'),
      sql<string>`'direct'`.as('origin'),
      'principal_id',
      'principal_type',
      'role_definition_id',
      'directory_scope_id',
      'app_scope_id',
      sql<number | null>`null`.as('start_at'),
      sql<number | null>`null`.as('end_at'),
      sql<string>`'Direct'`.as('member_type'),
      sql<string | null>`'Assigned'`.as('assignment_type'),
      sql<string | null>`null`.as('activated_using'),
    ])
    .where('tenant_id', '=', tenantId);
