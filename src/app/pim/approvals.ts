import {
  ApprovalStateError,
  requestedDurationMs,
  shortestApprovedMs,
  stageOutcome,
  startStep,
  stepStatusAt,
  type ApprovalDecision,
  type ApprovalStep,
  type StepStatus,
} from '../../domain/pim/approval.js';
import { formatDuration, parseDuration } from '../../domain/time/duration.js';
import { describeInstant } from '../../domain/pim/window.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import type { Caller } from '../authorization/caller.js';
import type { Actor } from '../events/ports.js';
import type { KeyValue } from '../../domain/audit/entry.js';
import type { Stores, UnitOfWork } from '../ports.js';
import { PIM_ACTIVITIES } from '../../domain/pim/activities.js';
import { approvalEvent, type ApprovalFacts } from '../../domain/pim/pim-events.js';
import { subjectOf } from './principals.js';
import { grantApproved } from './approval-outcome.js';
import { applyApprovedExtension } from './extension-outcome.js';
import { approvesStep } from './approvers.js';
import { normalizeId } from './ids.js';
import type { ResourceType } from '../../domain/pim/types.js';
import { TARGETS } from './targets.js';
import type { ScheduleRequest } from '../../domain/pim/schedule.js';
import { retryOnConflict } from './retry.js';
import { can } from './schedule-requests.js';
import { requestStatusAt } from '../../domain/pim/status.js';
import { parseQueryOptions } from '../../odata/index.js';
import { scheduleRequestFields } from '../../odata/collections.js';

/** A stage as the caller reads it at `now`. */
export interface ApprovalStepView {
  step: ApprovalStep;
  status: StepStatus;
  /** The caller approves this stage (and is not the requestor). */
  assignedToMe: boolean;
  reviewedBy: { id: string; displayName: string | null } | null;
}

/** `roleAssignmentApproval` (beta): the approval of one activation request, id = the request's id. */
export interface ApprovalView {
  id: string;
  steps: ApprovalStepView[];
}

/** `PATCH …/steps/{id}`, parsed at the edge. */
export interface StepDecision {
  reviewResult: 'Approve' | 'Deny';
  justification: string | null;
  /**
   * Elevate extension (`@elevate.approvedDuration`): the approver approves a shorter activation
   * than asked for (ISO-8601 duration, at least PT5M, at most the requested duration).
   */
  approvedDuration?: string | null;
  /**
   * Set when the decision comes through an approval link (chat buttons): the link's id, recorded
   * in the decision's transaction so the link decides once, and noted in the audit entry.
   */
  approvalLink?: { id: string; expiresAt: number };
}

/** How many of the requester's recent activations an approver sees (ADR 0043). */
export const REQUESTER_HISTORY_SIZE = 20;

/** The shortest activation an approver may approve (the activation rule's own minimum). */
const MIN_APPROVED_DURATION_MS = 5 * 60_000;

const notFound = () =>
  new NotFoundError('The approval does not exist or is not visible to you.', 'Request_ResourceNotFound');

const isRequestor = (r: ScheduleRequest, caller: Caller) =>
  r.principalId === caller.id || r.createdBy.id === caller.id;

/**
 * The approval of a request and its started stages, if the caller may see it: its requestor, an
 * approver of one of its stages (at `now`), or a reader of all PIM requests. Others get 404.
 * @throws NotFoundError
 */
async function visibleApproval(
  tx: Stores,
  caller: Caller,
  id: string,
  now: number,
  resourceType: ResourceType,
) {
  // Activations (and extensions of active assignments) are assignment requests; extensions and
  // renewals of eligibilities (`isApprovalRequiredForExtension`) are eligibility requests.
  const request =
    (await tx.scheduleRequests.get(caller.tenantId, 'assignment', normalizeId(id))) ??
    (await tx.scheduleRequests.get(caller.tenantId, 'eligibility', normalizeId(id)));
  // Each resource type's approvals live under its own Graph surface; another's id is unknown here.
  if (!request || request.approvalId === null || request.resourceType !== resourceType) throw notFound();
  const steps = (await tx.approvalSteps.list(caller.tenantId, request.id)).filter(
    (s) => s.status !== 'NotStarted',
  );
  if (steps.length === 0) throw notFound();
  const reader = TARGETS[resourceType].permissions.read.assignment;
  if (isRequestor(request, caller) || (await can(tx, caller, reader, now))) {
    return { request, steps };
  }
  if (caller.kind === 'user') {
    for (const s of steps) if (await approvesStep(tx, s, caller.id, now)) return { request, steps };
  }
  throw notFound();
}

