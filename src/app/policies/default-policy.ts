import { defaultPolicyRules } from '../../domain/policy/default-rules.js';
import type { RoleManagementPolicy, Stores } from '../ports.js';

/**
 * Gives a role its role settings: Entra's defaults (reference §2.4) at the tenant scope, with an
 * id shaped like Entra's (`DirectoryRole_{tenantId}_{guid}`). Every role has exactly one such
 * policy, so PIM can always evaluate a request against it.
 */
export async function insertDefaultPolicy(
  tx: Stores,
  p: { tenantId: string; roleDefinitionId: string; newId: () => string },
): Promise<RoleManagementPolicy> {
  const policy: RoleManagementPolicy = {
    id: `DirectoryRole_${p.tenantId}_${p.newId()}`,
    tenantId: p.tenantId,
    scopeId: '/',
    scopeType: 'DirectoryRole',
    roleDefinitionId: p.roleDefinitionId,
    displayName: 'DirectoryRole',
    description: 'DirectoryRole',
    isOrganizationDefault: false,
    rules: defaultPolicyRules(p.roleDefinitionId),
    lastModifiedAt: null,
    lastModifiedBy: null,
    version: 1,
  };
  await tx.policies.insert(policy);
  return policy;
}
