import { defaultPolicyRules } from '../policy/default-rules.js';
import type { RuleId } from '../policy/default-rules.js';
import { findRule } from '../policy/types.js';
import type {
  ApprovalRule,
  AuthenticationContextRule,
  EnablementRule,
  ExpirationRule,
  PolicyRule,
  RuleOfId,
} from '../policy/types.js';
import { parseDuration } from '../time/duration.js';
import type { RuleFailure } from './policy-failure.js';
import type { TicketCheck } from '../decision-hooks/answers.js';
import { acrsValidationFailed } from './request-error.js';
import type { RequestError } from './request-error.js';
import type { RequestCaller, TicketInfo, Window } from './types.js';
import { describeDuration } from './window.js';

/**
 * The role's rule with this id, or Entra's default for it when the policy lacks it (or holds it
 * under the wrong `@odata.type`). Every policy has all 17 rules, so this only matters for a damaged
 * policy, which then behaves like a new tenant's rather than like no policy at all.
 */
export function ruleFor<Id extends RuleId>(rules: readonly PolicyRule[], id: Id): RuleOfId<Id> | undefined {
  return findRule(rules, id) ?? findRule(defaultPolicyRules(), id);
}

/**
 * Whose expiration rule applies: an administrator's assignment (its max applies only when
 * expiration is required, since a policy that allows "forever" cannot sensibly forbid two years),
 * or an activation (always bounded by the max, whatever `isExpirationRequired` says: standing
 * access through activation is exactly what PIM exists to prevent, and Entra offers no switch).
 */
export type ExpirationMode = 'admin' | 'activation';

/**
 * `ExpirationRule` failures for a resolved window. The max applies to the window that will hold
 * (`resolveWindow` moved a past start to now and counted a duration from there), so it bounds the
 * access actually granted, and a duration is judged the same whenever the body arrives.
 */
export function checkExpiration(
  rule: ExpirationRule | undefined,
  window: Window,
  mode: ExpirationMode,
): RuleFailure[] {
  if (rule === undefined) {
    return [{ rule: 'ExpirationRule', reason: 'The role has no expiration rule for this request.' }];
  }
  if (mode === 'admin' && !rule.isExpirationRequired) return [];
  const maxMs = tryParseDuration(rule.maximumDuration);
  if (window.end === null) {
    const reason =
      mode === 'activation'
        ? `An activation must end; ask for a duration of at most ${rule.maximumDuration}.`
        : `This role does not allow permanent assignments; set an end at most ${rule.maximumDuration} after the start.`;
    return [{ rule: 'ExpirationRule', reason }];
  }
  if (maxMs === undefined) {
    return [
      {
        rule: 'ExpirationRule',
        reason: `The role's maximum duration ${JSON.stringify(rule.maximumDuration)} is not valid; an administrator must fix ${rule.id}.`,
      },
    ];
  }
  const spanMs = window.end - window.start;
  if (!(spanMs <= maxMs)) {
    return [
      {
        rule: 'ExpirationRule',
        reason: `The schedule lasts ${describeDuration(spanMs)}, longer than the role's maximum of ${rule.maximumDuration}.`,
      },
    ];
  }
  return [];
}

/** What a caller brings to satisfy an enablement rule. */
export interface EnablementEvidence {
  caller: RequestCaller;
  justification: string | null;
  ticketInfo: TicketInfo | null;
  /** What the role's ticket validation hook said about the ticket, asked before the transaction. */
  ticketCheck?: TicketCheck | null;
}

/**
 * `MfaRule`, `JustificationRule` and `TicketingRule` failures for the rule's `enabledRules`. MFA
 * can never be met by an application token (no human performs it), whatever the token claims; a
 * justification or ticket of only whitespace counts as absent.
 */