/**
 * Approvals of directory-role activations (reference §3, beta `roleAssignmentApprovals`): read
 * one with its stages, and decide a stage. Stages are snapshots of the role's approval rule taken
 * when the request was made; `Serial` has two, the second starting when the first approves.
 */
export function makeApprovals(deps: { uow: UnitOfWork; clock: Clock; newId: () => string }) {
  return {
    /** @throws NotFoundError */
    async get(
      caller: Caller,
      id: string,
      resourceType: ResourceType = 'directoryRole',
    ): Promise<ApprovalView> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        const { request, steps } = await visibleApproval(tx, caller, id, now, resourceType);
        const status = requestStatusAt(request, now);
        const mine = caller.kind === 'user' && !isRequestor(request, caller);
        const views: ApprovalStepView[] = [];
        for (const step of steps) {
          const reviewer =
            step.reviewedById === null ? undefined : await tx.users.get(caller.tenantId, step.reviewedById);
          views.push({
            step,
            status: stepStatusAt(step, status, now),
            assignedToMe: mine && (await approvesStep(tx, step, caller.id, now)),
            reviewedBy:
              step.reviewedById === null
                ? null
                : { id: step.reviewedById, displayName: reviewer?.displayName ?? null },
          });
        }
        return { id: request.id, steps: views };
      });
    },

    /**
     * Elevate (ADR 0043): the requester's recent activation requests of the same role, newest first
     * (at most {@link REQUESTER_HISTORY_SIZE}, this request left out), for an approver the request
     * waits for: a user, not its requestor, who approves its stage in progress at `now`. Anyone
     * else — a reader of all requests too, the approver of a stage not started, decided or timed
     * out, or of a request no longer pending — gets 404: the history is lent to the decision only.
     * @throws NotFoundError
     */
    async requesterActivations(
      caller: Caller,
      id: string,
    ): Promise<{ items: ScheduleRequest[]; now: number }> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        const request = await tx.scheduleRequests.get(
          caller.tenantId,
          'assignment',
          normalizeId(id),
          'directoryRole',
        );
        if (!request || request.approvalId === null || caller.kind !== 'user' || isRequestor(request, caller))
          throw notFound();
        const status = requestStatusAt(request, now);
        if (status !== 'PendingApproval') throw notFound();
        const steps = await tx.approvalSteps.list(caller.tenantId, request.id);
        let waitsForCaller = false;
        for (const step of steps) {
          if (step.status === 'NotStarted' || stepStatusAt(step, status, now) !== 'InProgress') continue;
          if (await approvesStep(tx, step, caller.id, now)) waitsForCaller = true;
        }
        if (!waitsForCaller) throw notFound();
        const q = parseQueryOptions(
          {
            $filter: "action eq 'selfActivate'",
            $orderby: 'createdDateTime desc',
            $top: String(REQUESTER_HISTORY_SIZE + 1),
          },
          { fields: scheduleRequestFields },
        );
        const page = await tx.scheduleRequests.list(
          caller.tenantId,
          'assignment',
          q,
          { principalId: request.principalId, roleDefinitionIds: [request.roleDefinitionId] },
          now,
        );
        const items = page.items.filter((r) => r.id !== request.id).slice(0, REQUESTER_HISTORY_SIZE);
        return { items, now };
      });
    },

    /**
     * Approves or denies the current stage. Only a user who approves the stage at `now` may, never
     * the requestor; a stage needs the approver's justification when its settings say so. Deny ends
     * the request (`Denied`); approving stage 1 of 2 starts stage 2 with its own timeout; approving
     * the last stage grants the activation in the same transaction (see `grantApproved`). Two
     * approvers deciding one stage at once: compare-and-set on the stage, one wins and the other
     * re-reads and gets 409.
     * @throws ForbiddenError (applications; the requestor; not an approver), NotFoundError,
     *   ValidationError (justification required), ApprovalStateError (decided, timed out, ended)
     */
    async decide(
      caller: Caller,
      id: string,
      stepId: string,
      decision: StepDecision,
      resourceType: ResourceType = 'directoryRole',
    ): Promise<void> {
      if (caller.kind !== 'user') {
        throw new ForbiddenError('Applications cannot approve requests; an approver must sign in as a user.');
      }
      const now = deps.clock.now();
      await retryOnConflict(() =>
        deps.uow.run(async (tx) => {
          const { request, steps } = await visibleApproval(tx, caller, id, now, resourceType);
          const step = steps.find((s) => s.id === normalizeId(stepId));
          if (step === undefined) {
            throw new NotFoundError('The approval step does not exist.', 'Request_ResourceNotFound');
          }
          if (isRequestor(request, caller)) {
            throw new ForbiddenError('Nobody can approve or deny their own request.');
          }
          if (!(await approvesStep(tx, step, caller.id, now))) {
            throw new ForbiddenError('You are not an approver of this approval stage.');
          }
          const status = requestStatusAt(request, now);
          const stepStatus = stepStatusAt(step, status, now);
          if (step.status === 'Completed') {
            throw new ApprovalStateError('This approval stage has already been decided.');
          }
          if (stepStatus === 'Expired') {
            throw new ApprovalStateError(
              `This approval stage timed out on ${describeInstant(step.deadlineAt ?? now)}; the request was denied.`,
            );
          }
          if (status !== 'PendingApproval') {
            throw new ApprovalStateError(`The request is ${status}; it no longer waits for approval.`);
          }
          if (step.decisions.some((d) => d.approverId === caller.id)) {
            throw new ApprovalStateError(
              'You have already decided this approval stage; it waits for other approvers.',
            );
          }
          if (step.isJustificationRequired && (decision.justification ?? '').trim() === '') {
            throw new ValidationError(
              'This approval stage requires a justification from the approver.',
              'justification',
            );
          }
          checkApprovedDuration(request, decision);
          const link = decision.approvalLink;
          if (
            link !== undefined &&
            !(await tx.approvalLinkUses.use({
              id: link.id,
              tenantId: caller.tenantId,
              requestId: request.id,
              approverId: caller.id,
              usedAt: now,
              expiresAt: link.expiresAt,
            }))
          ) {
            throw new ApprovalStateError('This approval link has already been used.');
          }
          await decideStep(
            tx,
            deps.newId,
            { id: caller.id, actor: { caller } },
            request,
            step,
            decision,
            now,
          );
        }),
      );
    },
  };
}

