import { BadRequestError } from '../shared/errors.js';

/**
 * The rule names Graph puts in `RoleAssignmentRequestPolicyValidationFailed` (reference §1.11), in
 * the order Elevate reports them: the order a requester fixes things in (am I eligible, for how
 * long, then what I must bring). A stable order keeps messages, audit entries and tests
 * byte-identical for the same request.
 */
export const FAILED_RULE_ORDER = [
  'EligibilityRule',
  'ExpirationRule',
  'MfaRule',
  'JustificationRule',
  'TicketingRule',
] as const;
export type FailedRule = (typeof FAILED_RULE_ORDER)[number];

/** The Graph error code for policy failures; its message is {@link policyFailureMessage}. */
export const POLICY_VALIDATION_FAILED = 'RoleAssignmentRequestPolicyValidationFailed';

/** One failing rule with a human reason (for the portal, logs, audit and the error's `details`). */
export interface RuleFailure {
  rule: FailedRule;
  reason: string;
}

/** One entry of a Graph error's `details` list (OData's error detail: `target` is optional). */
export interface ErrorDetail {
  code: string;
  message: string;
  target?: string;
}

/**
 * The request property a requester changes to satisfy each rule, as a detail's `target`. `MfaRule`
 * has none: the token, not the body, lacks the MFA (the `WWW-Authenticate` challenge says how to
 * get it).
 */
const RULE_TARGETS: Readonly<Record<FailedRule, string | undefined>> = {
  EligibilityRule: 'principalId',
  ExpirationRule: 'scheduleInfo.expiration',
  MfaRule: undefined,
  JustificationRule: 'justification',
  TicketingRule: 'ticketInfo',
};

/**
 * Graph's `details` for a policy refusal: one `{code, message, target}` per failing rule, the code
 * being the rule's name and the message its reason, word for word what the audit entry records.
 */
export function failureDetails(failures: readonly RuleFailure[]): ErrorDetail[] {
  return failures.map(({ rule, reason }) => {
    const target = RULE_TARGETS[rule];
    return target === undefined ? { code: rule, message: reason } : { code: rule, message: reason, target };
  });
}

/**
 * Rule names once each, in {@link FAILED_RULE_ORDER}; names Elevate does not produce (such as the
 * legacy `ActivationDayRule`) follow in the order given, so nothing passed in is lost.
 */
export function orderFailedRules(failedRules: readonly string[]): string[] {
  const unique = [...new Set(failedRules)];
  const known: readonly string[] = FAILED_RULE_ORDER;
  return [
    ...FAILED_RULE_ORDER.filter((rule) => unique.includes(rule)),
    ...unique.filter((rule) => !known.includes(rule)),
  ];
}

/**
 * Graph's message for policy failures, exactly: `The following policy rules failed:
 * ["MfaRule","JustificationRule"]` (a JSON array, no spaces), which clients parse to learn what
 * to fix (DESIGN.md invariant 6: every failing rule at once, never one per round trip).
 */
export function policyFailureMessage(failedRules: readonly string[]): string {
  return `The following policy rules failed: ${JSON.stringify(orderFailedRules(failedRules))}`;
}

/**
 * Merges failures so that each rule appears once, in {@link FAILED_RULE_ORDER}, its reasons joined:
 * two checks may fail the same rule (a permanent activation is both unbounded and longer than the
 * eligibility) and Graph names a rule only once.
 */
export function mergeFailures(failures: readonly RuleFailure[]): RuleFailure[] {
  return FAILED_RULE_ORDER.flatMap((rule) => {
    const reasons = [...new Set(failures.filter((f) => f.rule === rule).map((f) => f.reason))];
    return reasons.length === 0 ? [] : [{ rule, reason: reasons.join(' ') }];
  });
}

/**
 * A request refused by policy: 400 `RoleAssignmentRequestPolicyValidationFailed` naming every
 * failing rule, with Graph's fixed message (clients parse it). `details` says why each rule failed,
 * in Graph's `details` shape, so a client need not guess from the names.
 */
export class PolicyViolationError extends BadRequestError {
  readonly failedRules: string[];
  readonly details: ErrorDetail[];
  constructor(
    failedRules: readonly string[],
    readonly failures: readonly RuleFailure[] = [],
  ) {
    super(POLICY_VALIDATION_FAILED, policyFailureMessage(failedRules));
    this.failedRules = orderFailedRules(failedRules);
    this.details = failureDetails(failures);
  }
}
