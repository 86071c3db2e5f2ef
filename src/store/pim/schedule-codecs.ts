import type { Schedule, ScheduleInstance } from '../../domain/pim/schedule.js';
import type { PrincipalType } from '../../domain/directory/types.js';
import type { AssignmentType, MemberType, ResourceType, ScheduleKind } from '../../domain/pim/types.js';
import { codecs } from '../codecs.js';
import type { PimScheduleRow } from './rows.js';
import type { RoleAssignmentRow } from '../schema.js';

// Rows of `pim_schedules` (and of `role_assignments` read as direct assignments) to and from the
// app's Schedule and ScheduleInstance.

export const toRow = (s: Schedule): PimScheduleRow => ({
  id: s.id,
  tenant_id: s.tenantId,
  kind: s.kind,
  principal_id: s.principalId,
  principal_type: s.principalType,
  role_definition_id: s.roleDefinitionId,
  directory_scope_id: s.directoryScopeId,
  app_scope_id: s.appScopeId,
  start_at: codecs.time.encode(s.window.start),
  end_at: codecs.optionalTime.encode(s.window.end),
  status: s.status,
  member_type: s.memberType,
  assignment_type: s.assignmentType,
  created_using: s.createdUsing,
  activated_using: s.activatedUsing,
  instance_id: s.instanceId,
  created_at: codecs.time.encode(s.createdAt),
  modified_at: codecs.time.encode(s.modifiedAt),
  expiry_recorded_at: codecs.optionalTime.encode(s.expiryRecordedAt),
  version: s.version,
  resource_type: s.resourceType,
});

export type ScheduleColumns = Omit<PimScheduleRow, 'tenant_id'> & { tenant_id: string; origin?: string };

export const fromRow = (r: ScheduleColumns): Schedule => ({
  id: r.id,
  tenantId: r.tenant_id,
  kind: r.kind as ScheduleKind,
  resourceType: r.resource_type as ResourceType,
  origin: r.origin === 'direct' ? 'direct' : 'pim',
  principalId: r.principal_id,
  principalType: r.principal_type as PrincipalType,
  roleDefinitionId: r.role_definition_id,
  directoryScopeId: r.directory_scope_id,
  appScopeId: r.app_scope_id,
  window: { start: codecs.time.decode(r.start_at), end: codecs.optionalTime.decode(r.end_at) },
  status: r.status,
  memberType: r.member_type as MemberType,
  assignmentType: r.assignment_type as AssignmentType | null,
  createdUsing: r.created_using,
  activatedUsing: r.activated_using,
  instanceId: r.instance_id,
  createdAt: codecs.time.decode(r.created_at),
  modifiedAt: codecs.time.decode(r.modified_at),
  expiryRecordedAt: codecs.optionalTime.decode(r.expiry_recorded_at),
  version: r.version,
});

/**
 * A direct (foundation) role assignment as PIM shows it: a permanent `Assigned` assignment, held
 * directly, whose schedule, instance and origin ids are all the assignment's own id.
 */
export const fromDirect = (a: RoleAssignmentRow): Schedule => ({
  id: a.id,
  tenantId: a.tenant_id,
  kind: 'assignment',
  resourceType: 'directoryRole',
  origin: 'direct',
  principalId: a.principal_id,
  principalType: a.principal_type,
  roleDefinitionId: a.role_definition_id,
  directoryScopeId: a.directory_scope_id,
  appScopeId: a.app_scope_id,
  window: { start: codecs.time.decode(a.created_at), end: null },
  status: 'Provisioned',
  memberType: 'Direct',
  assignmentType: 'Assigned',
  createdUsing: a.id,
  activatedUsing: null,
  instanceId: a.id,
  createdAt: codecs.time.decode(a.created_at),
  modifiedAt: codecs.time.decode(a.created_at),
  expiryRecordedAt: null,
  version: 1,
});

export interface InstanceColumns {
  instance_id: string;
  schedule_id: string;
  tenant_id: string;
  kind: string;
  resource_type: string;
  origin: string;
  principal_id: string;
  principal_type: string;
  role_definition_id: string;
  directory_scope_id: string;
  app_scope_id: string | null;
  start_at: number | null;
  end_at: number | null;
  member_type: string;
  assignment_type: string | null;
  activated_using: string | null;
}

export const instanceFromRow = (r: InstanceColumns): ScheduleInstance => ({
  id: r.instance_id,
  tenantId: r.tenant_id,
  kind: r.kind as ScheduleKind,
  resourceType: r.resource_type as ResourceType,
  origin: r.origin === 'direct' ? 'direct' : 'pim',
  principalId: r.principal_id,
  principalType: r.principal_type as PrincipalType,
  roleDefinitionId: r.role_definition_id,
  directoryScopeId: r.directory_scope_id,
  appScopeId: r.app_scope_id,
  startDateTime: codecs.optionalTime.decode(r.start_at),
  endDateTime: codecs.optionalTime.decode(r.end_at),
  memberType: r.member_type as MemberType,
  assignmentType: r.assignment_type as AssignmentType | null,
  scheduleId: r.schedule_id,
  activatedUsing: r.activated_using,
});
