import type { AuthenticationContext } from '../authn/authentication-context.js';
import { findRule, type PolicyRule } from '../policy/types.js';
import {
  GLOBAL_ADMINISTRATOR,
  PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
  PRIVILEGED_ROLE_ADMINISTRATOR,
  SECURITY_ADMINISTRATOR,
} from '../roles/built-in-role-ids.js';
import { parseDuration } from '../time/duration.js';

/** Roles whose holders can take over the tenant: the shortest activations, and approval. */
export const CRITICAL_ROLE_IDS: readonly string[] = [
  GLOBAL_ADMINISTRATOR,
  PRIVILEGED_ROLE_ADMINISTRATOR,
  SECURITY_ADMINISTRATOR,
  PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
];
/** Roles whose activation the checklist says must take phishing-resistant MFA (a passkey). */
export const PHISHING_RESISTANT_ROLE_IDS: readonly string[] = [
  GLOBAL_ADMINISTRATOR,
  PRIVILEGED_ROLE_ADMINISTRATOR,
];
/** Roles whose activation the checklist says must be approved. */
export const APPROVAL_ROLE_IDS: readonly string[] = [GLOBAL_ADMINISTRATOR, SECURITY_ADMINISTRATOR];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
export const MAX_CRITICAL_ACTIVATION_MS = 8 * HOUR_MS;
/** "Six months": 180 days, Entra's default for active assignments and the checklist's bound. */
export const MAX_ELIGIBILITY_MS = 180 * DAY_MS;

export interface RoleFact {
  id: string;
  displayName: string;
}

export interface ScheduleFact {
  id: string;
  principalId: string;
  principalType: string;
  roleDefinitionId: string;
  directoryScopeId: string;
  /** `direct` for a foundation role assignment, `pim` otherwise. */
  origin: string;
  assignmentType: string | null;
  start: number;
  end: number | null;
}

/** Everything the checklist looks at, gathered at one instant. */
export interface ComplianceSnapshot {
  tenantId: string;
  generatedAt: number;
  /** Privileged roles only. */
  privilegedRoles: RoleFact[];
  /** Tenant-scope (`/`) policy rules by role id. */
  policies: ReadonlyMap<string, readonly PolicyRule[]>;
  /** The tenant's authentication contexts (what a role's context rule names). */
  authenticationContexts: readonly AuthenticationContext[];
  /** Current and future assignment schedules of privileged roles (PIM and direct). */
  assignments: ScheduleFact[];
  /** Current and future eligibility schedules of privileged roles. */
  eligibilities: ScheduleFact[];
  breakGlass: {
    /** Deprecated `ELEVATE_BREAK_GLASS_GROUP_ID`: its members are exempt, but not monitored for use. */
    groupId: string | null;
    groupExists: boolean;
    /** Direct user members of the group, with whether their account is enabled. */
    members: { id: string; userPrincipalName: string; accountEnabled: boolean }[];
    /** Accounts marked through `/v1.0/elevate/breakGlassAccounts` (ADR 0033), with their uses. */
    accounts: BreakGlassAccountFact[];
  };
  forwarding: {
    destinations: { id: string; type: string }[];
    /** Per destination, the last seq it accepted of this tenant's chain. */
    cursors: { destinationId: string; seq: number }[];
    headSeq: number;
  };
  /** What could carry a notification to administrators now, and what the last week delivered. */
  notifications: {
    emailEnabled: boolean;
    /** Holders of Privileged Role Administrator / Global Administrator email reaches (enabled, with an address). */
    adminMailboxes: number;
    /** Enabled webhook endpoints that receive activations and assignments (no filter, or those types). */
    adminWebhooks: number;
    /** Deliveries of the last 7 days that were sent, and that ended dead. */
    recent: { sent: number; dead: number };
  };
  /** Access review definitions, with their instances that started in the last quarter. */
  accessReviews: ReviewFact[];
  /** The tenant's PIM security alerts: configuration, last scan, and open incidents. */
  alerts: AlertFact[];
}

