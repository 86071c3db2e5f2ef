import type { Schedule } from '../../domain/pim/schedule.js';
import {
  actionMatches,
  directoryPatternAsGlob,
  isConcreteAction,
} from '../../domain/resources/action-pattern.js';
import type { ResourceRoleDefinition } from '../../domain/resources/resource-role.js';
import { checkScopePath, scopeAndAncestors } from '../../domain/resources/scope-path.js';
import type { Stores } from '../ports.js';
import { activeRoleIds } from '../authorization/authorize.js';
import { memberGroupsAt } from '../directory/member-groups.js';
import { rolesOverObject } from '../administrative-units/authorize-over.js';
import { findResourceRole } from '../resources/find-role.js';
import { scopeExists } from '../resources/find-scope.js';
import {
  denyPermission,
  resourceGrant,
  type HeldResourceRole,
  type PermissionAnswer,
} from './resource-grant.js';

export type { PermissionAnswer } from './resource-grant.js';

const deny = denyPermission;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Whether an action names an Entra directory permission rather than an RBAC operation. */
export const isDirectoryPermission = (action: string): boolean => /^microsoft\.directory\//i.test(action);

/**
 * "May P perform A on X now?" for an RBAC action on the resource hierarchy: every resource-role
 * assignment P holds now (`start <= now < end`, directly or through a group it is a member of
 * now) at X or any scope above it, each role's `actions` minus its `notActions` (or `dataActions`
 * minus `notDataActions`), matched case-insensitively. The nearest grant is named. X must be
 * registered: a removed resource grants nothing, whatever is held above it.
 */
export async function decideResourceAction(
  tx: Stores,
  tenantId: string,
  subjectId: string,
  action: string,
  resourceId: string,
  now: number,
): Promise<PermissionAnswer> {
  if (!isConcreteAction(action)) return deny('invalid_action');
  let scope: string;
  try {
    scope = checkScopePath(resourceId);
  } catch {
    return deny('invalid_resource');
  }
  if (!(await scopeExists(tx, tenantId, scope))) return deny('resource_unknown');
  const groups = await memberGroupsAt(tx, tenantId, subjectId, now);
  const scopes = scopeAndAncestors(scope);
  const schedules = await tx.schedules.holdingAtScopes(
    tenantId,
    [subjectId, ...groups],
    'resourceRole',
    scopes,
    now,
  );
  const roles = new Map<string, ResourceRoleDefinition | undefined>();
  for (const s of schedules) {
    if (!roles.has(s.roleDefinitionId))
      roles.set(s.roleDefinitionId, await findResourceRole(tx, tenantId, s.roleDefinitionId));
  }
  return resourceGrant({
    held: schedules.map(heldOf),
    subjectId,
    scopes,
    action,
    roleOf: (id) => roles.get(id),
    now,
  });
}

const heldOf = (s: Schedule): HeldResourceRole => ({
  scheduleId: s.id,
  instanceId: s.instanceId,
  principalId: s.principalId,
  roleDefinitionId: s.roleDefinitionId,
  scopeId: s.directoryScopeId,
  assignmentType: s.assignmentType,
  end: s.window.end,
});

/**
 * The same for an Entra directory permission (`microsoft.directory/users/password/update`):
 * through the directory roles P holds now (direct, PIM, through groups), each role's
 * `allowedResourceActions` minus `excludedResourceActions`, with Entra's wildcards
 * (`allEntities`, `allProperties/allTasks`, `allTasks`, `*`). Roles held tenant-wide (`/`) count
 * for any object; asked about one user or group (`objectId`), roles held at an administrative unit
 * it is a direct member of count too, and the grant names that unit's scope (ADR 0042).
 */
export async function decideDirectoryPermission(
  tx: Stores,
  tenantId: string,
  subjectId: string,
  action: string,
  now: number,
  objectId?: string,
): Promise<PermissionAnswer> {
  if (!isConcreteAction(action)) return deny('invalid_action');
  const tenantWide = [...(await activeRoleIds(tx, tenantId, subjectId, now))].sort();
  const scoped = objectId === undefined ? [] : await rolesOverObject(tx, tenantId, subjectId, objectId, now);
  const candidates = [
    ...tenantWide.map((roleDefinitionId) => ({ roleDefinitionId, directoryScopeId: '/' })),
    ...scoped.sort(
      (a, b) =>
        a.directoryScopeId.localeCompare(b.directoryScopeId) ||
        a.roleDefinitionId.localeCompare(b.roleDefinitionId),
    ),
  ];
  if (candidates.length === 0) return deny('not_active');
  const groups = await memberGroupsAt(tx, tenantId, subjectId, now);
  for (const { roleDefinitionId: roleId, directoryScopeId: scopeId } of candidates) {
    const role = await tx.roleDefinitions.get(tenantId, roleId);
    if (!role || !role.isEnabled) continue;
    for (const p of role.rolePermissions) {
      const excluded = p.excludedResourceActions.some((x) =>
        actionMatches(directoryPatternAsGlob(x), action),
      );
      if (excluded) continue;
      const granted = p.allowedResourceActions.find((x) => actionMatches(directoryPatternAsGlob(x), action));
      if (granted === undefined) continue;
      const instance = await tx.schedules.activeAssignment(
        tenantId,
        [subjectId, ...groups],
        roleId,
        scopeId,
        now,
      );
      return {
        decision: true,
        context: {
          instanceId: instance?.id ?? null,
          roleDefinitionId: roleId,
          roleName: role.displayName,
          scopeId,
          memberType: instance?.memberType ?? null,
          assignmentType: instance?.assignmentType ?? null,
          grantedBy: granted,
          endDateTime: iso(instance?.endDateTime ?? null),
          evaluatedAt: iso(now),
        },
      };
    }
  }
  return deny('not_permitted');
}
