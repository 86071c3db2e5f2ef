import { evaluateRequest, rejectionOf } from '../../domain/pim/evaluate-request.js';
import type { Evaluation, EvaluationInput } from '../../domain/pim/evaluate-request.js';
import { targetScheduleIdFor } from '../../domain/pim/instance-id.js';
import { resolveWindow } from '../../domain/pim/resolve-window.js';
import type { Window } from '../../domain/pim/types.js';
import { newApprovalSteps } from '../../domain/pim/approval.js';
import { ruleFor } from '../../domain/pim/policy-checks.js';
import { BadRequestError, ForbiddenError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import type { Stores, UnitOfWork } from '../ports.js';
import { applyOutcome } from './apply-outcome.js';
import { asExisting, gather, isSelfAction, type CreateScheduleRequest, type Gathered } from './gather.js';
import { mfaSatisfied } from './mfa.js';
import { PIM_RULES } from '../../domain/pim/permissions.js';
import type { ScheduleRequest } from '../../domain/pim/schedule.js';
import { appendAudit, recordRefusal, type Refusal } from './request-audit.js';
import { retryOnConflict } from './retry.js';
import { WINDOWED } from '../../domain/pim/windowed.js';

export type { CreateScheduleRequest } from './gather.js';

/**
 * Creates a schedule request of either kind, for any action, in one transaction: resolve the window
 * (before it, pure), check the caller may act as an administrator (admin actions), read the state
 * (`gather`), judge it with the pure `evaluateRequest`, then write the request, the schedule change
 * and the audit entries — or, for `isValidationOnly`, nothing. A lost compare-and-set reruns the
 * whole unit (`retryOnConflict`), so losers re-evaluate against the winner. A refusal by policy,
 * state or permission is then recorded as a `failure` entry in a transaction of its own.
 *
 * @throws ValidationError (bad window), ForbiddenError, BadRequestError (`RoleNotFound`,
 *   `SubjectNotFound`, `RoleAssignmentExists`, `RoleAssignmentDoesNotExist`,
 *   `ActiveDurationTooShort`, `RoleAssignmentRequestAcrsValidationFailed`, …),
 *   PolicyViolationError (`RoleAssignmentRequestPolicyValidationFailed`), ConflictError.
 */
export function makeCreateScheduleRequest(deps: { uow: UnitOfWork; clock: Clock; newId: () => string }) {
  return async function create(caller: Caller, cmd: CreateScheduleRequest): Promise<ScheduleRequest> {
    const now = deps.clock.now();
    const window = WINDOWED.has(cmd.action) && cmd.scheduleInfo ? resolveWindow(cmd.scheduleInfo, now) : null;
    let refusal: Refusal | undefined;
    try {
      return await retryOnConflict(() =>
        deps.uow.run(async (tx) => {
          refusal = undefined;
          if (!isSelfAction(cmd.action)) {
            try {
              await authorize(tx, caller, PIM_RULES.write[cmd.kind], now);
            } catch (e) {
              if (e instanceof ForbiddenError) refusal = { error: e, failures: [] };
              throw e;
            }
          }
          const g = await gather(tx, caller, cmd, window, now);
          const evaluation = evaluateRequest(evaluationInput(caller, cmd, g, window, now));
          const rejection = (await pendingActivation(tx, cmd, g, now)) ?? rejectionOf(evaluation);
          if (rejection) {
            refusal = { error: rejection, gathered: g, failures: evaluation.failures };
            throw rejection;
          }
          const id = deps.newId();
          const steps =
            evaluation.outcome.status === 'PendingApproval'
              ? approvalStepsFor(g, caller.tenantId, id, deps.newId, now)
              : [];
          const request = newRequest(
            id,
            caller,
            cmd,
            g,
            evaluation,
            window,
            now,
            steps[0]?.deadlineAt ?? null,
          );
          if (cmd.isValidationOnly) return request;
          const schedule = await applyOutcome(tx, deps.newId, cmd, g, request, evaluation, now);
          await tx.approvalSteps.insert(steps);
          await appendAudit(
            tx,
            deps.newId,
            caller,
            cmd,
            g,
            request,
            schedule ?? evaluation.outcome.window ?? window,
            now,
          );
          return request;
        }),
      );
    } catch (e) {
      if (refusal !== undefined && e === refusal.error && !cmd.isValidationOnly) {
        await recordRefusal(deps, caller, cmd, refusal, window, now);
      }
      throw e;
    }
  };
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

function evaluationInput(
  caller: Caller,
  cmd: CreateScheduleRequest,
  g: Gathered,
  window: Window | null,
  now: number,
): EvaluationInput {
  return {
    kind: cmd.kind,
    action: cmd.action,
    now,
    window,
    requested: WINDOWED.has(cmd.action) ? cmd.scheduleInfo : null,
    justification: cmd.justification,
    ticketInfo: cmd.ticketInfo,
    caller: {
      kind: caller.kind,
      isPrincipal: g.isPrincipal,
      mfaSatisfied: mfaSatisfied(caller, now),
      // The authentication-context claim (`acrs`) reaches the Caller with the identity work.
      acrs: [],
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
  caller: Caller,
  cmd: CreateScheduleRequest,
  g: Gathered,
  evaluation: Evaluation,
  window: Window | null,
  now: number,
  approvalDeadline: number | null,
): ScheduleRequest {
  const { outcome } = evaluation;
  const outcomeWindow = outcome.window ?? window;
  const windowed = WINDOWED.has(cmd.action) && outcomeWindow != null;
  const status = outcome.status;
  return {
    id,
    tenantId: caller.tenantId,
    kind: cmd.kind,
    action: cmd.action,
    status,
    principalId: cmd.principalId,
    roleDefinitionId: g.role.id,
    directoryScopeId: cmd.directoryScopeId,
    appScopeId: null,
    targetScheduleId: targetScheduleIdFor(cmd.action, id, g.target?.id ?? null),
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