export function checkEnablement(
  rule: EnablementRule | undefined,
  evidence: EnablementEvidence,
): RuleFailure[] {
  const enabled = rule?.enabledRules ?? [];
  const failures: RuleFailure[] = [];
  if (enabled.includes('MultiFactorAuthentication')) {
    if (evidence.caller.kind === 'app') {
      failures.push({
        rule: 'MfaRule',
        reason:
          'This role requires multi-factor authentication, which an application cannot perform; ' +
          'remove MultiFactorAuthentication from the role setting to let applications do this.',
      });
    } else if (!evidence.caller.mfaSatisfied) {
      failures.push({ rule: 'MfaRule', reason: 'Sign in again with multi-factor authentication.' });
    }
  }
  if (enabled.includes('Justification') && isBlank(evidence.justification)) {
    failures.push({ rule: 'JustificationRule', reason: 'A justification is required.' });
  }
  if (
    enabled.includes('Ticketing') &&
    (isBlank(evidence.ticketInfo?.ticketNumber) || isBlank(evidence.ticketInfo?.ticketSystem))
  ) {
    failures.push({ rule: 'TicketingRule', reason: 'A ticket number and a ticket system are required.' });
  } else if (enabled.includes('Ticketing') && rule?.ticketValidationHookId !== undefined) {
    const failure = ticketHookFailure(rule.ticketValidationHookId, evidence.ticketCheck ?? null);
    if (failure !== null) failures.push(failure);
  }
  return failures;
}

/**
 * The role's ticket validation hook must have confirmed this ticket (ADR 0025). It fails closed:
 * an `invalid` answer refuses with the hook's reason, and no usable answer (or an answer from
 * another hook than the rule names now) refuses as "could not be validated".
 */
function ticketHookFailure(hookId: string, check: TicketCheck | null): RuleFailure | null {
  if (check !== null && check.hookId === hookId && check.outcome === 'valid') return null;
  if (check !== null && check.hookId === hookId && check.outcome === 'invalid') {
    return {
      rule: 'TicketingRule',
      reason: `The ticket was refused by the ticket validation hook${check.reason === null ? '.' : `: ${check.reason}`}`,
    };
  }
  const why = check !== null && check.hookId === hookId ? check.reason : null;
  return {
    rule: 'TicketingRule',
    reason: `The ticket could not be validated${why === null ? '' : ` (${why})`}; the activation is refused until the ticket validation hook confirms it.`,
  };
}

/**
 * The authentication-context refusal, if the rule is on and the token's `acrs` lack its claim
 * value. An enabled rule without a claim value fails closed: nothing can satisfy it, and an
 * administrator sees that at once instead of the requirement silently lapsing.
 */
export function checkAuthenticationContext(
  rule: AuthenticationContextRule | undefined,
  acrs: readonly string[],
): RequestError | undefined {
  if (rule === undefined || !rule.isEnabled) return undefined;
  if (rule.claimValue !== null && rule.claimValue !== '' && acrs.includes(rule.claimValue)) return undefined;
  return acrsValidationFailed(rule.claimValue);
}

/**
 * `JustificationRule` for a self extend/renew, which an administrator decides: required when the
 * approval rule says requestors must justify themselves to whoever decides (the default), as Entra's
 * extend dialog asks for a reason.
 */
export function checkRequestorJustification(
  rule: ApprovalRule | undefined,
  justification: string | null,
): RuleFailure[] {
  if (!(rule?.setting.isRequestorJustificationRequired ?? true) || !isBlank(justification)) return [];
  return [
    { rule: 'JustificationRule', reason: 'An administrator decides this request; give a justification.' },
  ];
}

/** Whether an activation waits for approvers (`PendingApproval`). */
export function isApprovalRequired(rule: ApprovalRule | undefined): boolean {
  return rule?.setting.isApprovalRequired ?? false;
}

function tryParseDuration(text: string): number | undefined {
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
}

function isBlank(text: string | null | undefined): boolean {
  return typeof text !== 'string' || text.trim() === '';
}
