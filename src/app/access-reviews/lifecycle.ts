import {
  decisionsApplied,
  instanceCompleted,
  instanceCreated,
} from '../../domain/access-reviews/access-review-events.js';
import { recommend } from '../../domain/access-reviews/recommendation.js';
import { DAYS } from '../../domain/access-reviews/recurrence.js';
import type {
  ApplyResult,
  DecisionItem,
  ReviewDefinition,
  ReviewInstance,
} from '../../domain/access-reviews/types.js';
import type { DomainEvent } from '../../domain/events/domain-event.js';
import { BadRequestError } from '../../domain/shared/errors.js';
import type { Caller } from '../authorization/caller.js';
import type { CreateScheduleRequest } from '../pim/gather.js';
import type { ScheduleRequest } from '../../domain/pim/schedule.js';
import type { Stores, UnitOfWork } from '../ports.js';

const DEFAULT_JUSTIFICATION = 'Default decision: the reviewers did not respond.';

/**
 * Creates the instance of one period with its decision items, in the caller's transaction: one
 * item per schedule in scope at `now`, each with its recommendation from the principal's real
 * activation history (the last `Activated` assignment of the role before `now`).
 * @throws ConflictError when the period's instance exists already (another replica made it)
 */
export async function createInstance(
  tx: Stores,
  newId: () => string,
  d: ReviewDefinition,
  periodStart: number,
  now: number,
): Promise<{ instance: ReviewInstance; event: DomainEvent }> {
  const startAt = Math.max(periodStart, now);
  const instance: ReviewInstance = {
    id: newId(),
    tenantId: d.tenantId,
    definitionId: d.id,
    periodStart,
    startAt,
    endAt: startAt + d.settings.instanceDurationInDays * DAYS,
    status: 'NotStarted',
    completedAt: null,
    appliedAt: null,
    version: 1,
  };
  // The unique (definition, period) row first: a replica that lost the race stops here.
  await tx.reviewInstances.insert(instance);
  const schedules = await tx.reviewFacts.schedulesInScope(d.tenantId, d.scope, startAt);
  const last = await tx.reviewFacts.lastActivations(
    d.tenantId,
    d.scope.roles.map((r) => r.roleDefinitionId),
    startAt,
  );
  const items = schedules.map((s): DecisionItem => {
    const lastActivationAt = last.get(`${s.principalId}|${s.roleDefinitionId}`) ?? null;
    return {
      id: newId(),
      tenantId: d.tenantId,
      instanceId: instance.id,
      ...s,
      recommendation: recommend({
        enabled: d.settings.recommendationsEnabled,
        scheduleKind: s.scheduleKind,
        lastActivationAt,
        lookBackMs: d.settings.recommendationLookBackDurationMs,
        reviewStart: startAt,
      }),
      lastActivationAt,
      decision: 'NotReviewed',
      justification: null,
      reviewedBy: null,
      reviewedAt: null,
      applyResult: 'New',
      appliedBy: null,
      appliedAt: null,
      version: 1,
    };
  });
  await tx.reviewDecisions.insertMany(items);
  return { instance, event: instanceCreated(d, instance, items.length) };
}

/**
 * Records the end of an instance (at its end date, or stopped at `now`): non-responders' items take
 * the default decision when the definition says so. Idempotent: a recorded completion is kept.
 * @throws ConflictError (compare-and-set on the instance)
 */
export async function completeInstance(
  tx: Stores,
  d: ReviewDefinition,
  i: ReviewInstance,
  now: number,
  stopped: boolean,
): Promise<{ instance: ReviewInstance; event: DomainEvent } | null> {
  if (i.status !== 'NotStarted' && i.status !== 'InProgress') return null;
  const s = d.settings;
  let defaulted = 0;
  if (s.defaultDecisionEnabled && (s.defaultDecision === 'Approve' || s.defaultDecision === 'Deny'))
    defaulted = await tx.reviewDecisions.decideUndecided(
      d.tenantId,
      i.id,
      s.defaultDecision,
      null,
      now,
      DEFAULT_JUSTIFICATION,
    );
  if (s.defaultDecisionEnabled && s.defaultDecision === 'Recommendation')
    for (const r of ['Approve', 'Deny'] as const)
      defaulted += await tx.reviewDecisions.decideUndecided(
        d.tenantId,
        i.id,
        r,
        r,
        now,
        DEFAULT_JUSTIFICATION,
      );
  const next: ReviewInstance = {
    ...i,
    status: 'Completed',
    endAt: stopped ? Math.min(i.endAt, now) : i.endAt,
    completedAt: now,
    version: i.version + 1,
  };
  await tx.reviewInstances.update(next, i.version);
  return { instance: next, event: instanceCompleted(d, next, stopped, defaulted) };
}

