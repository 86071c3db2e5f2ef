// The rules of a `unifiedRoleManagementPolicy` (reference §2.2), in Graph's JSON shape: camelCase
// keys and an `@odata.type` on every rule, so the HTTP layer returns them as they are and a rule
// PATCHed by a Graph client is stored as it was sent.

/** Who the rule governs: an administrator assigning, or the end user activating. */
export type RuleCaller = 'None' | 'Admin' | 'EndUser';

/** Which kind of schedule the rule governs. */
export type RuleLevel = 'Eligibility' | 'Assignment';

/** Graph documents these in PascalCase but answers in lower case (`"all"`); we store lower case. */
export type RuleOperation =
  'all' | 'activate' | 'deactivate' | 'assign' | 'update' | 'remove' | 'extend' | 'renew';

/** A directory object a rule is limited to. Graph has not implemented this; Elevate keeps `null`. */
export interface RuleTargetObject {
  '@odata.type': string;
  id: string;
}

/** `unifiedRoleManagementPolicyRuleTarget`: what a rule applies to. */
export interface RuleTarget {
  caller: RuleCaller;
  operations: RuleOperation[];
  level: RuleLevel;
  inheritableSettings: string[];
  enforcedSettings: string[];
  /** `null` = every object in scope, which is the only behaviour Graph implements. */
  targetObjects: RuleTargetObject[] | null;
}

/** The `@odata.type` of each rule kind; Graph requires it in PATCH bodies and returns it on reads. */
export const POLICY_RULE_ODATA_TYPES = {
  expiration: '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule',
  enablement: '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule',
  approval: '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule',
  authenticationContext: '#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule',
  notification: '#microsoft.graph.unifiedRoleManagementPolicyNotificationRule',
} as const;

/** How long a schedule may last, and whether it may last forever. */
export interface ExpirationRule {
  '@odata.type': typeof POLICY_RULE_ODATA_TYPES.expiration;
  id: string;
  isExpirationRequired: boolean;
  /** ISO-8601 duration such as `PT8H`; parse it with `parseDuration`. */
  maximumDuration: string;
  target: RuleTarget;
}

/** What the caller must bring: MFA, a justification, a ticket. */
export type EnabledRule = 'MultiFactorAuthentication' | 'Justification' | 'Ticketing';

export interface EnablementRule {
  '@odata.type': typeof POLICY_RULE_ODATA_TYPES.enablement;
  id: string;
  enabledRules: EnabledRule[];
  /**
   * Elevate's extension on `Enablement_EndUser_Assignment`: how recent (minutes) the MFA that
   * satisfies `MfaRule` must be for this role; absent, the server-wide 15 minutes (ADR 0021).
   */
  elevateMfaMaxAgeMinutes?: number;
  /**
   * Elevate's extension on `Enablement_EndUser_Assignment` (`@elevate.ticketValidationHookId`): a
   * decision hook that must confirm the ticket of every activation while Ticketing is required
   * (ADR 0025). Fails closed: no valid answer, no activation.
   */
  ticketValidationHookId?: string;
  target: RuleTarget;
}

/** `subjectSet`: one approver, or the members of a group. */
export type ApproverSubject =
  | {
      '@odata.type': '#microsoft.graph.singleUser';
      userId: string;
      description?: string;
    }
  | {
      '@odata.type': '#microsoft.graph.groupMembers';
      groupId: string;
      description?: string;
    };

/** `unifiedApprovalStage`. With no primary approvers, Privileged Role and Global Administrators approve. */
export interface ApprovalStage {
  approvalStageTimeOutInDays: number;
  isApproverJustificationRequired: boolean;
  escalationTimeInMinutes: number;
  isEscalationEnabled: boolean;
  primaryApprovers: ApproverSubject[];
  escalationApprovers: ApproverSubject[];
  /**
   * Elevate extension (`@elevate.approvalsRequired`): how many approvers must approve before the
   * stage is approved (N of M); absent = 1, Graph's first-approver-wins. One deny ends the stage.
   */
  approvalsRequired?: number;
  /**
   * Elevate extension (`@elevate.approvalStageTimeOutInHours`): the stage's timeout in hours; when
   * set it replaces `approvalStageTimeOutInDays` (which Graph requires and still validates).
   */
  approvalStageTimeOutInHours?: number;
  /**
   * Elevate extension (`@elevate.reminderBeforeTimeOutInMinutes`): when the pending approvers are
   * reminded, before the stage times out; 0 = never; absent = {@link DEFAULT_REMINDER_MINUTES}.
   */
  reminderBeforeTimeOutInMinutes?: number;
  /**
   * Elevate extension (`@elevate.decisionHookId`): a decision hook (`/elevate/decisionHooks`) asked
   * when the stage starts; its approve or deny counts as one decision, anything else leaves the
   * stage to its human approvers (ADR 0025).
   */
  decisionHookId?: string;
}

