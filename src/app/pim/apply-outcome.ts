import type { Evaluation } from '../../domain/pim/evaluate-request.js';
import { assignmentInstanceId, eligibilityInstanceId } from '../../domain/pim/instance-id.js';
import type { Window } from '../../domain/pim/types.js';
import { ConflictError } from '../../domain/shared/errors.js';
import type { Stores } from '../ports.js';
import type { CreateScheduleRequest, Gathered } from './gather.js';
import type { Schedule, ScheduleRequest } from '../../domain/pim/schedule.js';
import { endedAt } from '../../domain/pim/windowed.js';

/**
 * Writes the accepted request and what it does to the slot's schedule, after the slot's
 * compare-and-set (invariant 4). Returns the schedule as written, if any.
 */
export async function applyOutcome(
  tx: Stores,
  newId: () => string,
  cmd: CreateScheduleRequest,
  g: Gathered,
  request: ScheduleRequest,
  evaluation: Evaluation,
  now: number,
): Promise<Schedule | null> {
  const { outcome } = evaluation;
  let schedule: Schedule | null = null;
  const waiting = outcome.status === 'PendingApproval' || outcome.status === 'PendingAdminDecision';
  // A request waiting for approval takes the slot too: of two concurrent activations of one role
  // only one waits (the other re-evaluates and sees it pending).
  if (outcome.status === 'PendingApproval') await tx.schedules.bumpSlot(g.slot, g.slotVersion);
  if (!waiting) {
    await tx.schedules.bumpSlot(g.slot, g.slotVersion);
    schedule = await writeSchedule(tx, newId, cmd, g, request, outcome.window ?? null, now);
  }
  await tx.scheduleRequests.insert(request);
  return schedule;
}

async function writeSchedule(
  tx: Stores,
  newId: () => string,
  cmd: CreateScheduleRequest,
  g: Gathered,
  request: ScheduleRequest,
  window: Window | null,
  now: number,
): Promise<Schedule | null> {
  const target = g.target;
  switch (cmd.action) {
    case 'adminAssign':
    case 'selfActivate': {
      if (window === null) return null;
      const instanceIdOf = cmd.kind === 'eligibility' ? eligibilityInstanceId : assignmentInstanceId;
      const schedule: Schedule = {
        id: request.id,
        tenantId: request.tenantId,
        kind: cmd.kind,
        origin: 'pim',
        principalId: cmd.principalId,
        principalType: g.principal.type,
        roleDefinitionId: g.role.id,
        directoryScopeId: cmd.directoryScopeId,
        appScopeId: null,
        window,
        status: request.status,
        memberType: g.eligibility?.memberType ?? 'Direct',
        assignmentType:
          cmd.kind === 'assignment' ? (cmd.action === 'selfActivate' ? 'Activated' : 'Assigned') : null,
        createdUsing: request.id,
        activatedUsing: request.activatedUsing,
        instanceId: instanceIdOf(g.role.id, cmd.principalId, cmd.directoryScopeId, newId),
        createdAt: now,
        modifiedAt: now,
        expiryRecordedAt: null,
        version: 1,
      };
      await tx.schedules.insert(schedule);
      return schedule;
    }
    case 'adminUpdate':
    case 'adminExtend':
    case 'adminRenew': {
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
    }
    case 'adminRemove':
    case 'selfDeactivate': {
      if (target === null) return null;
      if (target.origin === 'direct') {
        // A direct role assignment (made outside PIM) removed through PIM.
        if (!(await tx.roleAssignments.delete(request.tenantId, target.id))) throw new ConflictError();
        return { ...target, window: endedAt(target.window, now), status: 'Revoked', expiryRecordedAt: now };
      }
      const ended: Schedule = {
        ...target,
        window: endedAt(target.window, now),
        status: 'Revoked',
        modifiedAt: now,
        expiryRecordedAt: now,
      };
      await tx.schedules.update(ended, target.version);
      return ended;
    }
    case 'selfExtend':
    case 'selfRenew':
      return null;
  }
}