/** One PIM security alert as the checklist looks at it. */
export interface AlertFact {
  id: string;
  isEnabled: boolean;
  isActive: boolean;
  severityLevel: string;
  lastScannedAt: number | null;
  incidentIds: string[];
}

/** One access review definition as the checklist looks at it. */
export interface ReviewFact {
  id: string;
  displayName: string;
  /** The roles its scope covers (eligible, active or both). */
  roleIds: string[];
  /** The shortest time between two of its instances in days; null for a one-time review. */
  periodDays: number | null;
  /** True when no instance of it starts after the snapshot (end date or occurrences reached). */
  ended: boolean;
  autoApplyDecisionsEnabled: boolean;
  /** Its instances that started in the last {@link REVIEW_QUARTER_MS}, at or before the snapshot. */
  recentInstances: { id: string; startAt: number }[];
}

/** A quarter, as the review checks count it: 92 days (the longest three calendar months). */
export const REVIEW_QUARTER_MS = 92 * DAY_MS;

/** Alerts count as watched when every one was scanned within this long (a day). */
export const ALERT_SCAN_MAX_AGE_MS = DAY_MS;

/** The event types a webhook must receive to notify administrators of privileged access. */
export const ADMIN_WEBHOOK_EVENT_TYPES = [
  'activation.activated',
  'assignment.granted',
  'eligibility.granted',
] as const;

export interface ControlRefs {
  soc2: string[];
  iso27001: string[];
  nist80053: string[];
  nistCsf: string[];
}

export interface ChecklistItem {
  id: string;
  title: string;
  status: 'pass' | 'fail';
  /** One sentence for people. */
  summary: string;
  /** Ids, counts and settings the verdict rests on. */
  evidence: Record<string, unknown>;
  controls: ControlRefs;
}

const refs = (soc2: string[], iso27001: string[], nist80053: string[]): ControlRefs => ({
  soc2,
  iso27001,
  nist80053,
  nistCsf: ['PR.AC-1', 'PR.AC-4'],
});

const item = (
  id: string,
  title: string,
  pass: boolean,
  summary: string,
  evidence: Record<string, unknown>,
  controls: ControlRefs,
): ChecklistItem => ({ id, title, status: pass ? 'pass' : 'fail', summary, evidence, controls });

/** Duration text → ms, or undefined when it cannot be read (treated as failing, never as passing). */
function durationMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
}

/** A marked break-glass account as the report shows it: its last use, test, and each use. */
export interface BreakGlassAccountFact {
  id: string;
  userPrincipalName: string | null;
  accountEnabled: boolean;
  lastUsedDateTime: string | null;
  lastTestedDateTime: string | null;
  /** The latest uses (newest first), each with whether the account justified it. */
  uses: { id: string; usedDateTime: string; method: string; justified: boolean; isTest: boolean }[];
  /** Every use not justified yet (ids), however old. */
  unjustifiedUseIds: string[];
}

/**
 * Evaluates the PIM deployment validation checklist over a snapshot, item by item. Pure: the same
 * snapshot always gives the same verdicts, and every verdict carries the evidence it rests on.
 */
