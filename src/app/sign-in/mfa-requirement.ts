import { findRule } from '../../domain/policy/types.js';
import type { Stores } from '../ports.js';
import { memberOrEligibleGroups } from '../directory/member-groups.js';

/**
 * Is multi-factor authentication required for this user? Yes when they hold or may activate
 * (now or later, directly or through a group, at any scope) a directory role whose tenant-wide
 * policy requires MFA on activation (`MultiFactorAuthentication` in `Enablement_EndUser_Assignment`).
 * Such a user could not activate without a second factor, so they must always keep one.
 */
export async function mfaRequiredFor(
  tx: Stores,
  tenantId: string,
  userId: string,
  now: number,
): Promise<boolean> {
  const groups = await memberOrEligibleGroups(tx, tenantId, userId, now);
  const principals = [userId, ...groups];
  const roles = new Set([
    ...(await tx.roleAssignments.roleIdsOf(tenantId, principals)),
    ...(await tx.schedules.heldOrEligibleRoleIds(tenantId, principals, now)),
  ]);
  for (const roleId of roles) {
    const policy = await tx.policies.forRole(tenantId, 'DirectoryRole', '/', roleId);
    const rule = policy === undefined ? undefined : findRule(policy.rules, 'Enablement_EndUser_Assignment');
    if (rule?.enabledRules.includes('MultiFactorAuthentication') === true) return true;
  }
  return false;
}
