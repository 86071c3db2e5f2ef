import { BadRequestError, ClaimsChallengeError, ValidationError } from '../shared/errors.js';
import type { DomainError } from '../shared/errors.js';
import { describeInstant } from './window.js';

/**
 * Refusals that are about state, not policy rules (reference §1.11), each its own Graph code.
 * `RoleAssignmentCannotBeExtended`/`…Renewed` are Elevate's: Graph documents the 14/30-day windows
 * but no code for missing them, and `CallerIsNotPrincipal` is Elevate's for a self action naming
 * someone else. `invalidRequest` is an action sent to the wrong entity set.
 */
export type RequestErrorCode =
  | 'RoleAssignmentExists'
  | 'RoleAssignmentDoesNotExist'
  | 'ActiveDurationTooShort'
  | 'RoleAssignmentRequestAcrsValidationFailed'
  | 'RoleAssignmentCannotBeExtended'
  | 'RoleAssignmentCannotBeRenewed'
  | 'CallerIsNotPrincipal'
  | 'invalidRequest';

/**
 * A state refusal. `claims` is set for `RoleAssignmentRequestAcrsValidationFailed`: the JSON
 * claims challenge (`{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`) a client passes
 * to the authorization server to sign in again with the required authentication context.
 */
export interface RequestError {
  code: RequestErrorCode;
  message: string;
  claims?: string;
}

/** Activating while already active, or assigning what is already assigned (Graph's wording). */
export function roleAssignmentExists(): RequestError {
  return { code: 'RoleAssignmentExists', message: 'The Role assignment already exists.' };
}

/** Removing, deactivating, updating or extending something that is not there (Graph's wording). */
export function roleAssignmentDoesNotExist(): RequestError {
  return { code: 'RoleAssignmentDoesNotExist', message: 'The Role assignment does not exist.' };
}

/** Deactivating within 5 minutes of activation; Graph's wording, without its "Miniumum" typo. */
export function activeDurationTooShort(): RequestError {
  return {
    code: 'ActiveDurationTooShort',
    message: 'The Active duration is too short. Minimum Required is 5 minutes.',
  };
}

/**
 * The caller's token lacks the authentication context the role requires for activation. Like
 * Entra, the message ends with `&claims=` and the URL-encoded challenge, which tools such as the
 * Graph PowerShell SDK pass back to the sign-in.
 */
export function acrsValidationFailed(claimValue: string | null): RequestError {
  if (claimValue === null || claimValue === '') {
    return {
      code: 'RoleAssignmentRequestAcrsValidationFailed',
      message:
        'The role requires an authentication context for activation but its setting names none; ' +
        'an administrator must set claimValue in AuthenticationContext_EndUser_Assignment.',
    };
  }
  const claims = JSON.stringify({ access_token: { acrs: { essential: true, value: claimValue } } });
  return {
    code: 'RoleAssignmentRequestAcrsValidationFailed',
    message:
      `Activating this role requires authentication context ${JSON.stringify(claimValue)}; ` +
      `sign in again to satisfy it. &claims=${encodeURIComponent(claims)}`,
    claims,
  };
}

/** A self or admin extension that the 14-day rule or a permanent end rules out. */
export function cannotBeExtended(end: number | null, reason?: string): RequestError {
  const message =
    reason ??
    (end === null
      ? 'A permanent assignment cannot be extended.'
      : `Only an assignment that ends within the next 14 days can be extended; this one ends on ${describeInstant(end)}.`);
  return { code: 'RoleAssignmentCannotBeExtended', message };
}

/** A renewal of an assignment that has not ended, is permanent, or ended over 30 days ago. */
export function cannotBeRenewed(end: number | null, reason?: string): RequestError {
  const message =
    reason ??
    (end === null
      ? 'A permanent assignment cannot be renewed.'
      : `Only an assignment that ended within the last 30 days can be renewed; this one ends on ${describeInstant(end)}.`);
  return { code: 'RoleAssignmentCannotBeRenewed', message };
}

/** An action sent to the entity set that does not take it, e.g. `selfActivate` on eligibility requests. */
export function actionNotValidForKind(action: string, kind: string): RequestError {
  const set = kind === 'eligibility' ? 'roleEligibilityScheduleRequests' : 'roleAssignmentScheduleRequests';
  return {
    code: 'invalidRequest',
    message: `The action ${action} is not valid for ${set}; activation and deactivation go through roleAssignmentScheduleRequests.`,
  };
}

/** What an administrator sends instead of each self action, to act for someone else. */
const ADMIN_COUNTERPART: Readonly<Record<string, string>> = {
  selfActivate: 'adminAssign',
  selfDeactivate: 'adminRemove',
  selfExtend: 'adminExtend',
  selfRenew: 'adminRenew',
};

/**
 * A self action (`selfActivate`, `selfDeactivate`, `selfExtend`, `selfRenew`) whose caller is not
 * its `principalId`: only the principal takes its own actions. Said plainly rather than as the
 * `EligibilityRule` or `RoleAssignmentDoesNotExist` the principal's state would give, and it tells
 * nothing about that principal's roles (the caller alone decides it).
 */
export function callerIsNotPrincipal(action: string): RequestError {
  const counterpart = ADMIN_COUNTERPART[action];
  return {
    code: 'CallerIsNotPrincipal',
    message:
      `The caller is not the principal of this request: ${action} acts only for the signed-in user or ` +
      "application itself, so principalId must be the caller's own object id" +
      (counterpart === undefined ? '.' : `; to act for someone else, an administrator sends ${counterpart}.`),
  };
}

/** An action outside `unifiedRoleScheduleRequestActions`, should one get past parsing. */
export function unknownAction(action: string): RequestError {
  return { code: 'invalidRequest', message: `Unknown action ${JSON.stringify(action.slice(0, 64))}.` };
}

/**
 * The domain error to throw for a state refusal: `invalidRequest` (naming `action`) and
 * `CallerIsNotPrincipal` (naming `principalId`) are validation errors, the rest are 400 bad requests
 * under their own Graph code.
 */
export function requestErrorToDomainError(error: RequestError): DomainError {
  if (error.claims !== undefined) return new ClaimsChallengeError(error.code, error.message, error.claims);
  if (error.code === 'invalidRequest') return new ValidationError(error.message, 'action');
  if (error.code === 'CallerIsNotPrincipal') {
    return new ValidationError(error.message, 'principalId', error.code);
  }
  return new BadRequestError(error.code, error.message);
}
