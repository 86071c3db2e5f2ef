import { describe, expect, it } from 'vitest';
import { armRuleOf, graphRuleOf, isScopePath } from './resources.js';
import { readableOf } from './settings.js';

/** An approval rule as ARM's roleManagementPolicyAssignments return it (Azure's spelling). */
const armApproval = {
  id: 'Approval_EndUser_Assignment',
  ruleType: 'RoleManagementPolicyApprovalRule',
  setting: {
    isApprovalRequired: true,
    isApprovalRequiredForExtension: false,
    isRequestorJustificationRequired: true,
    approvalMode: 'SingleStage',
    approvalStages: [
      {
        approvalStageTimeOutInDays: 1,
        isApproverJustificationRequired: true,
        escalationTimeInMinutes: 0,
        primaryApprovers: [
          { id: 'u1', description: 'Ada', isBackup: false, userType: 'User' },
          { id: 'g1', description: null, isBackup: false, userType: 'Group' },
        ],
        isEscalationEnabled: false,
        escalationApprovers: null,
      },
    ],
  },
  target: { caller: 'EndUser', operations: ['All'], level: 'Assignment' },
};

describe("resource roles' rules in the readable form", () => {
  it("reads Azure's spelling as Graph's (approvers, rule type), so the readable form is the directory roles' own", () => {
    const rule = graphRuleOf(armApproval);
    expect(rule['@odata.type']).toBe('#microsoft.graph.unifiedRoleManagementPolicyApprovalRule');
    expect(readableOf([rule])).toMatchObject({
      activation: {
        approval: {
          required: true,
          mode: 'SingleStage',
          stages: [{ approvers: [{ user: 'u1' }, { group: 'g1' }], escalationApprovers: [] }],
        },
      },
    });
  });

  it("writes a Graph-spelled patch back in Azure's spelling, approvers as {id, userType}", () => {
    const back = armRuleOf(graphRuleOf(armApproval));
    expect(back).toMatchObject({
      id: 'Approval_EndUser_Assignment',
      ruleType: 'RoleManagementPolicyApprovalRule',
    });
    expect(back).not.toHaveProperty('@odata.type');
    expect(
      (back.setting as { approvalStages: { primaryApprovers: unknown[] }[] }).approvalStages[0],
    ).toMatchObject({
      primaryApprovers: [
        { id: 'u1', isBackup: false, userType: 'User' },
        { id: 'g1', isBackup: false, userType: 'Group' },
      ],
      escalationApprovers: [],
    });
  });

  it.each([
    ['/', true],
    ['/prod/db', true],
    ["/subscriptions/s1/resourceGroups/rg-1/providers/Contoso.Db/servers/o'brien(eu)", true],
    ['prod/db', false],
    ['/prod//db', false],
    ['/prod/', false],
    ['/prod/.hidden', false],
    ['/prod/db space', false],
  ])('scope path %s is %s', (path, valid) => {
    expect(isScopePath(path)).toBe(valid);
  });
});
