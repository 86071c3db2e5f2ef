// The documented live dump of Global Administrator's policy rules (reference §2.4, Graph's
// "List roleManagementPolicyAssignments" example 2), written out by hand so that the tests do not
// compare Elevate's defaults with themselves.

const target = (caller: string, level: string) => ({
  caller,
  operations: ['all'],
  level,
  inheritableSettings: [],
  enforcedSettings: [],
});

const notification = (id: string, recipientType: string, caller: string, level: string) => ({
  '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyNotificationRule',
  id,
  notificationType: 'Email',
  recipientType,
  notificationLevel: 'All',
  isDefaultRecipientsEnabled: true,
  notificationRecipients: [],
  target: target(caller, level),
});

export const DOCUMENTED_DEFAULT_RULES = [
  {
    '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule',
    id: 'Expiration_Admin_Eligibility',
    isExpirationRequired: false,
    maximumDuration: 'P365D',
    target: target('Admin', 'Eligibility'),
  },
  {
    '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule',
    id: 'Enablement_Admin_Eligibility',
    enabledRules: [],
    target: target('Admin', 'Eligibility'),
  },
  notification('Notification_Admin_Admin_Eligibility', 'Admin', 'Admin', 'Eligibility'),
  notification('Notification_Requestor_Admin_Eligibility', 'Requestor', 'Admin', 'Eligibility'),
  notification('Notification_Approver_Admin_Eligibility', 'Approver', 'Admin', 'Eligibility'),
  {
    '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule',
    id: 'Expiration_Admin_Assignment',
    isExpirationRequired: false,
    maximumDuration: 'P180D',
    target: target('Admin', 'Assignment'),
  },
  {
    '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule',
    id: 'Enablement_Admin_Assignment',
    enabledRules: ['Justification'],
    target: target('Admin', 'Assignment'),
  },
  notification('Notification_Admin_Admin_Assignment', 'Admin', 'Admin', 'Assignment'),
  notification('Notification_Requestor_Admin_Assignment', 'Requestor', 'Admin', 'Assignment'),
  notification('Notification_Approver_Admin_Assignment', 'Approver', 'Admin', 'Assignment'),
  {
    '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule',
    id: 'Expiration_EndUser_Assignment',
    isExpirationRequired: true,
    maximumDuration: 'PT8H',
    target: target('EndUser', 'Assignment'),
  },
  {
    '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule',
    id: 'Enablement_EndUser_Assignment',
    enabledRules: ['MultiFactorAuthentication', 'Justification'],
    target: target('EndUser', 'Assignment'),
  },
  {
    '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule',
    id: 'Approval_EndUser_Assignment',
    target: target('EndUser', 'Assignment'),
    setting: {
      isApprovalRequired: false,
      isApprovalRequiredForExtension: false,
      isRequestorJustificationRequired: true,
      approvalMode: 'SingleStage',
      approvalStages: [
        {
          approvalStageTimeOutInDays: 1,
          isApproverJustificationRequired: true,
          escalationTimeInMinutes: 0,
          isEscalationEnabled: false,
          primaryApprovers: [],
          escalationApprovers: [],
        },
      ],
    },
  },
  {
    '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule',
    id: 'AuthenticationContext_EndUser_Assignment',
    isEnabled: false,
    claimValue: null,
    target: target('EndUser', 'Assignment'),
  },
  notification('Notification_Admin_EndUser_Assignment', 'Admin', 'EndUser', 'Assignment'),
  notification('Notification_Requestor_EndUser_Assignment', 'Requestor', 'EndUser', 'Assignment'),
  notification('Notification_Approver_EndUser_Assignment', 'Approver', 'EndUser', 'Assignment'),
];

/** The documented update examples (Graph's how-to-pim-update-rules, examples 1–6). */
const docTarget = (caller: string, level: string) => ({
  '@odata.type': 'microsoft.graph.unifiedRoleManagementPolicyRuleTarget',
  caller,
  operations: ['All'],
  level,
  inheritableSettings: [],
  enforcedSettings: [],
});

export const DOCUMENTED_RULE_UPDATES = {
  Expiration_EndUser_Assignment: {
    '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule',
    id: 'Expiration_EndUser_Assignment',
    isExpirationRequired: true,
    maximumDuration: 'PT1H45M',
    target: docTarget('EndUser', 'Assignment'),
  },
  Enablement_EndUser_Assignment: {
    '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule',
    id: 'Enablement_EndUser_Assignment',
    enabledRules: ['Justification', 'MultiFactorAuthentication', 'Ticketing'],
    target: docTarget('EndUser', 'Assignment'),
  },
  Expiration_Admin_Eligibility: {
    '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule',
    id: 'Expiration_Admin_Eligibility',
    isExpirationRequired: true,
    maximumDuration: 'P90D',
    target: docTarget('Admin', 'Eligibility'),
  },
  Expiration_Admin_Assignment: {
    '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule',
    id: 'Expiration_Admin_Assignment',
    isExpirationRequired: true,
    maximumDuration: 'P90D',
    target: docTarget('Admin', 'Assignment'),
  },
  Enablement_Admin_Assignment: {
    '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule',
    id: 'Enablement_Admin_Assignment',
    enabledRules: ['Justification', 'MultiFactorAuthentication'],
    target: docTarget('Admin', 'Assignment'),
  },
} as const;

/** Graph's example 3 (require approval), with the approvers replaced by ones that exist. */
export function documentedApprovalUpdate(userId: string, groupId: string) {
  return {
    '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule',
    id: 'Approval_EndUser_Assignment',
    target: docTarget('EndUser', 'Assignment'),
    setting: {
      '@odata.type': 'microsoft.graph.approvalSettings',
      isApprovalRequired: true,
      isApprovalRequiredForExtension: false,
      isRequestorJustificationRequired: true,
      approvalMode: 'SingleStage',
      approvalStages: [
        {
          '@odata.type': 'microsoft.graph.unifiedApprovalStage',
          approvalStageTimeOutInDays: 1,
          isApproverJustificationRequired: true,
          escalationTimeInMinutes: 0,
          primaryApprovers: [
            { '@odata.type': '#microsoft.graph.singleUser', userId },
            { '@odata.type': '#microsoft.graph.groupMembers', groupId },
          ],
          isEscalationEnabled: false,
          escalationApprovers: [],
        },
      ],
    },
  };
}

/**
 * Elevate's one departure from the documented defaults: Global Administrator and Privileged Role
 * Administrator require active assignments to end, so nobody gets either permanently outside PIM.
 */
export const PROTECTED_ROLE_DEFAULT_RULES = DOCUMENTED_DEFAULT_RULES.map((rule) =>
  rule.id === 'Expiration_Admin_Assignment' ? { ...rule, isExpirationRequired: true } : rule,
);