/**
 * `@elevate.approvedDuration` is for approvals only, at least {@link MIN_APPROVED_DURATION_MS} and
 * no longer than the request asked for (a permanent request may be shortened to anything).
 * @throws ValidationError
 */
function checkApprovedDuration(request: ScheduleRequest, decision: StepDecision): void {
  const text = decision.approvedDuration ?? null;
  if (text === null) return;
  const target = '@elevate.approvedDuration';
  if (decision.reviewResult !== 'Approve') {
    throw new ValidationError('Only an approval can shorten the requested duration.', target);
  }
  if (request.action !== 'selfActivate') {
    throw new ValidationError('Only an activation can be shortened when approving.', target);
  }
  const ms = parseDuration(text, target);
  const asked = request.scheduleInfo === null ? null : requestedDurationMs(request.scheduleInfo);
  if (ms < MIN_APPROVED_DURATION_MS || (asked !== null && ms > asked)) {
    const most = asked === null ? '' : ` and at most the requested ${formatDuration(asked)}`;
    throw new ValidationError(`The approved duration must be at least PT5M${most}.`, target);
  }
}

/** Who decides: an approver (their id, as the caller) or a decision hook (its id, as Elevate). */
export interface Decider {
  id: string;
  actor: Actor;
  /** Audit details the decider adds (a hook's id and latency). */
  details?: KeyValue[];
}

/**
 * Records one decision on a stage in the caller's transaction: the decision row (each decider
 * counts once), the stage's compare-and-set, and what follows (next stage, denial, or the grant).
 * Used by approvers through `decide` and by decision hooks (`app/decision-hooks/auto-decide.ts`),
 * whose checks come first.
 */
