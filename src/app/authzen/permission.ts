import type { Schedule } from '../../domain/pim/schedule.js';
import {
  actionMatches,
  directoryPatternAsGlob,
  grantingPattern,
  isConcreteAction,
} from '../../domain/resources/action-pattern.js';
import type { ResourceRoleDefinition } from '../../domain/resources/resource-role.js';
import { checkScopePath, scopeAndAncestors } from '../../domain/resources/scope-path.js';
import type { Stores } from '../ports.js';
import { activeRoleIds } from '../authorization/authorize.js';
import { memberGroupsAt } from '../directory/member-groups.js';
import { findResourceRole } from '../resources/find-role.js';
import { scopeExists } from '../resources/find-scope.js';

/** A permission-level answer: allowed with the instance that grants, or refused with a reason. */
export type PermissionAnswer =
  | { decision: true; context: Record<string, string | number | null> }
  | { decision: false; context: { reason: string } };

const deny = (reason: string): PermissionAnswer => ({ decision: false, context: { reason } });
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
  const held = await tx.schedules.holdingAtScopes(
    tenantId,
    [subjectId, ...groups],
    'resourceRole',
    scopes,
    now,
  );
  if (held.length === 0) return deny('not_active');
  // Nearest scope first, then the principal's own before a group's, then the one ending last.
  const depth = (s: Schedule) => scopes.indexOf(s.directoryScopeId);
  held.sort(
    (a, b) =>
      depth(a) - depth(b) ||
      Number(b.principalId === subjectId) - Number(a.principalId === subjectId) ||
      (b.window.end ?? Number.MAX_SAFE_INTEGER) - (a.window.end ?? Number.MAX_SAFE_INTEGER),
  );
  const roles = new Map<string, ResourceRoleDefinition | undefined>();
  for (const s of held) {
    if (!roles.has(s.roleDefinitionId))
      roles.set(s.roleDefinitionId, await findResourceRole(tx, tenantId, s.roleDefinitionId));
    const role = roles.get(s.roleDefinitionId);
    if (role === undefined) continue;
    const p = role.permissions;
    const pattern =
      grantingPattern(p.actions, p.notActions, action) ??
      grantingPattern(p.dataActions, p.notDataActions, action);
    if (pattern === null) continue;
    return {
      decision: true,
      context: {
        instanceId: s.instanceId,
        scheduleId: s.id,
        roleDefinitionId: role.id,
        roleName: role.roleName,
        scopeId: s.directoryScopeId,
        memberType:
          s.directoryScopeId === scope ? (s.principalId === subjectId ? 'Direct' : 'Group') : 'Inherited',
        assignmentType: s.assignmentType,
        grantedBy: pattern,
        endDateTime: iso(s.window.end),
        evaluatedAt: iso(now),
      },
    };
  }
  return deny('not_permitted');
}

/**
 * The same for an Entra directory permission (`microsoft.directory/users/password/update`):
 * through the directory roles P holds now tenant-wide (direct, PIM, through groups), each role's
 * `allowedResourceActions` minus `excludedResourceActions`, with Entra's wildcards
 * (`allEntities`, `allProperties/allTasks`, `allTasks`, `*`). Directory roles at administrative
 * units are not resolved yet (docs/enforcement.md).
 */
export async function decideDirectoryPermission(
  tx: Stores,
  tenantId: string,
  subjectId: string,
  action: string,
  now: number,
): Promise<PermissionAnswer> {
  if (!isConcreteAction(action)) return deny('invalid_action');
  const roleIds = await activeRoleIds(tx, tenantId, subjectId, now);
  if (roleIds.length === 0) return deny('not_active');
  const groups = await memberGroupsAt(tx, tenantId, subjectId, now);
  for (const roleId of [...roleIds].sort()) {
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
        '/',
        now,
      );
      return {
        decision: true,
        context: {
          instanceId: instance?.id ?? null,
          roleDefinitionId: roleId,
          roleName: role.displayName,
          scopeId: '/',
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
