import type { AuditActivity } from '../audit/activities.js';
import type { OperationType } from '../audit/entry.js';
import type { ScheduleKind } from './types.js';

const pim = (code: string, activityDisplayName: string, operationType: OperationType): AuditActivity => ({
  code,
  activityDisplayName,
  category: 'RoleManagement',
  operationType,
  loggedByService: 'Privileged Identity Management',
});

/**
 * The PIM activities Elevate audits for directory roles. Display names are Entra's, copied from its
 * audit activity reference (`RoleManagement` category), so `activityDisplayName eq '…'` queries
 * written for Entra work unchanged; codes are Elevate's and never change once shipped.
 */
export const PIM_ACTIVITIES = {
  activationRequested: pim(
    'pim.activation.requested',
    'Add member to role requested (PIM activation)',
    'Assign',
  ),
  activationApprovalRequested: pim(
    'pim.activation.approvalRequested',
    'Add member to role approval requested (PIM activation)',
    'Assign',
  ),
  activationApproved: pim(
    'pim.activation.approved',
    'Add member to role request approved (PIM activation)',
    'Assign',
  ),
  activationDenied: pim(
    'pim.activation.denied',
    'Add member to role request denied (PIM activation)',
    'Assign',
  ),
  activationRequestExpired: pim('pim.activation.requestExpired', 'PIM activation request expired', 'Assign'),
  /** Elevate's own: a stage's escalation approvers were added after its escalation time. */
  activationApprovalEscalated: pim(
    'pim.activation.approvalEscalated',
    'Add member to role approval escalated (PIM activation)',
    'Assign',
  ),
  /**
   * Elevate's own: a stage's decision hook answered `defer`, or gave no usable answer; the stage's
   * human approvers decide (ADR 0025).
   */
  activationApprovalHookDeferred: pim(
    'pim.activation.approvalHookDeferred',
    'Add member to role approval left to approvers by decision hook (PIM activation)',
    'Assign',
  ),
  /** Elevate's own: the holder was told that an activation, eligibility or assignment ends soon. */
  scheduleEndingSoon: pim('pim.schedule.endingSoon', 'Role ending soon notice sent (PIM)', 'Other'),
  /** Elevate's own: the pending approvers of a stage were reminded before it times out. */
  activationApprovalReminded: pim(
    'pim.activation.approvalReminded',
    'Add member to role approval reminder sent (PIM activation)',
    'Assign',
  ),
  activationCompleted: pim(
    'pim.activation.completed',
    'Add member to role completed (PIM activation)',
    'Assign',
  ),
  activationCanceled: pim(
    'pim.activation.canceled',
    'Add member to role canceled (PIM activation)',
    'Unassign',
  ),
  activationExpired: pim(
    'pim.activation.expired',
    'Remove member from role (PIM activation expired)',
    'Unassign',
  ),
  /** Elevate's own: an activation ended because the eligibility it was made with was removed. */
  /** Elevate's own: a resource was removed, so the schedules at it ended (ADR 0029). */
  scheduleEndedWithResource: pim(
    'pim.schedule.endedWithResource',
    'Remove member from role (PIM schedule ended: resource removed)',
    'Unassign',
  ),
  activationEndedWithEligibility: pim(
    'pim.activation.endedWithEligibility',
    'Remove member from role (PIM activation ended: eligibility removed)',
    'Unassign',
  ),
  deactivationCompleted: pim(
    'pim.deactivation.completed',
    'Remove member from role completed (PIM deactivate)',
    'Unassign',
  ),
  deactivationRequested: pim(
    'pim.deactivation.requested',
    'Remove member from role requested (PIM deactivate)',
    'Unassign',
  ),
  assignRequestedPermanent: pim(
    'pim.assignment.requested.permanent',
    'Add member to role in PIM requested (permanent)',
    'Assign',
  ),
  assignRequestedTimebound: pim(
    'pim.assignment.requested.timebound',
    'Add member to role in PIM requested (timebound)',
    'Assign',
  ),
  assignCompletedPermanent: pim(
    'pim.assignment.completed.permanent',
    'Add member to role in PIM completed (permanent)',
    'Assign',
  ),
  assignCompletedTimebound: pim(
    'pim.assignment.completed.timebound',
    'Add member to role in PIM completed (timebound)',
    'Assign',
  ),
  assignCanceled: pim(
    'pim.assignment.canceled',
    'Add member to role in PIM canceled (timebound)',
    'Unassign',
  ),
  eligibleRequestedPermanent: pim(
    'pim.eligibility.requested.permanent',
    'Add eligible member to role in PIM requested (permanent)',
    'Assign',
  ),
  eligibleRequestedTimebound: pim(
    'pim.eligibility.requested.timebound',
    'Add eligible member to role in PIM requested (timebound)',
    'Assign',
  ),
  eligibleCompletedPermanent: pim(
    'pim.eligibility.completed.permanent',
    'Add eligible member to role in PIM completed (permanent)',
    'Assign',
  ),
  eligibleCompletedTimebound: pim(
    'pim.eligibility.completed.timebound',
    'Add eligible member to role in PIM completed (timebound)',
    'Assign',
  ),
  eligibleCanceledPermanent: pim(
    'pim.eligibility.canceled.permanent',
    'Add eligible member to role in PIM canceled (permanent)',
    'Unassign',
  ),
  eligibleCanceledTimebound: pim(
    'pim.eligibility.canceled.timebound',
    'Add eligible member to role in PIM canceled (timebound)',
    'Unassign',
  ),
  removeRequestedPermanent: pim(
    'pim.assignment.removeRequested.permanent',
    'Remove member from role in PIM requested (permanent)',
    'Unassign',
  ),
  removeRequestedTimebound: pim(
    'pim.assignment.removeRequested.timebound',
    'Remove member from role in PIM requested (timebound)',
    'Unassign',
  ),
  removeCompletedPermanent: pim(
    'pim.assignment.removed.permanent',
    'Remove member from role in PIM completed (permanent)',
    'Unassign',
  ),
  removeCompletedTimebound: pim(
    'pim.assignment.removed.timebound',
    'Remove member from role in PIM completed (timebound)',
    'Unassign',
  ),
  eligibleRemoveRequestedPermanent: pim(
    'pim.eligibility.removeRequested.permanent',
    'Remove eligible member from role in PIM requested (permanent)',
    'Unassign',
  ),
  eligibleRemoveRequestedTimebound: pim(
    'pim.eligibility.removeRequested.timebound',
    'Remove eligible member from role in PIM requested (timebound)',
    'Unassign',
  ),
  eligibleRemoveCompletedPermanent: pim(
    'pim.eligibility.removed.permanent',
    'Remove eligible member from role in PIM completed (permanent)',
    'Unassign',
  ),
  eligibleRemoveCompletedTimebound: pim(
    'pim.eligibility.removed.timebound',
    'Remove eligible member from role in PIM completed (timebound)',
    'Unassign',
  ),
  updateRequested: pim('pim.assignment.updateRequested', 'Process role update request', 'Update'),
  extendRequested: pim('pim.assignment.extendRequested', 'Update member in PIM requested (extend)', 'Update'),
  eligibleExtendRequested: pim(
    'pim.eligibility.extendRequested',
    'Update eligible member in PIM requested (extend)',
    'Update',
  ),
  extendCanceled: pim('pim.assignment.extendCanceled', 'Update member in PIM canceled (extend)', 'Update'),
  eligibleExtendCanceled: pim(
    'pim.eligibility.extendCanceled',
    'Update eligible member in PIM canceled (extend)',
    'Update',
  ),
  renewRequested: pim(
    'pim.assignment.renewRequested',
    'Add member to role in PIM requested (renew)',
    'Assign',
  ),
  eligibleRenewRequested: pim(
    'pim.eligibility.renewRequested',
    'Add eligible member to role in PIM requested (renew)',
    'Assign',
  ),
  renewCanceled: pim(
    'pim.assignment.renewCanceled',
    'Add member to role in PIM canceled (renew)',
    'Unassign',
  ),
  eligibleRenewCanceled: pim(
    'pim.eligibility.renewCanceled',
    'Add eligible member to role in PIM canceled (renew)',
    'Unassign',
  ),
  extendedOrRenewedByAdmin: pim(
    'pim.extendedOrRenewedByAdmin',
    'Update member in PIM approved by admin (extend/renew)',
    'Update',
  ),
  extendOrRenewDeniedByAdmin: pim(
    'pim.extendOrRenewDeniedByAdmin',
    'Update member in PIM denied by admin (extend/renew)',
    'Update',
  ),
  /** Elevate's own: an approved selfExtend/selfRenew changed the schedule (or could not). */
  extendOrRenewCompleted: pim(
    'pim.extendOrRenewCompleted',
    'Update member in PIM completed (extend/renew)',
    'Update',
  ),
} as const satisfies Record<string, AuditActivity>;

/** The entry for a schedule that ended by time, recorded by the sweeper. */
export function expiredActivity(kind: ScheduleKind, assignmentType: string | null): AuditActivity {
  const A = PIM_ACTIVITIES;
  if (kind === 'eligibility') return A.eligibleRemoveCompletedTimebound;
  return assignmentType === 'Activated' ? A.activationExpired : A.removeCompletedTimebound;
}