export async function decideStep(
  tx: Stores,
  newId: () => string,
  who: Decider,
  request: ScheduleRequest,
  step: ApprovalStep,
  decision: StepDecision,
  now: number,
): Promise<void> {
  const approve = decision.reviewResult === 'Approve';
  const mine: ApprovalDecision = {
    approverId: who.id,
    reviewResult: approve ? 'Approved' : 'Denied',
    justification: decision.justification,
    approvedDuration: approve ? (decision.approvedDuration ?? null) : null,
    decidedAt: now,
  };
  // The decision row makes each approver count once; the stage's version makes two approvers
  // deciding at once serialize, so the quorum is reached (and the grant written) exactly once.
  await tx.approvalSteps.addDecision(step.id, mine);
  const outcome = stageOutcome(step, mine);
  const approvals = new Set(
    [...step.decisions, mine].filter((d) => d.reviewResult === 'Approved').map((d) => d.approverId),
  ).size;
  await tx.approvalSteps.update(
    outcome === 'Pending'
      ? step
      : {
          ...step,
          status: 'Completed',
          reviewResult: outcome,
          reviewedById: who.id,
          reviewedAt: now,
          justification: decision.justification,
        },
    step.version,
  );
  const subject = await subjectOf(
    tx,
    request.tenantId,
    request.kind,
    request.roleDefinitionId,
    request.principalId,
  );
  const record = (facts: ApprovalFacts) => tx.events.record(who.actor, now, approvalEvent(subject, facts));
  const extension = request.action === 'selfExtend' || request.action === 'selfRenew';
  const requested =
    request.scheduleInfo === null ? null : { start: request.scheduleInfo.startDateTime, end: null };
  const decided: Pick<ApprovalFacts, 'type' | 'justification' | 'window' | 'details' | 'stageCompleted'> = {
    type: 'pim.approvalStepDecided',
    justification: decision.justification,
    window: requested,
    stageCompleted: outcome !== 'Pending',
    details: [
      { key: 'ApprovalStage', value: String(step.stageIndex + 1) },
      ...(approve && step.quorum > 1
        ? [{ key: 'ApprovalsCounted', value: `${approvals} of ${step.quorum}` }]
        : []),
      ...(mine.approvedDuration === null ? [] : [{ key: 'ApprovedDuration', value: mine.approvedDuration }]),
      ...(who.details ?? []),
      ...(decision.approvalLink === undefined
        ? []
        : [
            { key: 'DecidedThrough', value: 'ApprovalLink' },
            { key: 'ApprovalLinkId', value: decision.approvalLink.id },
          ]),
    ],
  };

  if (outcome === 'Denied') {
    const denied: ScheduleRequest = { ...request, status: 'Denied', completedAt: now };
    await tx.scheduleRequests.update(denied, request.version);
    const activity = extension ? PIM_ACTIVITIES.extendOrRenewDeniedByAdmin : PIM_ACTIVITIES.activationDenied;
    record({ ...decided, activity, request: denied, status: 'Denied' });
    return;
  }

  const activity = extension ? PIM_ACTIVITIES.extendedOrRenewedByAdmin : PIM_ACTIVITIES.activationApproved;
  record({ ...decided, activity, request, status: 'PendingApproval' });
  if (outcome === 'Pending') return;
  // The stage after this one, if any (stage 2 of `Serial`, stored as NotStarted until now).
  const all = await tx.approvalSteps.list(request.tenantId, request.id);
  const following = all.find((s) => s.stageIndex === step.stageIndex + 1);
  if (following !== undefined) {
    const started = startStep(following, now);
    await tx.approvalSteps.update(started, following.version);
    await tx.scheduleRequests.update({ ...request, approvalDeadline: started.deadlineAt }, request.version);
    return;
  }

  if (extension) {
    const o = await applyApprovedExtension(tx, request, now);
    await tx.scheduleRequests.update(o.request, request.version);
    record({
      type: 'pim.approvalCompleted',
      justification: request.justification,
      activity: PIM_ACTIVITIES.extendOrRenewCompleted,
      request: o.request,
      status: o.request.status,
      window: o.ok ? o.schedule.window : o.window,
      schedule: o.ok ? o.schedule : null,
      details: o.ok ? [{ key: 'ScheduleId', value: o.schedule.id }] : [],
      ...(o.ok ? {} : { result: 'failure' as const, resultReason: o.reason }),
    });
    return;
  }
  const shortenedToMs = shortestApprovedMs(all);
  const outcomeOfGrant = await grantApproved(tx, newId, request, now, {
    startsAtApproval: step.startsAtApproval,
    shortenedToMs,
  });
  await tx.scheduleRequests.update(outcomeOfGrant.request, request.version);
  const o = outcomeOfGrant;
  record({
    type: 'pim.approvalCompleted',
    justification: request.justification,
    activity: PIM_ACTIVITIES.activationCompleted,
    request: o.request,
    status: o.request.status,
    window: o.ok ? o.schedule.window : o.window,
    schedule: o.ok ? o.schedule : null,
    details: [
      ...(o.ok
        ? [
            { key: 'ScheduleId', value: o.schedule.id },
            { key: 'EligibilityScheduleId', value: o.schedule.activatedUsing ?? '' },
            { key: 'MemberType', value: o.schedule.memberType },
          ]
        : []),
      ...(step.startsAtApproval ? [] : [{ key: 'ActivationClock', value: 'FromRequest' }]),
      ...(shortenedToMs === null ? [] : [{ key: 'ApprovedDuration', value: formatDuration(shortenedToMs) }]),
      ...(o.ok && o.cappedByEligibility ? [{ key: 'CappedAtEligibilityEnd', value: 'true' }] : []),
    ],
    ...(o.ok ? {} : { result: 'failure' as const, resultReason: o.reason }),
  });
}
