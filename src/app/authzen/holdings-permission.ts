import { isConcreteAction } from '../../domain/resources/action-pattern.js';
import { checkScopePath, ROOT_SCOPE, scopeAndAncestors } from '../../domain/resources/scope-path.js';
import {
  catalogueRole,
  holdersAt,
  holdsAt,
  keyOfPrincipal,
  type Catalogue,
  type Holdings,
} from './holdings-index.js';
import type { ResourcePermissionQuestion } from './holdings.js';
import {
  denyPermission,
  resourceGrant,
  type HeldResourceRole,
  type PermissionAnswer,
} from './resource-grant.js';

/**
 * "May P perform A on X now?" for an RBAC action, from the index, exactly as
 * `decideResourceAction` reads it from the database: a concrete action, a well-formed and
 * registered resource (the root always is), then every resource-role assignment the subject or
 * one of its groups holds at `now` at the resource or above it, decided by `resourceGrant`.
 */
export function resourcePermissionFromIndex(
  map: ReadonlyMap<string, Holdings>,
  catalogue: Catalogue | undefined,
  q: ResourcePermissionQuestion,
  now: number,
): PermissionAnswer {
  if (!isConcreteAction(q.action)) return denyPermission('invalid_action');
  let scope: string;
  try {
    scope = checkScopePath(q.resourceId);
  } catch {
    return denyPermission('invalid_resource');
  }
  if (scope !== ROOT_SCOPE && !catalogue?.scopes.has(scope)) return denyPermission('resource_unknown');
  const subject = map.get(keyOfPrincipal(q.tenantId, q.subjectId));
  if (!subject) return denyPermission('not_active');
  const scopes = scopeAndAncestors(scope);
  const within = new Set(scopes);
  const held: HeldResourceRole[] = [];
  for (const { id, holdings } of holdersAt(map, q.tenantId, q.subjectId, subject, now)) {
    for (const s of holdings.schedules) {
      if (s.resourceType !== 'resourceRole' || !within.has(s.directoryScopeId) || !holdsAt(s, now)) continue;
      held.push({
        scheduleId: s.id,
        instanceId: s.instanceId,
        principalId: id,
        roleDefinitionId: s.roleDefinitionId,
        scopeId: s.directoryScopeId,
        assignmentType: s.assignmentType,
        end: s.end,
      });
    }
  }
  return resourceGrant({
    held,
    subjectId: q.subjectId,
    scopes,
    action: q.action,
    roleOf: (id) => catalogueRole(catalogue, id),
    now,
  });
}