/** The PIM use case an applied `Deny` goes through: the same `adminRemove` an administrator makes. */
export type RemoveSchedule = (caller: Caller, cmd: CreateScheduleRequest) => Promise<ScheduleRequest>;

/**
 * Applies a completed instance's decisions as `caller`: each `Deny` ends the eligibility or
 * assignment through PIM's `adminRemove` (authorized, audited and notified as any removal), one
 * request each, outside the instance's transaction; then records every item's `applyResult` and
 * the instance as `Applied`. An instance left `Applying` (a crash between the steps) is applied
 * again: removals already made answer `RoleAssignmentDoesNotExist` and read
 * `AppliedSuccessfullyButObjectNotFound`.
 * @throws BadRequestError when the instance has not completed
 */
export async function applyInstance(
  deps: { uow: UnitOfWork; remove: RemoveSchedule },
  caller: Caller,
  recordAs: (tx: Stores, now: number, ...events: DomainEvent[]) => void,
  tenantId: string,
  instanceId: string,
  now: number,
): Promise<void> {
  const start = await deps.uow.run(async (tx) => {
    const i = await tx.reviewInstances.get(tenantId, instanceId);
    const d = i && (await tx.reviewDefinitions.get(tenantId, i.definitionId));
    if (!i || !d) return null;
    if (i.status === 'Applied') return null;
    if (i.status !== 'Completed' && i.status !== 'Applying')
      throw new BadRequestError(
        'Request_BadRequest',
        'Decisions can be applied once the review has completed.',
      );
    if (i.status === 'Completed')
      await tx.reviewInstances.update({ ...i, status: 'Applying', version: i.version + 1 }, i.version);
    const items = await tx.reviewDecisions.list(tenantId, instanceId);
    return { d, items: items.filter((x) => x.decision === 'Deny' && x.applyResult === 'New') };
  });
  if (start === null) return;
  const results = new Map<string, ApplyResult>();
  for (const item of start.items) {
    try {
      await deps.remove(caller, {
        kind: item.scheduleKind,
        action: 'adminRemove',
        principalId: item.principalId,
        roleDefinitionId: item.roleDefinitionId,
        directoryScopeId: item.directoryScopeId,
        justification: `Access review "${start.d.displayName.slice(0, 200)}": access denied.`,
        ticketInfo: null,
        scheduleInfo: null,
        isValidationOnly: false,
        customData: null,
      });
      results.set(item.id, 'AppliedSuccessfully');
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      results.set(
        item.id,
        code === 'RoleAssignmentDoesNotExist'
          ? 'AppliedSuccessfullyButObjectNotFound'
          : 'AppliedWithUnknownFailure',
      );
    }
  }
  await deps.uow.run(async (tx) => {
    const i = await tx.reviewInstances.get(tenantId, instanceId);
    if (!i || i.status !== 'Applying') return;
    const counts: Record<string, number> = {};
    for (const item of await tx.reviewDecisions.list(tenantId, instanceId)) {
      const result = results.get(item.id);
      if (result === undefined) continue;
      await tx.reviewDecisions.update(
        { ...item, applyResult: result, appliedBy: caller.id, appliedAt: now, version: item.version + 1 },
        item.version,
      );
      counts[result] = (counts[result] ?? 0) + 1;
    }
    const approved = await tx.reviewDecisions.markApprovedApplied(tenantId, instanceId, caller.id, now);
    if (approved > 0) counts.AppliedSuccessfully = (counts.AppliedSuccessfully ?? 0) + approved;
    const next = { ...i, status: 'Applied' as const, appliedAt: now, version: i.version + 1 };
    await tx.reviewInstances.update(next, i.version);
    recordAs(tx, now, decisionsApplied(start.d, next, counts));
  });
}
