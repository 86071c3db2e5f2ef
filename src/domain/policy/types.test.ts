import { describe, expect, it } from 'vitest';
import { defaultPolicyRules } from './default-rules.js';
import { POLICY_RULE_ODATA_TYPES, findRule } from './types.js';
import type { ExpirationRule } from './types.js';

describe('POLICY_RULE_ODATA_TYPES', () => {
  it('spells the five derived types exactly as Graph does', () => {
    expect(Object.values(POLICY_RULE_ODATA_TYPES)).toEqual([
      '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule',
      '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule',
      '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule',
      '#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule',
      '#microsoft.graph.unifiedRoleManagementPolicyNotificationRule',
    ]);
  });
});

describe('findRule', () => {
  const rules = defaultPolicyRules();

  it('finds a rule by id, typed by its kind', () => {
    const rule: ExpirationRule | undefined = findRule(rules, 'Expiration_EndUser_Assignment');
    expect(rule?.maximumDuration).toBe('PT8H');
    expect(findRule(rules, 'Approval_EndUser_Assignment')?.setting.approvalMode).toBe('SingleStage');
    expect(findRule(rules, 'AuthenticationContext_EndUser_Assignment')?.isEnabled).toBe(false);
    expect(findRule(rules, 'Notification_Admin_Admin_Eligibility')?.recipientType).toBe('Admin');
  });

  it.each(['Expiration_EndUser_Eligibility', '', 'expiration_enduser_assignment'])(
    'returns undefined for the unknown id %j',
    (id) => {
      expect(findRule(rules, id)).toBeUndefined();
    },
  );

  it('treats a rule whose @odata.type contradicts its id as absent', () => {
    const forged = {
      ...rules.find((rule) => rule.id === 'Enablement_EndUser_Assignment')!,
      id: 'Expiration_EndUser_Assignment',
    };
    expect(findRule([forged], 'Expiration_EndUser_Assignment')).toBeUndefined();
  });

  it('returns any rule for an id of no known kind, untyped', () => {
    const odd = { ...rules[0]!, id: 'Custom_Rule' };
    expect(findRule([odd], 'Custom_Rule')).toBe(odd);
  });
});
