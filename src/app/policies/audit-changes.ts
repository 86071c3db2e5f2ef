import type { AuditActivity } from '../../domain/audit/activities.js';
import type { TargetResource } from '../../domain/audit/entry.js';
import { roleTarget, updatedProperties, type PropertyValue } from '../../domain/audit/targets.js';
import type { PolicyRule } from '../../domain/policy/types.js';
import type { RoleManagementPolicy } from '../ports.js';

/**
 * Entra's activity for a changed role setting (reference §7). Kept here until the audit catalogue
 * (`AUDIT_ACTIVITIES`) lists it; the code never changes once shipped.
 */
export const ROLE_SETTING_UPDATE = {
  code: 'roleSetting.update',
  activityDisplayName: 'Update role setting in PIM',
  category: 'RoleManagement',
  operationType: 'Update',
  loggedByService: 'Privileged Identity Management',
} as const satisfies AuditActivity;

/**
 * Each rule as an audited property, named by its id, valued by its settings only: `@odata.type`,
 * `id` and the fixed `target` never change, so they would only add noise.
 */
export function ruleProperties(rules: readonly PolicyRule[]): PropertyValue[] {
  return rules.map((rule) => {
    const { '@odata.type': _type, id, target: _target, ...settings } = rule;
    return [id, settings] as const;
  });
}

/**
 * The targets of a role-setting change: the policy, with the old and new value of each changed
 * rule (and Entra's `Included Updated Properties` summary), and the role it governs.
 */
export function roleSettingTargets(
  before: RoleManagementPolicy,
  after: RoleManagementPolicy,
  roleDisplayName: string | null,
): TargetResource[] {
  return [
    {
      id: after.id,
      displayName: after.displayName,
      type: 'Policy',
      userPrincipalName: null,
      modifiedProperties: updatedProperties(ruleProperties(before.rules), ruleProperties(after.rules)),
    },
    roleTarget({ id: after.roleDefinitionId, displayName: roleDisplayName }),
  ];
}
