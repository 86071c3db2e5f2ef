import { GLOBAL_ADMINISTRATOR, PRIVILEGED_ROLE_ADMINISTRATOR } from '../roles/built-in-role-ids.js';
import { POLICY_RULE_ODATA_TYPES } from './types.js';
import type {
  ApprovalRule,
  AuthenticationContextRule,
  EnabledRule,
  EnablementRule,
  ExpirationRule,
  NotificationRecipientType,
  NotificationRule,
  PolicyRule,
  RuleCaller,
  RuleLevel,
  RuleTarget,
} from './types.js';

/**
 * The 17 rule ids every role management policy has, in the order Entra lists them (reference §2.4).
 * Graph clients address rules by these ids (`PATCH …/rules/Expiration_EndUser_Assignment`), so a
 * policy never gains or loses one: settings change, the set does not.
 */
export const RULE_IDS = [
  'Expiration_Admin_Eligibility',
  'Enablement_Admin_Eligibility',
  'Notification_Admin_Admin_Eligibility',
  'Notification_Requestor_Admin_Eligibility',
  'Notification_Approver_Admin_Eligibility',
  'Expiration_Admin_Assignment',
  'Enablement_Admin_Assignment',
  'Notification_Admin_Admin_Assignment',
  'Notification_Requestor_Admin_Assignment',
  'Notification_Approver_Admin_Assignment',
  'Expiration_EndUser_Assignment',
  'Enablement_EndUser_Assignment',
  'Approval_EndUser_Assignment',
  'AuthenticationContext_EndUser_Assignment',
  'Notification_Admin_EndUser_Assignment',
  'Notification_Requestor_EndUser_Assignment',
  'Notification_Approver_EndUser_Assignment',
] as const;

/** One of the 17 rule ids. */
export type RuleId = (typeof RULE_IDS)[number];

const RULE_ID_SET: ReadonlySet<string> = new Set(RULE_IDS);

/** Whether `id` names one of the 17 rules; anything else in a rule URL is a 404. */
export function isRuleId(id: string): id is RuleId {
  return RULE_ID_SET.has(id);
}

/**
 * The roles whose default settings forbid a permanent active assignment: whoever holds one can
 * grant every other role, so standing access to them is what an attacker wants most.
 */
export const PERMANENT_ACTIVE_FORBIDDEN_BY_DEFAULT: readonly string[] = [
  GLOBAL_ADMINISTRATOR,
  PRIVILEGED_ROLE_ADMINISTRATOR,
];

/**
 * A fresh copy of Entra's default rules (reference §2.4, the documented live dump for Global
 * Administrator), in {@link RULE_IDS} order. Every new policy starts from these, so a role behaves
 * as it would in a new Entra tenant until an administrator changes it:
 * - activation at most `PT8H`, with MFA and a justification, no approval;
 * - eligible assignments may be permanent (else at most `P365D`); active assignments may be
 *   permanent (else at most `P180D`) and need a justification;
 * - every notification on, by email, to the default recipients.
 *
 * One departure from Entra, for the roles in {@link PERMANENT_ACTIVE_FORBIDDEN_BY_DEFAULT}: their
 * active assignments must end (`Expiration_Admin_Assignment.isExpirationRequired: true`), so
 * nobody is given standing Global Administrator or Privileged Role Administrator outside PIM — a
 * direct `roleAssignments` POST for them is refused until an administrator turns the switch off.
 *
 * Returns new objects on each call, so callers may build on them without sharing state.
 */
export function defaultPolicyRules(roleDefinitionId?: string): PolicyRule[] {
  const activeMustEnd =
    roleDefinitionId !== undefined && PERMANENT_ACTIVE_FORBIDDEN_BY_DEFAULT.includes(roleDefinitionId);
  return [
    expiration('Expiration_Admin_Eligibility', 'Admin', 'Eligibility', false, 'P365D'),
    enablement('Enablement_Admin_Eligibility', 'Admin', 'Eligibility', []),
    notification('Notification_Admin_Admin_Eligibility', 'Admin', 'Eligibility', 'Admin'),
    notification('Notification_Requestor_Admin_Eligibility', 'Admin', 'Eligibility', 'Requestor'),
    notification('Notification_Approver_Admin_Eligibility', 'Admin', 'Eligibility', 'Approver'),
    expiration('Expiration_Admin_Assignment', 'Admin', 'Assignment', activeMustEnd, 'P180D'),
    enablement('Enablement_Admin_Assignment', 'Admin', 'Assignment', ['Justification']),
    notification('Notification_Admin_Admin_Assignment', 'Admin', 'Assignment', 'Admin'),
    notification('Notification_Requestor_Admin_Assignment', 'Admin', 'Assignment', 'Requestor'),
    notification('Notification_Approver_Admin_Assignment', 'Admin', 'Assignment', 'Approver'),
    expiration('Expiration_EndUser_Assignment', 'EndUser', 'Assignment', true, 'PT8H'),
    enablement('Enablement_EndUser_Assignment', 'EndUser', 'Assignment', [
      'MultiFactorAuthentication',
      'Justification',
    ]),
    approval(),
    authenticationContext(),
    notification('Notification_Admin_EndUser_Assignment', 'EndUser', 'Assignment', 'Admin'),
    notification('Notification_Requestor_EndUser_Assignment', 'EndUser', 'Assignment', 'Requestor'),
    notification('Notification_Approver_EndUser_Assignment', 'EndUser', 'Assignment', 'Approver'),
  ];
}

function target(caller: RuleCaller, level: RuleLevel): RuleTarget {
  return {
    caller,
    operations: ['all'],
    level,
    inheritableSettings: [],
    enforcedSettings: [],
    targetObjects: null,
  };
}

function expiration(
  id: RuleId,
  caller: RuleCaller,
  level: RuleLevel,
  isExpirationRequired: boolean,
  maximumDuration: string,
): ExpirationRule {
  return {
    '@odata.type': POLICY_RULE_ODATA_TYPES.expiration,
    id,
    isExpirationRequired,
    maximumDuration,
    target: target(caller, level),
  };
}

function enablement(
  id: RuleId,
  caller: RuleCaller,
  level: RuleLevel,
  enabledRules: EnabledRule[],
): EnablementRule {
  return {
    '@odata.type': POLICY_RULE_ODATA_TYPES.enablement,
    id,
    enabledRules,
    target: target(caller, level),
  };
}

function approval(): ApprovalRule {
  return {
    '@odata.type': POLICY_RULE_ODATA_TYPES.approval,
    id: 'Approval_EndUser_Assignment',
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
    target: target('EndUser', 'Assignment'),
  };
}

function authenticationContext(): AuthenticationContextRule {
  return {
    '@odata.type': POLICY_RULE_ODATA_TYPES.authenticationContext,
    id: 'AuthenticationContext_EndUser_Assignment',
    isEnabled: false,
    claimValue: null,
    target: target('EndUser', 'Assignment'),
  };
}

function notification(
  id: RuleId,
  caller: RuleCaller,
  level: RuleLevel,
  recipientType: NotificationRecipientType,
): NotificationRule {
  return {
    '@odata.type': POLICY_RULE_ODATA_TYPES.notification,
    id,
    notificationType: 'Email',
    recipientType,
    notificationLevel: 'All',
    isDefaultRecipientsEnabled: true,
    notificationRecipients: [],
    target: target(caller, level),
  };
}
