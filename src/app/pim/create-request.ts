import { PIM_ACTIONS, lastingOf, targetScheduleIdFor, type PimAction } from '../../domain/pim/actions.js';
import { newApprovalSteps } from '../../domain/pim/approval.js';
import { evaluateRequest, rejectionOf } from '../../domain/pim/evaluate-request.js';
import type { Evaluation, EvaluationInput } from '../../domain/pim/evaluate-request.js';
import {
  activationEnded,
  requestAccepted,
  requestRefused,
  ticketText,
  type PimSubject,
} from '../../domain/pim/pim-events.js';
import { PIM_ACTIVITIES } from '../../domain/pim/activities.js';
import { contextSatisfied } from '../../domain/authn/authentication-context.js';
import { subjectOf } from './principals.js';
import type { RuleFailure } from '../../domain/pim/policy-failure.js';
import type { TicketCheck } from '../../domain/decision-hooks/answers.js';
import { ruleFor } from '../../domain/pim/policy-checks.js';
import { resolveWindow } from '../../domain/pim/resolve-window.js';
import type { Schedule, ScheduleRequest } from '../../domain/pim/schedule.js';
import type { Window } from '../../domain/pim/types.js';
import type { KeyValue } from '../../domain/audit/entry.js';
import { BadRequestError, ForbiddenError, type DomainError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import type { Stores, UnitOfWork } from '../ports.js';
import { asExisting, gather, type CreateScheduleRequest, type Gathered } from './gather.js';
import { mfaSatisfied } from './mfa.js';
import { retryOnConflict } from './retry.js';
import { writeSchedule } from './write-schedule.js';
import { TARGETS } from './targets.js';

export type { CreateScheduleRequest } from './gather.js';

const resourceTypeOf = (cmd: CreateScheduleRequest) => cmd.resourceType ?? 'directoryRole';

/** What one run of the unit decided: the request, or why it was refused (recorded already). */
type Decided = { request: ScheduleRequest } | { refused: DomainError };

/** One request being decided: the command, the caller, and what the unit read once. */
interface Asked {
  caller: Caller;
  cmd: CreateScheduleRequest;
  action: PimAction;
  window: Window | null;
  now: number;
  mfa: boolean;
  /** The ticket validation hook's answer, asked before the unit of work (ADR 0025). */
  ticketCheck: TicketCheck | null;
}

/** Asks the role's ticket validation hook, outside any transaction (`app/decision-hooks`). */
export type CheckTicket = (
  caller: Caller,
  cmd: CreateScheduleRequest,
  window: Window | null,
  now: number,
) => Promise<TicketCheck | null>;

/**
 * Creates a schedule request of either kind, for any action, in one transaction: resolve the window
 * (before it, pure), check the caller may act as an administrator (admin actions), read the state
 * (`gather`), judge it with the pure `evaluateRequest`, then write the request, the schedule change
 * (by the action's declared effect) and record what happened — or, for `isValidationOnly`, nothing.
 * A refusal by policy, state or permission is recorded as a `failure` in the same transaction
 * (nothing else was written) and thrown after commit. A lost compare-and-set reruns the whole unit
 * (`retryOnConflict`), so losers re-evaluate against the winner.
 *
 * @throws ValidationError (bad window), ForbiddenError, BadRequestError (`RoleNotFound`,
 *   `SubjectNotFound`, `RoleAssignmentExists`, `RoleAssignmentDoesNotExist`,
 *   `ActiveDurationTooShort`, `RoleAssignmentRequestAcrsValidationFailed`, …),
 *   PolicyViolationError (`RoleAssignmentRequestPolicyValidationFailed`), ConflictError.
 */
export function makeCreateScheduleRequest(deps: {
  uow: UnitOfWork;
  clock: Clock;
  newId: () => string;
  /** The ticket validation hook; without it, a role that names one refuses every ticket (fail closed). */
  checkTicket?: CheckTicket;
}) {
  return async function create(caller: Caller, cmd: CreateScheduleRequest): Promise<ScheduleRequest> {
    const now = deps.clock.now();
    const action = PIM_ACTIONS[cmd.action];
    const window = action.windowed && cmd.scheduleInfo ? resolveWindow(cmd.scheduleInfo, now) : null;
    // The hook is asked before the unit of work: no HTTP call inside a transaction.
    const ticketCheck = (await deps.checkTicket?.(caller, cmd, window, now)) ?? null;
    const asked: Asked = { caller, cmd, action, window, now, mfa: mfaSatisfied(caller, now), ticketCheck };
    const decided = await retryOnConflict(() => deps.uow.run((tx) => decide(tx, deps.newId, asked)));
    if ('refused' in decided) throw decided.refused;
    return decided.request;
  };
}

async function decide(tx: Stores, newId: () => string, a: Asked): Promise<Decided> {
  const { caller, cmd, action, now } = a;
  if (!action.self) {
    try {
      const adapter = TARGETS[resourceTypeOf(cmd)];
      await authorize(tx, caller, adapter.permissions.write[cmd.kind], now);
      const extra = await adapter.adminRequirement(
        tx,
        caller.tenantId,
        cmd.roleDefinitionId,
        cmd.directoryScopeId,
      );
      if (extra !== null) await authorize(tx, caller, extra, now);
    } catch (e) {
      if (e instanceof ForbiddenError) return refuse(tx, newId, a, e, undefined, []);
      throw e;
    }
  }
  const g = await gather(tx, caller, cmd, a.window, now);
  // MFA counts if done within the role's own maximum age, or the server-wide one (ADR 0021).
  const maxAgeMinutes = ruleFor(g.rules, 'Enablement_EndUser_Assignment')?.elevateMfaMaxAgeMinutes;
  a.mfa = mfaSatisfied(caller, now, maxAgeMinutes === undefined ? undefined : maxAgeMinutes * 60_000);
  const acrs = await satisfiedContexts(tx, caller, g, now);
  const evaluation = evaluateRequest(evaluationInput(a, g, acrs));
  const rejection = (await pendingActivation(tx, cmd, g, now)) ?? rejectionOf(evaluation);
  if (rejection) return refuse(tx, newId, a, rejection, g, evaluation.failures);

  const id = cmd.requestId ?? newId();
  const steps =
    evaluation.outcome.status === 'PendingApproval'
      ? approvalStepsFor(g, caller.tenantId, id, newId, now)
      : [];
  const request = newRequest(id, a, g, evaluation, steps[0]?.deadlineAt ?? null);
  if (cmd.isValidationOnly) return { request };
  await TARGETS[resourceTypeOf(cmd)].onboard(tx, caller.tenantId, cmd.directoryScopeId);
  const { schedule, cascade } = await writeSchedule(tx, newId, g, request, evaluation.outcome, now);
  await tx.scheduleRequests.insert(request);
  await tx.approvalSteps.insert(steps);
  tx.events.record({ caller }, now, acceptedEvent(a, g, request, schedule, evaluation));
  for (const ended of cascade) {
    const subject = await subjectOf(
      tx,
      caller.tenantId,
      'assignment',
      ended.roleDefinitionId,
      ended.principalId,
      ended.principalType,
      { roleName: g.role.displayName },
    );
    tx.events.record(
      { caller },
      now,
      activationEnded(subject, ended, PIM_ACTIVITIES.activationEndedWithEligibility, request.id),
    );
  }
  return { request };
}

/** Records the refusal (not for `isValidationOnly`) and hands the error back to be thrown after commit. */
function refuse(
  tx: Stores,
  newId: () => string,
  a: Asked,
  error: DomainError,
  g: Gathered | undefined,
  failures: readonly RuleFailure[],
): Decided {
  if (a.cmd.isValidationOnly) return { refused: error };
  const asked = a.window ?? g?.target?.window ?? null;
  const reason = [error.message, ...failures.map((f) => `${f.rule}: ${f.reason}`)].join(' ');
  tx.events.record(
    { caller: a.caller },
    a.now,
    requestRefused(
      requestSubject(a.cmd, g),
      { objectId: newId(), justification: a.cmd.justification, ticket: ticketText(a.cmd.ticketInfo) },
      a.action.requested(a.cmd.kind, lastingOf(asked)),
      asked,
      detailsOf(a, g),
      reason,
    ),
  );
  return { refused: error };
}

function acceptedEvent(
  a: Asked,
  g: Gathered,
  request: ScheduleRequest,
  schedule: Schedule | null,
  evaluation: Evaluation,
) {
  const window = schedule?.window ?? evaluation.outcome.window ?? a.window;
  // Permanent or time-bound: what was assigned, or for a removal what is being removed.
  const lasting = g.target !== null && !a.action.windowed ? g.target.window : window;
  const details: KeyValue[] = [
    { key: 'RequestId', value: request.id },
    ...(schedule ? [{ key: 'ScheduleId', value: schedule.id }] : []),
    ...detailsOf(a, g),
  ];
  const activities = a.action.accepted(a.cmd.kind, request.status, lastingOf(lasting));
  return requestAccepted(requestSubject(a.cmd, g), request, activities, window, schedule, details);
}

/** The role and principal as the audit names them (ids only when the request never got that far). */
function requestSubject(cmd: CreateScheduleRequest, g: Gathered | undefined): PimSubject {
  return {
    kind: cmd.kind,
    role: { id: g?.role.id ?? cmd.roleDefinitionId, displayName: g?.role.displayName ?? null },
    principal: {
      id: cmd.principalId,
      type: g?.principal.type,
      displayName: g?.principal.displayName ?? null,
      userPrincipalName: g?.principal.userPrincipalName ?? null,
    },
  };
}

function detailsOf(a: Asked, g: Gathered | undefined): KeyValue[] {
  const details: KeyValue[] = [{ key: 'Action', value: a.cmd.action }];
  // PIM for Groups: the role target is the access id; the group is named here.
  if (resourceTypeOf(a.cmd) === 'group') {
    details.push({ key: 'GroupId', value: a.cmd.directoryScopeId });
    details.push({ key: 'AccessId', value: a.cmd.roleDefinitionId });
  }
  if (a.action.self) details.push({ key: 'IsAuthenticatedWithMfa', value: String(a.mfa) });
  if (a.ticketCheck !== null) {
    details.push({ key: 'TicketValidationHookId', value: a.ticketCheck.hookId });
    details.push({ key: 'TicketValidationResult', value: a.ticketCheck.outcome });
    details.push({ key: 'TicketValidationLatencyMs', value: String(a.ticketCheck.latencyMs) });
    if (a.ticketCheck.reason !== null)
      details.push({ key: 'TicketValidationReason', value: a.ticketCheck.reason });
  }
  if (g?.eligibility) {
    details.push({ key: 'EligibilityScheduleId', value: g.eligibility.schedule.id });
    details.push({ key: 'MemberType', value: g.eligibility.memberType });
  }
  return details;
}

/**
 * A second `selfActivate` of the same role and scope while one waits for approval is refused with
 * `PendingRoleAssignmentRequest` (the code of Entra's PIM v2 API; Entra refuses it too). Waiting
 * requests bump the slot, so two concurrent ones give one `PendingApproval` and this error.
 */
async function pendingActivation(
  tx: Stores,
  cmd: CreateScheduleRequest,
  g: Gathered,
  now: number,
): Promise<BadRequestError | undefined> {
  if (cmd.action !== 'selfActivate' || !g.isPrincipal) return undefined;
  const pending = await tx.scheduleRequests.pendingApproval(g.slot, now);
  if (pending === undefined) return undefined;
  return new BadRequestError(
    'PendingRoleAssignmentRequest',
    `A request to activate this role at this scope is already pending approval (${pending.id}); cancel it or wait for its decision.`,
  );
}

/** The approval stages of a new `PendingApproval` request, from the role's approval rule as it is now. */
function approvalStepsFor(
  g: Gathered,
  tenantId: string,
  approvalId: string,
  newId: () => string,
  now: number,
) {
  const rule = ruleFor(g.rules, 'Approval_EndUser_Assignment');
  if (rule === undefined) return [];
  return newApprovalSteps(rule.setting, { tenantId, approvalId, newId }, now);
}

/**
 * The authentication context the role's setting names, if the caller satisfies it now: named by
 * their token (Elevate's `acrs`, or a trusted issuer's value the context lists) and within the
 * context's maximum age, checked again here because a token outlives the sign-in it came from.
 * Only that context is read: it is the only one the evaluation asks about.
 */
async function satisfiedContexts(tx: Stores, caller: Caller, g: Gathered, now: number): Promise<string[]> {
  const rule = ruleFor(g.rules, 'AuthenticationContext_EndUser_Assignment');
  if (rule === undefined || !rule.isEnabled || rule.claimValue === null || caller.kind !== 'user') return [];
  const context = await tx.authenticationContexts.get(caller.tenantId, rule.claimValue);
  const evidence = {
    acrs: caller.acrs ?? [],
    externalAcrValues: caller.externalAcrValues ?? [],
    authTimeMs: caller.authTimeMs,
  };
  return contextSatisfied(context, evidence, now) ? [rule.claimValue] : [];
}

function evaluationInput(a: Asked, g: Gathered, acrs: readonly string[]): EvaluationInput {
  const { caller, cmd } = a;
  return {
    kind: cmd.kind,
    action: cmd.action,
    now: a.now,
    window: a.window,
    requested: a.action.windowed ? cmd.scheduleInfo : null,
    justification: cmd.justification,
    ticketInfo: cmd.ticketInfo,
    ticketCheck: a.ticketCheck,
    caller: {
      kind: caller.kind,
      isPrincipal: g.isPrincipal,
      mfaSatisfied: a.mfa,
      acrs: [...acrs],
    },
    rules: g.rules,
    eligibility: g.eligibility?.schedule.window ?? null,
    activeAssignment: asExisting(g.existing),
    target: asExisting(g.target),
  };
}

/** The request as Graph returns it, with its status, window and ids as decided. */
function newRequest(
  id: string,
  a: Asked,
  g: Gathered,
  evaluation: Evaluation,
  approvalDeadline: number | null,
): ScheduleRequest {
  const { caller, cmd, now } = a;
  const { outcome } = evaluation;
  const outcomeWindow = outcome.window ?? a.window;
  const windowed = a.action.windowed && outcomeWindow != null;
  const status = outcome.status;
  return {
    id,
    tenantId: caller.tenantId,
    kind: cmd.kind,
    resourceType: resourceTypeOf(cmd),
    action: cmd.action,
    status,
    principalId: cmd.principalId,
    roleDefinitionId: g.role.id,
    directoryScopeId: cmd.directoryScopeId,
    appScopeId: null,
    targetScheduleId: targetScheduleIdFor(
      cmd.action,
      TARGETS[resourceTypeOf(cmd)].scheduleId(id, g.role.id, cmd.directoryScopeId),
      g.target?.id ?? null,
    ),
    activatedUsing: cmd.action === 'selfActivate' ? (g.eligibility?.schedule.id ?? null) : null,
    justification: cmd.justification,
    ticketInfo: cmd.ticketInfo ?? { ticketNumber: null, ticketSystem: null },
    scheduleInfo: windowed
      ? {
          startDateTime: outcomeWindow.start,
          expiration: cmd.scheduleInfo?.expiration ?? {
            type: 'noExpiration',
            endDateTime: null,
            duration: null,
          },
        }
      : null,
    createdAt: now,
    completedAt:
      status === 'Provisioned'
        ? now
        : status === 'Granted' && outcomeWindow != null
          ? outcomeWindow.start
          : null,
    createdBy: { kind: caller.kind, id: caller.id, appId: caller.appId },
    approvalId: status === 'PendingApproval' ? id : null,
    approvalDeadline,
    customData: cmd.customData,
    isValidationOnly: cmd.isValidationOnly,
    version: 1,
  };
}
