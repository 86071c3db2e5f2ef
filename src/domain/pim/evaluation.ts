import type { TicketCheck } from '../decision-hooks/answers.js';
// The shapes of a policy verdict, and the small helpers every action's evaluator shares.
import type { PolicyRule } from '../policy/types.js';
import { mergeFailures } from './policy-failure.js';
import type { FailedRule, RuleFailure } from './policy-failure.js';
import type { RequestError } from './request-error.js';
import type {
  ExistingSchedule,
  RequestAction,
  RequestCaller,
  RequestStatus,
  RequestedSchedule,
  ScheduleKind,
  TicketInfo,
  Window,
} from './types.js';
import { endWindowAt, isCurrentOrFuture } from './window.js';

/**
 * Everything policy needs to judge one schedule request, gathered by the use case inside its
 * transaction (state read at `now`, the clock read once).
 */
export interface EvaluationInput {
  kind: ScheduleKind;
  action: RequestAction;
  now: number;
  /** The window from `resolveWindow`; absent when the request has no `scheduleInfo` (removals). */
  window?: Window | null;
  /** The parsed `scheduleInfo`, as the client sent it (the window above is what policy judges). */
  requested?: RequestedSchedule | null;
  justification: string | null;
  ticketInfo: TicketInfo | null;
  /** `selfActivate`: the ticket validation hook's answer, when the role names one (ADR 0025). */
  ticketCheck?: TicketCheck | null;
  caller: RequestCaller;
  /** The 17 rules of the policy for this role and scope. */
  rules: readonly PolicyRule[];
  /**
   * `selfActivate`: the principal's eligibility (direct or through a group) holding at the
   * activation's start (now, unless a future start was asked); with several, the one ending last.
   */
  eligibility?: Window | null;
  /**
   * `adminAssign`, `selfActivate`: the principal's existing schedule of the request's kind for this
   * role and scope (for `selfActivate`, any assignment, `Assigned` or `Activated`). An ended one is
   * ignored, so the store may pass the latest whatever its state.
   */
  activeAssignment?: ExistingSchedule | null;
  /** Removal, deactivation, update, extension, renewal: the schedule the request acts on. */
  target?: ExistingSchedule | null;
}

/** What happens to an accepted request, and over which window the schedule then holds. */
export interface RequestOutcome {
  status: RequestStatus;
  /** The request waits for the approval engine (`PendingApproval`, `approvalId` = request id). */
  requiresApproval: boolean;
  /** The schedule's window: the new one, or for removals the old one ended at `now`. */
  window?: Window;
}

/**
 * The verdict on a request. It is refused when `failedRules` is non-empty or `error` is set, and
 * then `outcome.status` is `Failed`. Policy failures are all collected (invariant 6) even when a
 * state error is also present; `rejectionOf` picks what to answer.
 */
export interface Evaluation {
  /** Each failing rule once, in `FAILED_RULE_ORDER`. */
  failedRules: FailedRule[];
  /** The same rules, with reasons a person can act on. */
  failures: RuleFailure[];
  error?: RequestError;
  outcome: RequestOutcome;
}

/** Folds failures and the state error into an Evaluation; `accepted` runs only if there are none. */
export function settle(
  failures: readonly RuleFailure[],
  error: RequestError | undefined,
  accepted: () => RequestOutcome,
): Evaluation {
  const merged = mergeFailures(failures);
  const refused = merged.length > 0 || error !== undefined;
  return {
    failedRules: merged.map((failure) => failure.rule),
    failures: merged,
    ...(error === undefined ? {} : { error }),
    outcome: refused ? { status: 'Failed', requiresApproval: false } : accepted(),
  };
}

/** The `accepted` callback for a refusal made before any outcome exists; `settle` never calls it. */
export function noOutcome(): RequestOutcome {
  return { status: 'Failed', requiresApproval: false };
}

/** A request without `scheduleInfo` asks for "from now, no end"; policy decides if that is allowed. */
export function windowOf(input: EvaluationInput): Window {
  return input.window ?? { start: input.now, end: null };
}

/** `Provisioned` when the schedule holds by now (Entra's "takes effect now"), `Granted` for a future start. */
export function startStatus(window: Window, now: number): RequestStatus {
  return window.start <= now ? 'Provisioned' : 'Granted';
}

/** A removal's outcome: `Revoked`, with the schedule's window ended now. */
export function revoked(window: Window, now: number): RequestOutcome {
  return { status: 'Revoked', requiresApproval: false, window: endWindowAt(window, now) };
}

/** Whether an existing schedule still counts at `now` (holds or is due); ended ones are history. */
export function existsAt(schedule: ExistingSchedule | null | undefined, now: number): boolean {
  return schedule != null && isCurrentOrFuture(schedule.window, now);
}
