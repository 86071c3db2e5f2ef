// The principal's own actions: activate, deactivate, and ask to extend or renew.
import {
  checkAuthenticationContext,
  checkEnablement,
  checkExpiration,
  checkRequestorJustification,
  isApprovalRequired,
  ruleFor,
} from './policy-checks.js';
import type { RuleFailure } from './policy-failure.js';
import {
  actionNotValidForKind,
  activeDurationTooShort,
  cannotBeExtended,
  cannotBeRenewed,
  roleAssignmentDoesNotExist,
  roleAssignmentExists,
} from './request-error.js';
import type { RequestError } from './request-error.js';
import { existsAt, noOutcome, revoked, settle, startStatus, windowOf } from './evaluation.js';
import type { Evaluation, EvaluationInput } from './evaluation.js';
import {
  MIN_ACTIVE_DURATION_MS,
  canExtend,
  canRenew,
  describeInstant,
  holds,
  outlivesEligibility,
} from './window.js';

/**
 * `selfActivate`: the eligibility must hold at the activation's start and outlast its end, the
 * activation rules (`*_EndUser_Assignment`) must pass, and nothing may already be assigned. Every
 * failing rule is collected before the approval rule decides `PendingApproval` or not.
 */
export function evaluateSelfActivate(input: EvaluationInput): Evaluation {
  if (input.kind !== 'assignment') {
    return settle([], actionNotValidForKind(input.action, input.kind), noOutcome);
  }
  const { now, rules, caller } = input;
  const window = windowOf(input);
  const failures: RuleFailure[] = [];
  let error: RequestError | undefined;

  const eligibility = caller.isPrincipal ? (input.eligibility ?? null) : null;
  const eligible = eligibility !== null && holds(eligibility, window.start);
  if (!eligible) {
    failures.push({
      rule: 'EligibilityRule',
      reason:
        eligibility === null
          ? 'The principal is not eligible for this role at this scope.'
          : `The principal's eligibility does not cover the activation's start, ${describeInstant(window.start)}.`,
    });
  }
  if (existsAt(input.activeAssignment, now)) error = roleAssignmentExists();

  const expiration = ruleFor(rules, 'Expiration_EndUser_Assignment');
  failures.push(...checkExpiration(expiration, window, 'activation'));
  if (eligible && outlivesEligibility(window, eligibility)) {
    failures.push({
      rule: 'ExpirationRule',
      reason: `The activation would outlive the eligibility, which ends on ${describeInstant(eligibility.end ?? 0)}; ask for a shorter duration.`,
    });
  }
  failures.push(...checkEnablement(ruleFor(rules, 'Enablement_EndUser_Assignment'), input));
  error ??= checkAuthenticationContext(
    ruleFor(rules, 'AuthenticationContext_EndUser_Assignment'),
    caller.acrs,
  );

  const needsApproval = isApprovalRequired(ruleFor(rules, 'Approval_EndUser_Assignment'));
  return settle(failures, error, () =>
    needsApproval
      ? { status: 'PendingApproval', requiresApproval: true, window }
      : { status: startStatus(window, now), requiresApproval: false, window },
  );
}

/**
 * `selfDeactivate`: only the principal's own activation, holding now, after its first 5 minutes
 * (Entra's floor, which stops activate/deactivate loops from flooding audit and connectors).
 */
export function evaluateSelfDeactivate(input: EvaluationInput): Evaluation {
  if (input.kind !== 'assignment') {
    return settle([], actionNotValidForKind(input.action, input.kind), noOutcome);
  }
  const { now } = input;
  const target = input.caller.isPrincipal ? input.target : null;
  if (target == null || target.assignmentType !== 'Activated' || !holds(target.window, now)) {
    return settle([], roleAssignmentDoesNotExist(), noOutcome);
  }
  if (now - target.window.start < MIN_ACTIVE_DURATION_MS) {
    return settle([], activeDurationTooShort(), noOutcome);
  }
  return settle([], undefined, () => revoked(target.window, now));
}

/**
 * `selfExtend`/`selfRenew`: the principal asks for more time on an admin-made schedule
 * (activations are simply activated again), inside the 14-day/30-day windows. When the role's
 * approval rule says `isApprovalRequiredForExtension`, the request goes through its approval
 * stages like an activation (`PendingApproval`; the final approval applies the new window, ADR
 * 0022); otherwise it waits as `PendingAdminDecision` until an admin answers with
 * `adminExtend`/`adminRenew`.
 */
export function evaluateSelfExtendOrRenew(input: EvaluationInput): Evaluation {
  const { now, action } = input;
  const target = input.caller.isPrincipal ? input.target : null;
  const end = target?.window.end ?? null;
  let error: RequestError | undefined;
  if (target == null) {
    error = roleAssignmentDoesNotExist();
  } else if (target.assignmentType === 'Activated') {
    const reason = 'An activation cannot be extended or renewed; activate the role again instead.';
    error = action === 'selfExtend' ? cannotBeExtended(end, reason) : cannotBeRenewed(end, reason);
  } else if (action === 'selfExtend' && !canExtend(end, now)) {
    error = cannotBeExtended(end);
  } else if (action === 'selfRenew' && !canRenew(end, now)) {
    error = cannotBeRenewed(end);
  }
  // Asking for more time on an active assignment takes the same authentication context as activating.
  if (input.kind === 'assignment') {
    error ??= checkAuthenticationContext(
      ruleFor(input.rules, 'AuthenticationContext_EndUser_Assignment'),
      input.caller.acrs,
    );
  }
  const failures = checkRequestorJustification(
    ruleFor(input.rules, 'Approval_EndUser_Assignment'),
    input.justification,
  );
  const approval = ruleFor(input.rules, 'Approval_EndUser_Assignment');
  const needsApproval = approval?.setting.isApprovalRequiredForExtension === true;
  return settle(failures, error, () => ({
    status: needsApproval ? 'PendingApproval' : 'PendingAdminDecision',
    requiresApproval: needsApproval,
    ...(input.window == null ? {} : { window: input.window }),
  }));
}
