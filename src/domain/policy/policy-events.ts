import type { AuditActivity } from '../audit/activities.js';
import type { TargetResource } from '../audit/entry.js';
import { roleTarget, updatedProperties, type PropertyValue } from '../audit/targets.js';
import type { DomainEvent } from '../events/domain-event.js';
import type { PolicyRule } from './types.js';

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

/** A role management policy, as much of it as its events name. */
export interface PolicyState {
  id: string;
  displayName: string;
  roleDefinitionId: string;
  scopeId: string;
  scopeType: string;
  rules: readonly PolicyRule[];
}

/** The policy as a target, with the old and new value of each changed rule (and Entra's summary). */
const policyTarget = (before: PolicyState, after: PolicyState): TargetResource => ({
  id: after.id,
  displayName: after.displayName,
  type: 'Policy',
  userPrincipalName: null,
  modifiedProperties: updatedProperties(ruleProperties(before.rules), ruleProperties(after.rules)),
});

/** The ids of the rules whose settings differ. */
const changedRuleIds = (before: PolicyState, after: PolicyState): string[] => {
  const old = new Map(ruleProperties(before.rules).map(([id, v]) => [id, JSON.stringify(v)]));
  return ruleProperties(after.rules)
    .filter(([id, v]) => old.get(id) !== JSON.stringify(v))
    .map(([id]) => id);
};

/**
 * A role's settings were changed: the policy (with its changed rules) and the role it governs
 * (named as it is now) as targets. Consumers read the policy, its role and scope, and the rule ids.
 */
export const policyUpdated = (
  before: PolicyState,
  after: PolicyState,
  roleDisplayName: string | null,
): DomainEvent => ({
  type: 'policies.policyUpdated',
  audit: [
    {
      activity: ROLE_SETTING_UPDATE,
      targets: [
        policyTarget(before, after),
        roleTarget({ id: after.roleDefinitionId, displayName: roleDisplayName }),
      ],
    },
  ],
  payload: {
    policyId: after.id,
    roleDefinitionId: after.roleDefinitionId,
    scopeId: after.scopeId,
    scopeType: after.scopeType,
    changedRuleIds: changedRuleIds(before, after),
  },
});
