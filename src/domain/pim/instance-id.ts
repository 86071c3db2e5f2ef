import { roleAssignmentId } from '../roles/assignment-id.js';

/**
 * The id of an assignment instance (and of the `unifiedRoleAssignment` behind it): for the tenant
 * scope `/`, Entra's deterministic `base64url(roleDefinitionId ‖ principalId)-1` (reference §1.7),
 * so Graph clients that build or parse these ids keep working; for other scopes a fresh GUID from
 * `newId`, which the store must keep because it cannot be recomputed.
 *
 * Being deterministic, the tenant-scope id admits one assignment instance per role and principal;
 * that is why an existing current or future assignment makes a new one `RoleAssignmentExists`.
 *
 * @throws RangeError if an id is not a GUID: a programming error, ids are validated at the edge.
 */
export function assignmentInstanceId(
  roleDefinitionId: string,
  principalId: string,
  directoryScopeId: string,
  newId: () => string,
): string {
  return roleAssignmentId(roleDefinitionId, principalId, directoryScopeId, newId);
}

/**
 * The id of an eligibility instance: the assignment form with `-1-e` in place of `-1` at tenant
 * scope (as Entra's eligible instances read), a fresh GUID elsewhere.
 *
 * @throws RangeError if an id is not a GUID.
 */
export function eligibilityInstanceId(
  roleDefinitionId: string,
  principalId: string,
  directoryScopeId: string,
  newId: () => string,
): string {
  if (directoryScopeId !== '/') return newId();
  return `${roleAssignmentId(roleDefinitionId, principalId, directoryScopeId, newId)}-e`;
}
