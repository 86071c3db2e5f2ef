// An administrator's actions on someone's eligibility or assignment.
import { checkEnablement, checkExpiration, ruleFor } from './policy-checks.js';
import {
  cannotBeExtended,
  cannotBeRenewed,
  roleAssignmentDoesNotExist,
  roleAssignmentExists,
} from './request-error.js';
import type { RequestError } from './request-error.js';
import { existsAt, noOutcome, revoked, settle, startStatus, windowOf } from './evaluation.js';
import type { Evaluation, EvaluationInput } from './evaluation.js';
import { canRenew, isCurrentOrFuture } from './window.js';

/**
 * `adminRemove`: the schedule must still hold or be due; no policy rule applies (Graph makes
 * justification and scheduleInfo optional for removal), and the window ends now.
 */
export function evaluateAdminRemove(input: EvaluationInput): Evaluation {
  const { now, target } = input;
  if (target == null || !isCurrentOrFuture(target.window, now)) {
    return settle([], roleAssignmentDoesNotExist(), noOutcome);
  }
  return settle([], undefined, () => revoked(target.window, now));
}

/**
 * `adminAssign`/`adminUpdate`/`adminExtend`/`adminRenew`: the `Expiration_Admin_*` and
 * `Enablement_Admin_*` rules of the request's kind, with MFA and justification asked of the admin.
 * Assign needs no current or future schedule (one per principal, role and scope, as the instance id
 * format implies); update and extend need one; renew needs one ended within 30 days. Admins are not
 * held to the 14-day extend window: they may change a schedule at any time with adminUpdate anyway.
 */
export function evaluateAdminChange(input: EvaluationInput): Evaluation {
  const { now, action, target, kind, rules } = input;
  const window = windowOf(input);
  let error: RequestError | undefined;
  if (action === 'adminAssign') {
    if (existsAt(input.activeAssignment, now)) error = roleAssignmentExists();
  } else if (target == null) {
    error = roleAssignmentDoesNotExist();
  } else if (action === 'adminRenew') {
    if (!canRenew(target.window.end, now)) error = cannotBeRenewed(target.window.end);
  } else if (!isCurrentOrFuture(target.window, now)) {
    error = roleAssignmentDoesNotExist();
  } else if (action === 'adminExtend' && target.window.end === null) {
    error = cannotBeExtended(null);
  }

  const failures =
    kind === 'eligibility'
      ? [
          ...checkExpiration(ruleFor(rules, 'Expiration_Admin_Eligibility'), window, 'admin'),
          ...checkEnablement(ruleFor(rules, 'Enablement_Admin_Eligibility'), input),
        ]
      : [
          ...checkExpiration(ruleFor(rules, 'Expiration_Admin_Assignment'), window, 'admin'),
          ...checkEnablement(ruleFor(rules, 'Enablement_Admin_Assignment'), input),
        ];
  return settle(failures, error, () => ({
    status: startStatus(window, now),
    requiresApproval: false,
    window,
  }));
}
