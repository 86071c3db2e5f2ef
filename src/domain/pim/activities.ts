import type { AuditActivity } from '../audit/activities.js';
import type { OperationType } from '../audit/entry.js';
import type { RequestAction, ScheduleKind, Window } from './types.js';

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
} as const satisfies Record<string, AuditActivity>;

const A = PIM_ACTIVITIES;
const lasting = (window: Window | null | undefined): 'permanent' | 'timebound' =>
  window?.end === null || window === undefined || window === null ? 'permanent' : 'timebound';

/**
 * The entry that records an ask (also a refused one, as a `failure`): what a request *asked* for.
 * `window` is the requested window, or for removals the schedule's current one.
 */
export function requestedActivity(
  kind: ScheduleKind,
  action: RequestAction,
  window: Window | null | undefined,
): AuditActivity {
  const permanent = lasting(window) === 'permanent';
  switch (action) {
    case 'selfActivate':
      return A.activationRequested;
    case 'selfDeactivate':
      return A.deactivationRequested;
    case 'selfExtend':
      return kind === 'eligibility' ? A.eligibleExtendRequested : A.extendRequested;
    case 'selfRenew':
      return kind === 'eligibility' ? A.eligibleRenewRequested : A.renewRequested;
    case 'adminRemove':
      if (kind === 'eligibility') {
        return permanent ? A.eligibleRemoveRequestedPermanent : A.eligibleRemoveRequestedTimebound;
      }
      return permanent ? A.removeRequestedPermanent : A.removeRequestedTimebound;
    case 'adminUpdate':
      return A.updateRequested;
    case 'adminExtend':
    case 'adminRenew':
      return A.extendedOrRenewedByAdmin;
    case 'adminAssign':
      if (kind === 'eligibility')
        return permanent ? A.eligibleRequestedPermanent : A.eligibleRequestedTimebound;
      return permanent ? A.assignRequestedPermanent : A.assignRequestedTimebound;
  }
}

/**
 * The entries that record an accepted request, in order. Activations log the ask and its outcome
 * (as Entra does: "requested", then "completed" or "approval requested"); an administrator's
 * change is one "completed" entry; a request that waits for an administrator is one "requested".
 */
export function acceptedActivities(
  kind: ScheduleKind,
  action: RequestAction,
  status: string,
  window: Window | null | undefined,
): AuditActivity[] {
  const permanent = lasting(window) === 'permanent';
  switch (action) {
    case 'selfActivate':
      return status === 'PendingApproval'
        ? [A.activationRequested, A.activationApprovalRequested]
        : [A.activationRequested, A.activationCompleted];
    case 'selfDeactivate':
      return [A.deactivationCompleted];
    case 'selfExtend':
    case 'selfRenew':
    case 'adminUpdate':
    case 'adminExtend':
    case 'adminRenew':
      return [requestedActivity(kind, action, window)];
    case 'adminRemove':
      if (kind === 'eligibility') {
        return [permanent ? A.eligibleRemoveCompletedPermanent : A.eligibleRemoveCompletedTimebound];
      }
      return [permanent ? A.removeCompletedPermanent : A.removeCompletedTimebound];
    case 'adminAssign':
      if (kind === 'eligibility') {
        return [permanent ? A.eligibleCompletedPermanent : A.eligibleCompletedTimebound];
      }
      return [permanent ? A.assignCompletedPermanent : A.assignCompletedTimebound];
  }
}

/** The entry for canceling a request that was granted or waiting. */
export function canceledActivity(
  kind: ScheduleKind,
  action: RequestAction,
  window: Window | null | undefined,
): AuditActivity {
  switch (action) {
    case 'selfActivate':
      return A.activationCanceled;
    case 'selfExtend':
      return kind === 'eligibility' ? A.eligibleExtendCanceled : A.extendCanceled;
    case 'selfRenew':
      return kind === 'eligibility' ? A.eligibleRenewCanceled : A.renewCanceled;
    default:
      if (kind === 'eligibility') {
        return lasting(window) === 'permanent' ? A.eligibleCanceledPermanent : A.eligibleCanceledTimebound;
      }
      return A.assignCanceled;
  }
}

/** The entry for a schedule that ended by time, recorded by the sweeper. */
export function expiredActivity(kind: ScheduleKind, assignmentType: string | null): AuditActivity {
  if (kind === 'eligibility') return A.eligibleRemoveCompletedTimebound;
  return assignmentType === 'Activated' ? A.activationExpired : A.removeCompletedTimebound;
}
