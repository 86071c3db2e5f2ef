import type { ScheduleInstance, Schedule, ScheduleRequest } from '../../domain/pim/schedule.js';
import type { PrincipalType } from '../../domain/directory/types.js';
import {
  REQUEST_ACTIONS,
  EXPIRATION_TYPES,
  type ExpirationType,
  type RequestAction,
  type ScheduleKind,
} from '../../domain/pim/types.js';
import type { ResourceRoleDefinition } from '../../domain/resources/resource-role.js';
import { requestStatusAt } from '../../domain/pim/status.js';
import { isWithin } from '../../domain/resources/scope-path.js';
import { armScopePrefix } from './arm-path.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const pascal = (s: string) => `${s.charAt(0).toUpperCase()}${s.slice(1)}`;
const AUTH = '/providers/Microsoft.Authorization';

/** `SelfActivate` → `selfActivate` (ARM spells request types in PascalCase; any case accepted). */
export const actionOf = (requestType: string): RequestAction | undefined =>
  REQUEST_ACTIONS.find((a) => a.toLowerCase() === requestType.toLowerCase());

/** `AfterDuration` → `afterDuration`. */
export const expirationTypeOf = (type: string): ExpirationType | undefined =>
  EXPIRATION_TYPES.find((t) => t.toLowerCase() === type.toLowerCase());

const PRINCIPAL_TYPES: Record<PrincipalType, string> = {
  user: 'User',
  group: 'Group',
  servicePrincipal: 'ServicePrincipal',
};

/** ARM's resource type names, as the 2020-10-01 examples spell them. */
const TYPE = {
  eligibilityRequest: 'RoleEligibilityScheduleRequests',
  assignmentRequest: 'RoleAssignmentScheduleRequests',
  eligibilitySchedule: 'RoleEligibilitySchedules',
  assignmentSchedule: 'RoleAssignmentSchedules',
  eligibilityInstance: 'RoleEligibilityScheduleInstances',
  assignmentInstance: 'RoleAssignmentScheduleInstances',
} as const;

const envelope = (scope: string, typeName: string, name: string, properties: Record<string, unknown>) => ({
  id: `${armScopePrefix(scope)}${AUTH}/${typeName}/${name}`,
  name,
  type: `Microsoft.Authorization/${typeName}`,
  properties,
});

export const roleDefinitionArmId = (scope: string, roleId: string) =>
  `${armScopePrefix(scope)}${AUTH}/roleDefinitions/${roleId}`;

/** A schedule request in ARM's envelope. */
export function armRequest(r: ScheduleRequest, now: number) {
  const kind: ScheduleKind = r.kind;
  const typeName = kind === 'eligibility' ? TYPE.eligibilityRequest : TYPE.assignmentRequest;
  const scheduleType = kind === 'eligibility' ? TYPE.eligibilitySchedule : TYPE.assignmentSchedule;
  const scope = r.directoryScopeId;
  const target =
    r.targetScheduleId === null
      ? null
      : `${armScopePrefix(scope)}${AUTH}/${scheduleType}/${r.targetScheduleId}`;
  const exp = r.scheduleInfo?.expiration;
  return envelope(scope, typeName, r.id, {
    scope,
    roleDefinitionId: roleDefinitionArmId(scope, r.roleDefinitionId),
    principalId: r.principalId,
    requestType: pascal(r.action),
    status: requestStatusAt(r, now),
    approvalId: r.approvalId,
    ...(kind === 'eligibility'
      ? { targetRoleEligibilityScheduleId: target, targetRoleEligibilityScheduleInstanceId: null }
      : {
          targetRoleAssignmentScheduleId: target,
          targetRoleAssignmentScheduleInstanceId: null,
          linkedRoleEligibilityScheduleId: r.activatedUsing,
        }),
    scheduleInfo:
      r.scheduleInfo === null
        ? null
        : {
            startDateTime: iso(r.scheduleInfo.startDateTime),
            expiration: {
              type: pascal(exp?.type ?? 'noExpiration'),
              endDateTime: iso(exp?.endDateTime ?? null),
              duration: exp?.duration ?? null,
            },
          },
    ticketInfo: r.ticketInfo,
    justification: r.justification,
    requestorId: r.createdBy.id,
    createdOn: iso(r.createdAt),
  });
}

/**
 * `memberType` as Azure reports it in a list at `listed`: `Inherited` for an item at a scope above
 * the listed one (ADR 0034), else the item's own (`Direct`, or `Group` through a group).
 */
