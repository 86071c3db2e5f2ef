/**
 * A role's 17 rules (Graph `unifiedRoleManagementPolicyRule`s) in the readable form of
 * `elevate.yaml`, and back: each readable field names the rule it lives in, so a changed field
 * becomes a PATCH of exactly that rule, merged over the live rule (fields the file does not model,
 * such as Elevate's `@elevate.*` extensions, are kept as they are).
 */

/** A Graph rule as read (`@odata.type`, `id`, `target` and the type's fields). */
export type GraphRule = Record<string, unknown> & { id: string; '@odata.type'?: string };

type Json = Record<string, unknown>;

interface Approver {
  user?: string;
  group?: string;
}

const SINGLE_USER = '#microsoft.graph.singleUser';
const GROUP_MEMBERS = '#microsoft.graph.groupMembers';

const enabled = (rule: GraphRule | undefined, name: string): boolean =>
  Array.isArray(rule?.enabledRules) &&
  (rule.enabledRules as string[]).some((r) => r.toLowerCase() === name.toLowerCase());

const approversOf = (subjects: unknown): Approver[] =>
  (Array.isArray(subjects) ? (subjects as Json[]) : []).map((s) =>
    String(s['@odata.type']).toLowerCase() === GROUP_MEMBERS.toLowerCase()
      ? { group: String(s.groupId) }
      : { user: String(s.userId) },
  );

const subjectsOf = (approvers: readonly Approver[]): Json[] =>
  approvers.map((a) =>
    a.group === undefined
      ? { '@odata.type': SINGLE_USER, userId: a.user }
      : { '@odata.type': GROUP_MEMBERS, groupId: a.group },
  );

const RECIPIENTS = { admin: 'Admin', requestor: 'Requestor', approver: 'Approver' } as const;
const NOTIFIED = {
  eligibility: 'Admin_Eligibility',
  assignment: 'Admin_Assignment',
  activation: 'EndUser_Assignment',
} as const;
const ADMIN_LEVELS = { eligibility: 'Eligibility', assignment: 'Assignment' } as const;

/** The readable settings of a role from its live rules (every field present). */
export function readableOf(rules: readonly GraphRule[]): Json {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const rule = (id: string) => byId.get(id);
  const approval = (rule('Approval_EndUser_Assignment')?.setting ?? {}) as Json;
  const context = rule('AuthenticationContext_EndUser_Assignment');
  const admin = (level: 'Eligibility' | 'Assignment') => {
    const expiration = rule(`Expiration_Admin_${level}`);
    const enablement = rule(`Enablement_Admin_${level}`);
    return {
      allowPermanent: expiration?.isExpirationRequired !== true,
      maximumDuration: expiration?.maximumDuration ?? null,
      requireMfa: enabled(enablement, 'MultiFactorAuthentication'),
      requireJustification: enabled(enablement, 'Justification'),
    };
  };
  const notifications: Json = {};
  for (const [key, suffix] of Object.entries(NOTIFIED)) {
    const group: Json = {};
    for (const [who, recipientType] of Object.entries(RECIPIENTS)) {
      const n = rule(`Notification_${recipientType}_${suffix}`);
      group[who] = {
        level: n?.notificationLevel ?? null,
        defaultRecipients: n?.isDefaultRecipientsEnabled ?? null,
        recipients: n?.notificationRecipients ?? [],
      };
    }
    notifications[key] = group;
  }
  return {
    activation: {
      maximumDuration: rule('Expiration_EndUser_Assignment')?.maximumDuration ?? null,
      requireMfa: enabled(rule('Enablement_EndUser_Assignment'), 'MultiFactorAuthentication'),
      requireJustification: enabled(rule('Enablement_EndUser_Assignment'), 'Justification'),
      requireTicket: enabled(rule('Enablement_EndUser_Assignment'), 'Ticketing'),
      authenticationContext: context?.isEnabled === true ? (context.claimValue ?? null) : null,
      approval: {
        required: approval.isApprovalRequired ?? false,
        requiredForExtension: approval.isApprovalRequiredForExtension ?? false,
        requireRequestorJustification: approval.isRequestorJustificationRequired ?? false,
        mode: approval.approvalMode ?? 'NoApproval',
        stages: (Array.isArray(approval.approvalStages) ? (approval.approvalStages as Json[]) : []).map(
          (s) => ({
            timeoutDays: s.approvalStageTimeOutInDays,
            requireApproverJustification: s.isApproverJustificationRequired,
            approvers: approversOf(s.primaryApprovers),
            escalationEnabled: s.isEscalationEnabled ?? false,
            escalationAfterMinutes: s.escalationTimeInMinutes ?? 0,
            escalationApprovers: approversOf(s.escalationApprovers),
          }),
        ),
      },
    },
    eligibility: admin(ADMIN_LEVELS.eligibility),
    assignment: admin(ADMIN_LEVELS.assignment),
    notifications,
  };
}

