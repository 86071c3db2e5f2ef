import { PIM_ACTIONS, type ScheduleEffect } from '../../domain/pim/actions.js';
import type { RequestOutcome } from '../../domain/pim/evaluate-request.js';
import { assignmentInstanceId, eligibilityInstanceId } from '../../domain/pim/instance-id.js';
import type { Schedule, ScheduleRequest } from '../../domain/pim/schedule.js';
import type { Window } from '../../domain/pim/types.js';
import { endedAt } from '../../domain/pim/window.js';
import { ConflictError } from '../../domain/shared/errors.js';
import type { Stores } from '../ports.js';
import { slotOf, type Gathered } from './gather.js';
import { TARGETS } from './targets.js';

/** What an effect needs to write: the accepted request, the state it was judged against, its window. */
interface EffectInput {
  /** Schedules ended along with the target (activations of a removed eligibility). */
  cascade: Schedule[];
  tx: Stores;
  newId: () => string;
  g: Gathered;
  request: ScheduleRequest;
  window: Window | null;
  now: number;
}

/** How each effect changes the slot's schedule; returns the schedule as written, if any. */
const EFFECTS: Record<ScheduleEffect, (i: EffectInput) => Promise<Schedule | null>> = {
  async create({ tx, newId, g, request, window, now }) {
    if (window === null) return null;
    // An activation also takes its eligibility's slot: a concurrent removal of the eligibility
    // either commits first (this unit re-runs and finds no eligibility) or sees this activation.
    if (g.eligibility) await takeEligibility(tx, g.eligibility.schedule, g.eligibility.slotVersion);
    const { kind } = request;
    const instanceIdOf = kind === 'eligibility' ? eligibilityInstanceId : assignmentInstanceId;
    const schedule: Schedule = {
      id: TARGETS[request.resourceType].scheduleId(request.id, g.role.id, request.directoryScopeId),
      tenantId: request.tenantId,
      kind,
      resourceType: request.resourceType,
      origin: 'pim',
      principalId: request.principalId,
      principalType: g.principal.type,
      roleDefinitionId: g.role.id,
      directoryScopeId: request.directoryScopeId,
      appScopeId: null,
      window,
      status: request.status,
      memberType: g.eligibility?.memberType ?? 'Direct',
      assignmentType:
        kind === 'assignment' ? (request.action === 'selfActivate' ? 'Activated' : 'Assigned') : null,
      createdUsing: request.id,
      activatedUsing: request.activatedUsing,
      instanceId: instanceIdOf(g.role.id, request.principalId, request.directoryScopeId, newId),
      createdAt: now,
      modifiedAt: now,
      expiryRecordedAt: null,
      version: 1,
    };
    await tx.schedules.insert(schedule);
    return schedule;
  },
  async change({ tx, g, request, window, now }) {
    const target = g.target;
    if (target === null || window === null) return null;
    const changed: Schedule = {
      ...target,
      window,
      status: request.status,
      modifiedAt: now,
      expiryRecordedAt: null,
    };
    await tx.schedules.update(changed, target.version);
    return changed;
  },
  async end({ tx, g, request, now, cascade }) {
    const target = g.target;
    if (target === null) return null;
    if (target.kind === 'eligibility') cascade.push(...(await endActivationsOf(tx, target, now)));
    const window = endedAt(target.window, now);
    if (target.origin === 'direct') {
      // A direct role assignment (made outside PIM) removed through PIM.
      if (!(await tx.roleAssignments.delete(request.tenantId, target.id))) throw new ConflictError();
      return { ...target, window, status: 'Revoked', expiryRecordedAt: now };
    }
    const ended: Schedule = { ...target, window, status: 'Revoked', modifiedAt: now, expiryRecordedAt: now };
    await tx.schedules.update(ended, target.version);
    return ended;
  },
  async none() {
    return null;
  },
};

/**
 * Takes the slot of the eligibility an activation is made with, then re-reads the eligibility: if
 * it changed since it was judged (a removal committed in between), the unit re-runs and judges
 * again. Once taken, a later removal queues behind this unit and then sees the activation.
 * @throws ConflictError
 */
export async function takeEligibility(tx: Stores, eligibility: Schedule, slotVersion: number | null) {
  await tx.schedules.bumpSlot(slotOf(eligibility), slotVersion);
  const now = await tx.schedules.get(eligibility.tenantId, 'eligibility', eligibility.id);
  if (now?.version !== eligibility.version) throw new ConflictError();
}

/**
 * An activation may not outlive the eligibility it was made with: removing the eligibility ends
 * its current and future activations at `now` too, each slot taken by compare-and-set, so an
 * activation racing the removal either lands first (and is ended here) or re-evaluates and finds
 * no eligibility.
 */
async function endActivationsOf(tx: Stores, eligibility: Schedule, now: number): Promise<Schedule[]> {
  const ended: Schedule[] = [];
  for (const a of await tx.schedules.activatedWith(eligibility.tenantId, eligibility.id, now)) {
    const slot = slotOf(a);
    await tx.schedules.bumpSlot(slot, await tx.schedules.slotVersion(slot));
    const done: Schedule = {
      ...a,
      window: endedAt(a.window, now),
      status: 'Revoked',
      modifiedAt: now,
      expiryRecordedAt: now,
    };
    await tx.schedules.update(done, a.version);
    ended.push(done);
  }
  return ended;
}

/**
 * Takes the slot by compare-and-set (invariant 4) and applies the action's effect on its schedule
 * (and on the schedules it ends with it, `cascade`).
 * A request waiting for approval takes the slot too (of two concurrent activations of one role
 * only one waits; the other re-evaluates and sees it pending) but writes no schedule; one waiting
 * for an administrator (`PendingAdminDecision`) leaves the slot alone.
 */
export async function writeSchedule(
  tx: Stores,
  newId: () => string,
  g: Gathered,
  request: ScheduleRequest,
  outcome: RequestOutcome,
  now: number,
): Promise<{ schedule: Schedule | null; cascade: Schedule[] }> {
  const cascade: Schedule[] = [];
  if (outcome.status === 'PendingAdminDecision') return { schedule: null, cascade };
  await tx.schedules.bumpSlot(g.slot, g.slotVersion);
  if (outcome.status === 'PendingApproval') return { schedule: null, cascade };
  const effect = PIM_ACTIONS[request.action].effect;
  const schedule = await EFFECTS[effect]({
    tx,
    newId,
    g,
    request,
    window: outcome.window ?? null,
    now,
    cascade,
  });
  return { schedule, cascade };
}
