import { BUILT_IN_RESOURCE_ROLES } from '../domain/resources/built-in-resource-roles.js';
import { Arm, armPath, roleGuidOf, type ArmResource } from './arm.js';
import { ClientError, EXIT } from './exit-codes.js';
import { query } from './graph.js';
import { ENDED_STATUSES, isEffective } from './requests.js';
import { atScope, pick } from './roles.js';

/**
 * Resource roles (Azure RBAC-shaped roles on Elevate's scope hierarchy, docs/resources.md) as the
 * client reads them over ARM: role definitions by name or id, and the caller's own eligible or
 * active instances at any scope.
 */

/** A resource role as the CLI names it: Azure's `roleName` (Reader, Owner, …) or its GUID. */
export interface ResourceRoleRef {
  id: string;
  displayName: string;
  assignableScopes: string[];
}

/** An ARM schedule instance (the fields read here). */
export interface ArmInstance {
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  startDateTime: string | null;
  endDateTime: string | null;
  memberType?: string;
  assignmentType?: string;
}

/** An ARM schedule request (the fields read here). */
export interface ArmRequest {
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  requestType: string;
  status: string;
  approvalId: string | null;
  justification: string | null;
  createdOn: string;
  scheduleInfo: {
    startDateTime: string | null;
    expiration: { type: string; endDateTime: string | null; duration: string | null } | null;
  } | null;
}

/** Every resource role (built-in and custom) the caller may read, from the root scope's list. */
export async function allResourceRoles(arm: Arm): Promise<ResourceRoleRef[]> {
  const defs = await arm.list<ArmResource<{ roleName: string; assignableScopes: string[] | null }>>(
    armPath('/', 'roleDefinitions'),
    'list resource role definitions',
  );
  return defs.map((d) => ({
    id: d.name.toLowerCase(),
    displayName: d.properties.roleName,
    assignableScopes: d.properties.assignableScopes ?? ['/'],
  }));
}

/**
 * The resource roles the caller may read; when it may not read role definitions (an agent's
 * application usually may not), Azure's built-in roles, whose names and ids are public and fixed
 * (custom roles are then shown and matched by id).
 */
export async function readableResourceRoles(arm: Arm): Promise<ResourceRoleRef[]> {
  try {
    return await allResourceRoles(arm);
  } catch (error) {
    if (!(error instanceof ClientError && error.exitCode === EXIT.refused)) throw error;
    return BUILT_IN_RESOURCE_ROLES.map((r) => ({
      id: r.id,
      displayName: r.roleName,
      assignableScopes: [...r.assignableScopes],
    }));
  }
}

/** The caller's own eligible or active resource-role instances, at every scope (`asTarget()` at the root). */
export async function myResourceInstances(
  arm: Arm,
  kind: 'eligibility' | 'assignment',
): Promise<ArmInstance[]> {
  const set = kind === 'eligibility' ? 'roleEligibilityScheduleInstances' : 'roleAssignmentScheduleInstances';
  const items = await arm.list<ArmResource<ArmInstance>>(
    `${armPath('/', set)}${query({ $filter: 'asTarget()' })}`,
    kind === 'eligibility' ? 'list eligible resource roles' : 'list active resource roles',
  );
  return items.map((i) => i.properties);
}

export const resourceRoleName = (roles: readonly ResourceRoleRef[], roleDefinitionId: string): string => {
  const id = roleGuidOf(roleDefinitionId);
  return roles.find((r) => r.id === id)?.displayName ?? id;
};

/**
 * The caller's own eligible (or activated) resource role that `typed` names (role name in any
 * case, or id), at `scope`: the eligibility at that scope or above it (an eligibility covers the
 * scopes below it), else the only one. @throws ClientError (not found) with suggestions on a miss.
 */
export async function heldResourceRole(
  arm: Arm,
  roles: readonly ResourceRoleRef[],
  typed: string,
  scope: string | undefined,
  kind: 'eligibility' | 'assignment',
): Promise<ArmInstance & { roleId: string; roleName: string }> {
  const instances = (await myResourceInstances(arm, kind)).filter(
    (i) => kind === 'eligibility' || (i.assignmentType ?? '').toLowerCase() === 'activated',
  );
  const candidates = instances.map((i) => ({
    ...i,
    id: roleGuidOf(i.roleDefinitionId),
    roleId: roleGuidOf(i.roleDefinitionId),
    roleName: resourceRoleName(roles, i.roleDefinitionId),
    displayName: resourceRoleName(roles, i.roleDefinitionId),
    directoryScopeId: i.scope,
  }));
  const what = kind === 'eligibility' ? 'eligible resource role' : 'active resource role';
  const hits = pick(typed, candidates, what);
  if (kind === 'eligibility' && scope !== undefined) {
    // The nearest eligibility at or above the scope asked for backs an activation there.
    const covering = hits
      .filter((h) => h.scope === '/' || scope === h.scope || scope.startsWith(`${h.scope}/`))
      .sort((a, b) => b.scope.length - a.scope.length)[0];
    if (covering) return covering;
  }
  return atScope(hits, scope, typed);
}

/**
 * A resource-role request by id. Elevate finds a request by its name at any scope, so it is read
 * at the root (the id is all an agent keeps). @throws ClientError (not found) for another id.
 */
export function getResourceRequest(arm: Arm, id: string): Promise<ArmResource<ArmRequest>> {
  return arm.get(armPath('/', 'roleAssignmentScheduleRequests', id), `read resource role request ${id}`);
}

/** What an agent is told about a resource-role request (as for a role or group request). */
export function resourceRequestResult(
  r: ArmResource<ArmRequest>,
  now: number,
  roles: readonly ResourceRoleRef[] = [],
) {
  const p = r.properties;
  return {
    id: r.name,
    kind: 'resourceRole' as const,
    action: `${p.requestType.charAt(0).toLowerCase()}${p.requestType.slice(1)}`,
    status: p.status,
    principalId: p.principalId,
    roleDefinitionId: roleGuidOf(p.roleDefinitionId),
    roleName: resourceRoleName(roles, p.roleDefinitionId),
    scope: p.scope,
    justification: p.justification,
    createdDateTime: p.createdOn,
    startDateTime: p.scheduleInfo?.startDateTime ?? null,
    duration: p.scheduleInfo?.expiration?.duration ?? null,
    endDateTime: p.scheduleInfo?.expiration?.endDateTime ?? null,
    approvalId: p.approvalId,
    effective: isEffective(p, now),
    ended: ENDED_STATUSES.has(p.status),
  };
}