/** The rule a readable path (`activation.approval.stages`) lives in. */
export function ruleOfPath(path: readonly string[]): string {
  const [section, field, who] = path;
  if (section === 'activation') {
    if (field === 'maximumDuration') return 'Expiration_EndUser_Assignment';
    if (field === 'authenticationContext') return 'AuthenticationContext_EndUser_Assignment';
    if (field === 'approval') return 'Approval_EndUser_Assignment';
    return 'Enablement_EndUser_Assignment';
  }
  if (section === 'eligibility' || section === 'assignment') {
    const level = ADMIN_LEVELS[section];
    return field === 'allowPermanent' || field === 'maximumDuration'
      ? `Expiration_Admin_${level}`
      : `Enablement_Admin_${level}`;
  }
  const suffix = NOTIFIED[field as keyof typeof NOTIFIED];
  return `Notification_${RECIPIENTS[who as keyof typeof RECIPIENTS]}_${suffix}`;
}

const enablement = (flags: Record<string, unknown>, names: readonly [string, string][]): string[] =>
  names.filter(([key]) => flags[key] === true).map(([, name]) => name);

/**
 * The PATCH body of one rule for the readable settings `r` (live settings with the file's fields
 * laid over): the live rule with the fields this form models replaced, `target` left out.
 */
export function rulePatchOf(ruleId: string, live: GraphRule, r: Json): GraphRule {
  const { target: _target, ...rest } = live;
  const a = r.activation as Json;
  const body: GraphRule = { ...rest };
  const level = /_Admin_(Eligibility|Assignment)$/.exec(ruleId)?.[1];
  const admin =
    level === undefined ? undefined : (r[level === 'Eligibility' ? 'eligibility' : 'assignment'] as Json);
  if (ruleId === 'Expiration_EndUser_Assignment') {
    body.isExpirationRequired = true;
    body.maximumDuration = a.maximumDuration;
  } else if (ruleId === 'Enablement_EndUser_Assignment') {
    body.enabledRules = enablement(a, [
      ['requireMfa', 'MultiFactorAuthentication'],
      ['requireJustification', 'Justification'],
      ['requireTicket', 'Ticketing'],
    ]);
  } else if (ruleId === 'AuthenticationContext_EndUser_Assignment') {
    body.isEnabled = a.authenticationContext !== null;
    body.claimValue = a.authenticationContext ?? null;
  } else if (ruleId === 'Approval_EndUser_Assignment') {
    const p = a.approval as Json;
    const liveStages = ((live.setting as Json | undefined)?.approvalStages ?? []) as Json[];
    body.setting = {
      ...(live.setting as Json),
      isApprovalRequired: p.required,
      isApprovalRequiredForExtension: p.requiredForExtension,
      isRequestorJustificationRequired: p.requireRequestorJustification,
      approvalMode: p.mode,
      approvalStages: (p.stages as Json[]).map((s, i) => ({
        ...liveStages[i],
        approvalStageTimeOutInDays: s.timeoutDays,
        isApproverJustificationRequired: s.requireApproverJustification,
        escalationTimeInMinutes: s.escalationAfterMinutes,
        isEscalationEnabled: s.escalationEnabled,
        primaryApprovers: subjectsOf(s.approvers as Approver[]),
        escalationApprovers: subjectsOf(s.escalationApprovers as Approver[]),
      })),
    };
  } else if (ruleId.startsWith('Expiration_Admin_') && admin) {
    body.isExpirationRequired = admin.allowPermanent !== true;
    body.maximumDuration = admin.maximumDuration;
  } else if (ruleId.startsWith('Enablement_Admin_') && admin) {
    body.enabledRules = enablement(admin, [
      ['requireMfa', 'MultiFactorAuthentication'],
      ['requireJustification', 'Justification'],
    ]);
  } else if (ruleId.startsWith('Notification_')) {
    const [, who, suffix] = /^Notification_(Admin|Requestor|Approver)_(.+)$/.exec(ruleId) ?? [];
    const section = Object.entries(NOTIFIED).find(([, s]) => s === suffix)?.[0] ?? '';
    const n = ((r.notifications as Json)[section] as Json)[String(who).toLowerCase()] as Json;
    body.notificationLevel = n.level;
    body.isDefaultRecipientsEnabled = n.defaultRecipients;
    body.notificationRecipients = n.recipients;
  }
  return body;
}