export function evaluateChecklist(s: ComplianceSnapshot): ChecklistItem[] {
  const roleName = new Map(s.privilegedRoles.map((r) => [r.id, r.displayName]));
  const rules = (roleId: string) => s.policies.get(roleId) ?? [];
  const breakGlassIds = new Set([
    ...(s.breakGlass.groupExists && s.breakGlass.groupId ? [s.breakGlass.groupId] : []),
    ...s.breakGlass.members.map((m) => m.id),
    ...s.breakGlass.accounts.map((a) => a.id),
  ]);
  const describe = (a: ScheduleFact) => ({
    scheduleId: a.id,
    principalId: a.principalId,
    principalType: a.principalType,
    roleDefinitionId: a.roleDefinitionId,
    roleDisplayName: roleName.get(a.roleDefinitionId) ?? null,
    directoryScopeId: a.directoryScopeId,
    origin: a.origin,
    endDateTime: a.end === null ? null : new Date(a.end).toISOString(),
  });
  const out: ChecklistItem[] = [];

  // 1. Permanent active privileged assignments, other than break-glass.
  const permanent = s.assignments.filter((a) => a.end === null && a.assignmentType !== 'Activated');
  const offending = permanent.filter((a) => !breakGlassIds.has(a.principalId));
  out.push(
    item(
      'noPermanentPrivilegedAssignments',
      'All permanent privileged assignments converted to eligible, except break-glass accounts',
      offending.length === 0,
      offending.length === 0
        ? 'No permanent active privileged assignment outside break-glass.'
        : `${offending.length} permanent active privileged assignment(s) outside break-glass.`,
      {
        offending: offending.map(describe),
        breakGlassExempt: permanent.filter((a) => breakGlassIds.has(a.principalId)).map(describe),
      },
      refs(['CC6.1', 'CC6.3'], ['A.9.2.3'], ['AC-2', 'AC-6']),
    ),
  );

  // 2. Break-glass accounts exist, are enabled, are monitored (the audit log leaves Elevate, and
  // every use raises an incident), and every use was justified (ADR 0033).
  const enabled = s.breakGlass.accounts.filter((a) => a.accountEnabled);
  const monitored = s.forwarding.destinations.length > 0;
  const unjustified = s.breakGlass.accounts.flatMap((a) =>
    a.unjustifiedUseIds.map((useId) => ({ accountId: a.id, useId })),
  );
  const marked = new Set(s.breakGlass.accounts.map((a) => a.id));
  const unmarkedGroupMembers = s.breakGlass.members.filter((m) => !marked.has(m.id));
  out.push(
    item(
      'breakGlassAccountsMonitored',
      'Break-glass accounts exist, are active and are monitored, and every use is justified',
      enabled.length > 0 && monitored && unjustified.length === 0,
      [
        s.breakGlass.accounts.length === 0
          ? 'No break-glass account is marked (POST /v1.0/elevate/breakGlassAccounts).'
          : enabled.length === 0
            ? 'No marked break-glass account is enabled.'
            : `${enabled.length} enabled break-glass account(s).`,
        monitored ? 'The audit log is forwarded.' : 'The audit log is not forwarded anywhere.',
        unjustified.length > 0 ? `${unjustified.length} use(s) not justified yet.` : '',
        unmarkedGroupMembers.length > 0
          ? `${unmarkedGroupMembers.length} member(s) of the deprecated ELEVATE_BREAK_GLASS_GROUP_ID group are not marked: their use is not monitored.`
          : '',
      ]
        .filter((x) => x !== '')
        .join(' '),
      {
        accountCount: s.breakGlass.accounts.length,
        accounts: s.breakGlass.accounts,
        unjustifiedUses: unjustified,
        groupId: s.breakGlass.groupId,
        groupExists: s.breakGlass.groupExists,
        members: s.breakGlass.members,
        auditForwardingDestinations: s.forwarding.destinations.map((d) => d.id),
      },
      refs(['CC6.1', 'CC6.2'], ['A.9.2.1', 'A.9.2.3'], ['AC-2']),
    ),
  );

  // 3. MFA (or an authentication context, every strength of which is multi-factor) on every
  // privileged activation. A context counts only if it exists and is available: else the rule
  // refuses every activation, which is not MFA either.
  const contextOf = (roleId: string) => {
    const rule = findRule(rules(roleId), 'AuthenticationContext_EndUser_Assignment');
    if (rule?.isEnabled !== true || rule.claimValue === null) return undefined;
    return s.authenticationContexts.find((c) => c.id === rule.claimValue && c.isAvailable);
  };
  const noMfa = s.privilegedRoles.filter((r) => {
    const enablement = findRule(rules(r.id), 'Enablement_EndUser_Assignment');
    return !(enablement?.enabledRules.includes('MultiFactorAuthentication') || contextOf(r.id) !== undefined);
  });
  out.push(
    item(
      'mfaOnActivation',
      'MFA required to activate every privileged role',
      noMfa.length === 0,
      noMfa.length === 0
        ? `All ${s.privilegedRoles.length} privileged roles require MFA on activation.`
        : `${noMfa.length} privileged role(s) can be activated without MFA.`,
      { privilegedRoles: s.privilegedRoles.length, rolesWithoutMfa: noMfa },
      refs(['CC6.1'], ['A.9.4.2'], ['IA-2', 'IA-2(1)']),
    ),
  );

  // 3b. Phishing-resistant MFA (a passkey) to activate Global Administrator and Privileged Role
  // Administrator, computed from each privileged role's context rule and the context it names.
  const phishingResistant = s.privilegedRoles.map((r) => {
    const context = contextOf(r.id);
    const required = context?.requirement.authenticationStrength === 'phishingResistant';
    return {
      roleDefinitionId: r.id,
      roleDisplayName: r.displayName,
      claimValue: context?.id ?? null,
      requiresPhishingResistantMfa: required,
      maxAgeMinutes: required ? context.requirement.maxAgeMinutes : null,
    };
  });
  const lacking = PHISHING_RESISTANT_ROLE_IDS.filter(
    (id) => !phishingResistant.some((p) => p.roleDefinitionId === id && p.requiresPhishingResistantMfa),
  );
  out.push(
    item(
      'phishingResistantMfaForCriticalRoles',
      'Phishing-resistant MFA (passkey) required to activate Global Administrator and Privileged Role Administrator',
      lacking.length === 0,
      lacking.length === 0
        ? `Both roles require a passkey to activate; ${phishingResistant.filter((p) => p.requiresPhishingResistantMfa).length} privileged role(s) do in all.`
        : `No phishing-resistant MFA required for: ${lacking.map((id) => roleName.get(id) ?? id).join(', ')}.`,
      {
        rolesRequiringPhishingResistantMfa: phishingResistant.filter((p) => p.requiresPhishingResistantMfa),
        criticalRolesLacking: lacking.map((id) => ({
          roleDefinitionId: id,
          roleDisplayName: roleName.get(id) ?? null,
        })),
      },
      refs(['CC6.1'], ['A.9.4.2'], ['IA-2(1)', 'IA-2(6)', 'IA-2(8)']),
    ),
  );

  // 4. Approval for Global Administrator and Security Administrator.
  const approval = APPROVAL_ROLE_IDS.map((id) => {
    const rule = findRule(rules(id), 'Approval_EndUser_Assignment');
    const approvalRequired = rule?.setting.isApprovalRequired === true;
    return { roleDefinitionId: id, roleDisplayName: roleName.get(id) ?? null, approvalRequired };
  });
  out.push(
    item(
      'approvalForCriticalRoles',
      'Approval required to activate Global Administrator and Security Administrator',
      approval.every((a) => a.approvalRequired),
      approval.every((a) => a.approvalRequired)
        ? 'Both roles require approval to activate.'
        : `No approval required for: ${approval
            .filter((a) => !a.approvalRequired)
            .map((a) => a.roleDisplayName ?? a.roleDefinitionId)
            .join(', ')}.`,
      { roles: approval },
      refs(['CC6.1', 'CC6.3'], ['A.9.2.3'], ['AC-6', 'AC-6(5)']),
    ),
  );

  // 5. Activation of critical roles lasts at most 8 hours.
  const activation = CRITICAL_ROLE_IDS.map((id) => {
    const rule = findRule(rules(id), 'Expiration_EndUser_Assignment');
    const ms = durationMs(rule?.maximumDuration);
    return {
      roleDefinitionId: id,
      roleDisplayName: roleName.get(id) ?? null,
      maximumDuration: rule?.maximumDuration ?? null,
      ok: ms !== undefined && ms <= MAX_CRITICAL_ACTIVATION_MS,
    };
  });
  out.push(
    item(
      'maxActivationEightHours',
      'Maximum activation of critical roles is 8 hours or less',
      activation.every((a) => a.ok),
      activation.every((a) => a.ok)
        ? 'Every critical role activates for 8 hours at most.'
        : `${activation.filter((a) => !a.ok).length} critical role(s) activate for longer than 8 hours.`,
      { limit: 'PT8H', roles: activation },
      refs(['CC6.1', 'CC6.3'], ['A.9.2.3'], ['AC-2(5)', 'AC-6']),
    ),
  );

  // 6. Eligible assignments expire within 6 months (policy and the schedules that exist).
  const policyAllowsLong = s.privilegedRoles.filter((r) => {
    const rule = findRule(rules(r.id), 'Expiration_Admin_Eligibility');
    const ms = durationMs(rule?.maximumDuration);
    return !(rule?.isExpirationRequired === true && ms !== undefined && ms <= MAX_ELIGIBILITY_MS);
  });
  const longEligibilities = s.eligibilities.filter(
    (e) => e.end === null || e.end - Math.max(e.start, s.generatedAt) > MAX_ELIGIBILITY_MS,
  );
  out.push(
    item(
      'eligibilityExpiresWithinSixMonths',
      'Eligible assignments expire within 6 months',
      policyAllowsLong.length === 0 && longEligibilities.length === 0,
      policyAllowsLong.length === 0 && longEligibilities.length === 0
        ? 'Every privileged role requires eligibility to expire within 180 days, and all do.'
        : `${policyAllowsLong.length} role polic(ies) allow longer eligibility; ${longEligibilities.length} eligible assignment(s) last longer than 180 days.`,
      {
        limit: 'P180D',
        eligibleAssignments: s.eligibilities.length,
        rolesAllowingLongerEligibility: policyAllowsLong.map((r) => ({
          ...r,
          rule: findRule(rules(r.id), 'Expiration_Admin_Eligibility') ?? null,
        })),
        longEligibleAssignments: longEligibilities.map(describe),
      },
      refs(['CC6.2', 'CC6.3'], ['A.9.2.5', 'A.9.2.6'], ['AC-2(3)']),
    ),
  );

  // 7. Justification and ticket on every privileged activation.
  const missing = s.privilegedRoles
    .map((r) => {
      const enabledRules = findRule(rules(r.id), 'Enablement_EndUser_Assignment')?.enabledRules ?? [];
      const lacks = (['Justification', 'Ticketing'] as const).filter((x) => !enabledRules.includes(x));
      return { ...r, missing: lacks };
    })
    .filter((r) => r.missing.length > 0);
  out.push(
    item(
      'justificationAndTicketRequired',
      'Justification and ticket required to activate privileged roles',
      missing.length === 0,
      missing.length === 0
        ? 'Every privileged role requires a justification and a ticket.'
        : `${missing.length} privileged role(s) lack a justification or ticket requirement.`,
      { roles: missing },
      refs(['CC6.1', 'CC6.2'], ['A.9.2.2'], ['AC-2', 'AU-2']),
    ),
  );

  // 8. Administrators are notified of privileged activations and assignments: the role settings
  // ask for it, a channel exists that reaches someone, and the last week did not only fail.
  const ADMIN_NOTIFICATIONS = [
    'Notification_Admin_EndUser_Assignment',
    'Notification_Admin_Admin_Assignment',
    'Notification_Admin_Admin_Eligibility',
  ] as const;
  const silent = s.privilegedRoles
    .map((r) => ({
      ...r,
      silentRules: ADMIN_NOTIFICATIONS.filter((id) => {
        const n = findRule(rules(r.id), id);
        return !(
          n &&
          n.notificationLevel !== 'None' &&
          (n.isDefaultRecipientsEnabled || n.notificationRecipients.length > 0)
        );
      }),
    }))
    .filter((r) => r.silentRules.length > 0);
  // Email reaches administrators through the default recipients or the rules' extra addresses.
  const extraAddresses = new Set(
    s.privilegedRoles.flatMap((r) =>
      ADMIN_NOTIFICATIONS.flatMap((id) => findRule(rules(r.id), id)?.notificationRecipients ?? []),
    ),
  ).size;
  const n = s.notifications;
  const emailReaches = n.emailEnabled && n.adminMailboxes + extraAddresses > 0;
  const channelReaches = emailReaches || n.adminWebhooks > 0;
  const onlyFailing = n.recent.dead > 0 && n.recent.sent === 0;
  const notifiedSummary =
    silent.length > 0
      ? `${silent.length} privileged role(s) do not notify administrators.`
      : !channelReaches
        ? 'No channel can deliver: set up the email channel (with administrators who have an address) or a webhook that receives activations and assignments.'
        : onlyFailing
          ? `Nothing was delivered in the last 7 days: ${n.recent.dead} delivery(ies) failed for good.`
          : 'Every privileged role notifies administrators, and a channel delivers to them.';
  out.push(
    item(
      'notificationsConfigured',
      'Administrators are notified of privileged activations and assignments',
      silent.length === 0 && channelReaches && !onlyFailing,
      notifiedSummary,
      {
        roles: silent,
        emailChannelEnabled: n.emailEnabled,
        adminMailboxes: n.adminMailboxes,
        extraRecipientAddresses: extraAddresses,
        adminWebhooks: n.adminWebhooks,
        deliveriesLast7Days: n.recent,
      },
      refs(['CC6.2'], ['A.9.2.1'], ['AC-2(4)']),
    ),
  );

  // 9. Access reviews: every privileged role someone holds or may activate is in a review that
  // recurs at least quarterly and has not ended, and was reviewed (an instance started) within
  // the last quarter; those reviews apply their decisions automatically.
  const heldRoles = [
    ...new Set([...s.assignments, ...s.eligibilities].map((a) => a.roleDefinitionId)),
  ].sort();
  const quarterly = s.accessReviews.filter(
    (d) => d.periodDays !== null && d.periodDays * DAY_MS <= REVIEW_QUARTER_MS && !d.ended,
  );
  const coverage = heldRoles.map((roleId) => {
    const scheduled = quarterly.filter((d) => d.roleIds.includes(roleId));
    const last = s.accessReviews
      .filter((d) => d.roleIds.includes(roleId))
      .flatMap((d) =>
        d.recentInstances.map((i) => ({ definitionId: d.id, instanceId: i.id, startAt: i.startAt })),
      )
      .sort((a, b) => b.startAt - a.startAt)[0];
    return {
      roleDefinitionId: roleId,
      roleDisplayName: roleName.get(roleId) ?? null,
      quarterlyDefinitionIds: scheduled.map((d) => d.id),
      lastReview:
        last === undefined
          ? null
          : {
              definitionId: last.definitionId,
              instanceId: last.instanceId,
              startDateTime: new Date(last.startAt).toISOString(),
            },
    };
  });
  const unscheduled = coverage.filter((c) => c.quarterlyDefinitionIds.length === 0);
  const unreviewed = coverage.filter((c) => c.lastReview === null);
  const reviewsOk = unscheduled.length === 0 && unreviewed.length === 0;
  out.push(
    item(
      'accessReviewsQuarterly',
      'Access reviews of privileged roles scheduled quarterly',
      reviewsOk,
      heldRoles.length === 0
        ? 'No privileged role is held or eligible: there is nothing to review.'
        : reviewsOk
          ? `All ${heldRoles.length} privileged role(s) held or eligible are in a quarterly review and were reviewed within the last quarter.`
          : [
              unscheduled.length > 0
                ? `${unscheduled.length} privileged role(s) in no review recurring at least quarterly.`
                : '',
              unreviewed.length > 0
                ? `${unreviewed.length} privileged role(s) not reviewed within the last quarter.`
                : '',
            ]
              .filter((x) => x !== '')
              .join(' '),
      {
        roles: coverage,
        notScheduledQuarterly: unscheduled.map((c) => c.roleDefinitionId),
        notReviewedInLastQuarter: unreviewed.map((c) => c.roleDefinitionId),
      },
      refs(['CC6.2', 'CC6.3'], ['A.9.2.5'], ['AC-2(3)', 'AC-2']),
    ),
  );
  const covering = quarterly.filter((d) => d.roleIds.some((r) => heldRoles.includes(r)));
  const manual = covering.filter((d) => !d.autoApplyDecisionsEnabled);
  const autoApplyOk = heldRoles.length === 0 || (covering.length > 0 && manual.length === 0);
  out.push(
    item(
      'accessReviewsAutoApply',
      'Access review decisions applied automatically',
      autoApplyOk,
      heldRoles.length === 0
        ? 'No privileged role is held or eligible: there is nothing to review.'
        : covering.length === 0
          ? 'No quarterly access review covers a privileged role.'
          : manual.length === 0
            ? `All ${covering.length} quarterly review(s) of privileged roles apply their decisions automatically.`
            : `${manual.length} of ${covering.length} quarterly review(s) of privileged roles do not apply their decisions automatically.`,
      {
        definitions: covering.map((d) => ({
          id: d.id,
          displayName: d.displayName,
          autoApplyDecisionsEnabled: d.autoApplyDecisionsEnabled,
        })),
        notAutoApplied: manual.map((d) => d.id),
      },
      refs(['CC6.2', 'CC6.3'], ['A.9.2.5'], ['AC-2(3)']),
    ),
  );
  // 10. PIM alerts: every alert on, scanned within a day, and no open (not dismissed) incident of
  // a high-severity alert. A dismissed alert counts as reviewed; its incidents stay in the evidence.
  const disabled = s.alerts.filter((a) => !a.isEnabled);
  const stale = s.alerts.filter(
    (a) =>
      a.isEnabled && (a.lastScannedAt === null || s.generatedAt - a.lastScannedAt > ALERT_SCAN_MAX_AGE_MS),
  );
  const high = s.alerts.filter((a) => a.severityLevel === 'high' && a.incidentIds.length > 0);
  const open = high.filter((a) => a.isActive);
  const alertsOk = s.alerts.length > 0 && disabled.length === 0 && stale.length === 0 && open.length === 0;
  out.push(
    item(
      'alertsEnabled',
      'PIM alerts enabled and reviewed',
      alertsOk,
      alertsOk
        ? `All ${s.alerts.length} alerts are on, scanned within a day, with no open high-severity incident.`
        : [
            disabled.length > 0 ? `${disabled.length} alert(s) turned off.` : '',
            stale.length > 0 ? `${stale.length} alert(s) not scanned within a day.` : '',
            open.length > 0
              ? `${open.reduce((n, a) => n + a.incidentIds.length, 0)} open high-severity incident(s).`
              : '',
          ]
            .filter((x) => x !== '')
            .join(' '),
      {
        alerts: s.alerts.map((a) => ({
          id: a.id,
          isEnabled: a.isEnabled,
          isActive: a.isActive,
          severityLevel: a.severityLevel,
          incidentCount: a.incidentIds.length,
          lastScannedDateTime: a.lastScannedAt === null ? null : new Date(a.lastScannedAt).toISOString(),
        })),
        disabledAlerts: disabled.map((a) => a.id),
        notScannedWithinADay: stale.map((a) => a.id),
        openHighSeverityIncidents: open.flatMap((a) =>
          a.incidentIds.map((id) => ({ alertId: a.id, incidentId: id })),
        ),
        dismissedHighSeverityIncidents: high
          .filter((a) => !a.isActive)
          .flatMap((a) => a.incidentIds.map((id) => ({ alertId: a.id, incidentId: id }))),
      },
      refs(['CC6.1', 'CC7.2'], ['A.9.2.5'], ['AC-2(12)']),
    ),
  );

  // 11. The audit log leaves Elevate for a SIEM.
  const lag = s.forwarding.cursors.map((c) => ({
    destinationId: c.destinationId,
    acceptedSeq: c.seq,
    behind: Math.max(0, s.forwarding.headSeq - c.seq),
  }));
  out.push(
    item(
      'auditForwardedToSiem',
      'Audit log forwarded to a SIEM',
      s.forwarding.destinations.length > 0,
      s.forwarding.destinations.length > 0
        ? `Forwarded to ${s.forwarding.destinations.length} destination(s).`
        : 'No forwarding destination is configured (ELEVATE_AUDIT_FORWARD).',
      { destinations: s.forwarding.destinations, headSeq: s.forwarding.headSeq, cursors: lag },
      refs(['CC6.1', 'CC7.2'], ['A.9.4.1', 'A.12.4.1'], ['AU-6', 'AC-2(4)']),
    ),
  );
  return out;
}
