import { roleAssignmentId } from '../roles/assignment-id.js';
import type { RequestAction } from './types.js';

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

/**
 * `targetScheduleId` of a schedule request. A request that creates a schedule names it after
 * itself (the schedule id equals the request id, as Graph's examples show); one that changes an
 * existing schedule (update, extend, renew) names that schedule, since one schedule per principal,
 * role and scope is kept; a removal or deactivation has none (`null`, as Graph's adminRemove
 * example shows).
 */
export function targetScheduleIdFor(
  action: RequestAction,
  requestId: string,
  existingScheduleId: string | null,
): string | null {
  switch (action) {
    case 'adminRemove':
    case 'selfDeactivate':
      return null;
    case 'adminAssign':
    case 'selfActivate':
      return requestId;
    case 'adminUpdate':
    case 'adminExtend':
    case 'adminRenew':
    case 'selfExtend':
    case 'selfRenew':
      return existingScheduleId ?? requestId;
  }
}