const memberTypeAt = (itemScope: string, memberType: string, listed: string | undefined) =>
  listed !== undefined && itemScope !== listed && isWithin(listed, itemScope) ? 'Inherited' : memberType;

/** A schedule in ARM's envelope (`listed`: the scope of the list it is shown in). */
export function armSchedule(s: Schedule, status: string, listed?: string) {
  const eligibility = s.kind === 'eligibility';
  return envelope(
    s.directoryScopeId,
    eligibility ? TYPE.eligibilitySchedule : TYPE.assignmentSchedule,
    s.id,
    {
      scope: s.directoryScopeId,
      roleDefinitionId: roleDefinitionArmId(s.directoryScopeId, s.roleDefinitionId),
      principalId: s.principalId,
      principalType: PRINCIPAL_TYPES[s.principalType],
      ...(eligibility
        ? { roleEligibilityScheduleRequestId: s.createdUsing }
        : {
            roleAssignmentScheduleRequestId: s.createdUsing,
            linkedRoleEligibilityScheduleId: s.activatedUsing,
            assignmentType: s.assignmentType,
          }),
      status,
      startDateTime: iso(s.window.start),
      endDateTime: iso(s.window.end),
      memberType: memberTypeAt(s.directoryScopeId, s.memberType, listed),
      createdOn: iso(s.createdAt),
      updatedOn: iso(s.modifiedAt),
    },
  );
}

/** An instance in ARM's envelope (`listed`: the scope of the list it is shown in). */
export function armInstance(i: ScheduleInstance, listed?: string) {
  const eligibility = i.kind === 'eligibility';
  const scheduleType = eligibility ? TYPE.eligibilitySchedule : TYPE.assignmentSchedule;
  const scheduleId = `${armScopePrefix(i.directoryScopeId)}${AUTH}/${scheduleType}/${i.scheduleId}`;
  return envelope(
    i.directoryScopeId,
    eligibility ? TYPE.eligibilityInstance : TYPE.assignmentInstance,
    i.id,
    {
      scope: i.directoryScopeId,
      roleDefinitionId: roleDefinitionArmId(i.directoryScopeId, i.roleDefinitionId),
      principalId: i.principalId,
      principalType: PRINCIPAL_TYPES[i.principalType],
      status: 'Provisioned',
      ...(eligibility
        ? { roleEligibilityScheduleId: scheduleId }
        : {
            roleAssignmentScheduleId: scheduleId,
            linkedRoleEligibilityScheduleId: i.activatedUsing,
            assignmentType: i.assignmentType,
          }),
      startDateTime: iso(i.startDateTime),
      endDateTime: iso(i.endDateTime),
      memberType: memberTypeAt(i.directoryScopeId, i.memberType, listed),
    },
  );
}

/** A role definition as ARM's `roleDefinitions` return it (built-ins at the root, as Azure names them). */
export function armRoleDefinition(r: ResourceRoleDefinition, scope: string) {
  return {
    id: roleDefinitionArmId(r.roleType === 'BuiltInRole' ? '/' : scope, r.id),
    name: r.id,
    type: 'Microsoft.Authorization/roleDefinitions',
    properties: {
      roleName: r.roleName,
      type: r.roleType,
      description: r.description,
      assignableScopes: r.assignableScopes,
      permissions: [r.permissions],
      createdOn: r.roleType === 'BuiltInRole' ? null : iso(r.createdAt),
      updatedOn: r.roleType === 'BuiltInRole' ? null : iso(r.modifiedAt),
    },
  };
}

/**
 * An active assignment (an assignment instance holding now: `Assigned` or `Activated`) as ARM's
 * `roleAssignments` show it; its name is the instance's id.
 */
export function armRoleAssignment(i: ScheduleInstance) {
  return {
    id: `${armScopePrefix(i.directoryScopeId)}${AUTH}/roleAssignments/${i.id}`,
    name: i.id,
    type: 'Microsoft.Authorization/roleAssignments',
    properties: {
      scope: i.directoryScopeId,
      roleDefinitionId: roleDefinitionArmId('/', i.roleDefinitionId),
      principalId: i.principalId,
      principalType: PRINCIPAL_TYPES[i.principalType],
      condition: null,
      conditionVersion: null,
      description: null,
      delegatedManagedIdentityResourceId: null,
      createdOn: iso(i.startDateTime),
      updatedOn: iso(i.startDateTime),
      createdBy: null,
      updatedBy: null,
    },
  };
}

/** A child resource as ARM's `eligibleChildResources` list it. */
export const armChildResource = (c: { id: string; name: string; type: string }) => ({
  id: c.id,
  name: c.name,
  type: c.type,
});
