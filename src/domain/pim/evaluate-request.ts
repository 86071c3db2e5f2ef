import type { DomainError } from '../shared/errors.js';
import { pimAction } from './actions.js';
import { noOutcome, settle } from './evaluation.js';
import type { Evaluation, EvaluationInput } from './evaluation.js';
import { PolicyViolationError } from './policy-failure.js';
import { callerIsNotPrincipal, requestErrorToDomainError, unknownAction } from './request-error.js';

export type { Evaluation, EvaluationInput, RequestOutcome } from './evaluation.js';

/**
 * Judges a schedule request against the role's policy and the current state, without side effects,
 * so `isValidationOnly` runs exactly this and writes nothing. Never throws for inputs of the right
 * types: every problem comes back in the `Evaluation`.
 *
 * - `selfActivate` (assignment only): `EligibilityRule`, `Expiration_EndUser_Assignment`
 *   (an end is required, at most the max, and no later than the eligibility's end),
 *   `Enablement_EndUser_Assignment`, `AuthenticationContext_EndUser_Assignment`, then
 *   `Approval_EndUser_Assignment` → `PendingApproval`; an existing assignment → `RoleAssignmentExists`.
 * - `selfDeactivate` (assignment only): an `Activated` assignment holding now, active ≥ 5 minutes.
 * - `selfExtend`/`selfRenew`: an admin-made schedule inside the 14-day/30-day window, a
 *   justification when requestors must give one → `PendingAdminDecision` for an admin to settle
 *   with `adminExtend`/`adminRenew`.
 * - `adminAssign`/`adminUpdate`/`adminExtend`/`adminRenew`: `Expiration_Admin_*` and
 *   `Enablement_Admin_*` of the request's kind, applied to the admin caller.
 * - `adminRemove`: the target must still hold or be due → `Revoked`.
 * - Accepted windows give `Provisioned` when they start by `now`, `Granted` when later.
 *
 * A self action by someone other than its principal is refused as such (`CallerIsNotPrincipal`),
 * before anything about the principal is looked at, so the answer reveals nothing about other
 * people's roles. Whether the caller may act as an admin at all is the use case's check, not policy's.
 */
export function evaluateRequest(input: EvaluationInput): Evaluation {
  const row = pimAction(input.action);
  // Unreachable for typed callers; kept so a bad value from JavaScript is refused, not thrown on.
  if (row === undefined) return settle([], unknownAction(String(input.action)), noOutcome);
  if (row.self && !input.caller.isPrincipal) {
    return settle([], callerIsNotPrincipal(input.action), noOutcome);
  }
  return row.evaluate(input);
}

/**
 * The domain error to throw for a refused evaluation, or `undefined` if it was accepted. A state
 * error wins over policy failures: "already active" or "does not exist" ends the matter, and an
 * authentication-context challenge comes first because signing in again may also bring the MFA
 * that `MfaRule` asks for. Otherwise every failing rule is named at once.
 */
export function rejectionOf(evaluation: Evaluation): DomainError | undefined {
  if (evaluation.error !== undefined) return requestErrorToDomainError(evaluation.error);
  if (evaluation.failedRules.length > 0) {
    return new PolicyViolationError(evaluation.failedRules, evaluation.failures);
  }
  return undefined;
}
