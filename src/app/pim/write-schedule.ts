import { PIM_ACTIONS, type ScheduleEffect } from '../../domain/pim/actions.js';
import type { RequestOutcome } from '../../domain/pim/evaluate-request.js';
import { assignmentInstanceId, eligibilityInstanceId } from '../../domain/pim/instance-id.js';
import type { Schedule, ScheduleRequest } from '../../domain/pim/schedule.js';
import type { Window } from '../../domain/pim/types.js';
import { endedAt } from '../../domain/pim/window.js';
import { ConflictError } from '../../domain/shared/errors.js';
import type { Stores } from '../ports.js';
import type { Gathered } from './gather.js';

/** What an effect needs to write: the accepted request, the state it was judged against, its window. */
interface EffectInput {
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
    const { kind } = request;
    const instanceIdOf = kind === 'eligibility' ? eligibilityInstanceId : assignmentInstanceId;
    const schedule: Schedule = {
      id: request.id,
      tenantId: request.tenantId,
      kind,
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
  async end({ tx, g, request, now }) {
    const target = g.target;
    if (target === null) return null;
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
 * Takes the slot by compare-and-set (invariant 4) and applies the action's effect on its schedule.
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
): Promise<Schedule | null> {
  if (outcome.status === 'PendingAdminDecision') return null;
  await tx.schedules.bumpSlot(g.slot, g.slotVersion);
  if (outcome.status === 'PendingApproval') return null;
  const effect = PIM_ACTIONS[request.action].effect;
  return EFFECTS[effect]({ tx, newId, g, request, window: outcome.window ?? null, now });
}
