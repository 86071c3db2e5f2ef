import { defaultPolicyRules } from '../../domain/policy/default-rules.js';
import { GROUP_ACCESS_IDS } from '../../domain/pim/types.js';
import type { RoleManagementPolicy, Stores } from '../ports.js';

/**
 * The id of a group's policy for one access id. Entra's read `Group_{groupId}_{guid}`; ours end in
 * the access id instead, so that two transactions onboarding the same group at once write the same
 * primary keys and one of them loses cleanly (a conflict, then a retry that finds the policies).
 */
export const groupPolicyId = (groupId: string, accessId: string): string => `Group_${groupId}_${accessId}`;

/**
 * Onboards a group to PIM (reference §4: "a group is onboarded by its first request or policy
 * update"): gives it its `member` and `owner` role settings, Entra's defaults with
 * `scopeType: Group` and `scopeId` the group's id, unless it has them already. Returns both.
 * The caller checked that the group exists.
 * @throws ConflictError when a concurrent transaction onboarded the same group first
 */
export async function onboardGroup(
  tx: Stores,
  tenantId: string,
  groupId: string,
): Promise<RoleManagementPolicy[]> {
  const policies: RoleManagementPolicy[] = [];
  for (const accessId of GROUP_ACCESS_IDS) {
    const existing = await tx.policies.forRole(tenantId, 'Group', groupId, accessId);
    if (existing) {
      policies.push(existing);
      continue;
    }
    const policy: RoleManagementPolicy = {
      id: groupPolicyId(groupId, accessId),
      tenantId,
      scopeId: groupId,
      scopeType: 'Group',
      roleDefinitionId: accessId,
      displayName: 'Group',
      description: 'Group',
      isOrganizationDefault: false,
      rules: defaultPolicyRules(),
      lastModifiedAt: null,
      lastModifiedBy: null,
      version: 1,
    };
    await tx.policies.insert(policy);
    policies.push(policy);
  }
  return policies;
}