/** The reminder lead time of a stage that does not set one (capped at half the stage's timeout). */
export const DEFAULT_REMINDER_MINUTES = 60;

export type ApprovalMode = 'SingleStage' | 'Serial' | 'Parallel' | 'NoApproval';

/** `approvalSettings`. */
export interface ApprovalSettings {
  isApprovalRequired: boolean;
  isApprovalRequiredForExtension: boolean;
  isRequestorJustificationRequired: boolean;
  approvalMode: ApprovalMode;
  approvalStages: ApprovalStage[];
  /**
   * Elevate extension (`@elevate.activationStartsAtApproval`): the activation's duration counts
   * from the final approval (true, the default when absent) or from the requested start (false).
   */
  activationStartsAtApproval?: boolean;
}

export interface ApprovalRule {
  '@odata.type': typeof POLICY_RULE_ODATA_TYPES.approval;
  id: string;
  setting: ApprovalSettings;
  target: RuleTarget;
}

/** Requires a Conditional Access authentication context (`acrs` claim, e.g. `c1`) to activate. */
export interface AuthenticationContextRule {
  '@odata.type': typeof POLICY_RULE_ODATA_TYPES.authenticationContext;
  id: string;
  isEnabled: boolean;
  claimValue: string | null;
  target: RuleTarget;
}

export type NotificationRecipientType = 'Requestor' | 'Approver' | 'Admin';
export type NotificationLevel = 'None' | 'Critical' | 'All';

/** Who is emailed about what. `notificationRecipients` are extra email addresses. */
export interface NotificationRule {
  '@odata.type': typeof POLICY_RULE_ODATA_TYPES.notification;
  id: string;
  notificationType: 'Email';
  recipientType: NotificationRecipientType;
  notificationLevel: NotificationLevel;
  isDefaultRecipientsEnabled: boolean;
  notificationRecipients: string[];
  target: RuleTarget;
}

/** Any rule; switch on `@odata.type` to narrow. */
export type PolicyRule =
  ExpirationRule | EnablementRule | ApprovalRule | AuthenticationContextRule | NotificationRule;

/** The rule type a rule id names: Graph ids start with the kind (`Expiration_EndUser_Assignment`). */
export type RuleOfId<Id extends string> = Id extends `Expiration_${string}`
  ? ExpirationRule
  : Id extends `Enablement_${string}`
    ? EnablementRule
    : Id extends `Approval_${string}`
      ? ApprovalRule
      : Id extends `AuthenticationContext_${string}`
        ? AuthenticationContextRule
        : Id extends `Notification_${string}`
          ? NotificationRule
          : PolicyRule;

const KIND_BY_PREFIX: ReadonlyArray<readonly [string, PolicyRule['@odata.type']]> = [
  ['Expiration_', POLICY_RULE_ODATA_TYPES.expiration],
  ['Enablement_', POLICY_RULE_ODATA_TYPES.enablement],
  ['Approval_', POLICY_RULE_ODATA_TYPES.approval],
  ['AuthenticationContext_', POLICY_RULE_ODATA_TYPES.authenticationContext],
  ['Notification_', POLICY_RULE_ODATA_TYPES.notification],
];

/**
 * The rule with this id, typed by its id (`findRule(rules, 'Expiration_EndUser_Assignment')` is an
 * `ExpirationRule`), so policy evaluation needs no casts. A rule whose `@odata.type` does not match
 * its id's kind is treated as absent rather than trusted under the wrong type.
 */
export function findRule<Id extends string>(rules: readonly PolicyRule[], id: Id): RuleOfId<Id> | undefined {
  const rule = rules.find((candidate) => candidate.id === id);
  if (rule === undefined) return undefined;
  const expected = KIND_BY_PREFIX.find(([prefix]) => id.startsWith(prefix))?.[1];
  if (expected !== undefined && rule['@odata.type'] !== expected) return undefined;
  return rule as RuleOfId<Id>;
}
