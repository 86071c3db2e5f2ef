import { approvedWindow } from '../../domain/pim/approval.js';
import { assignmentInstanceId } from '../../domain/pim/instance-id.js';
import type { Window } from '../../domain/pim/types.js';
import { describeInstant, holds, isCurrentOrFuture, outlivesEligibility } from '../../domain/pim/window.js';
import type { Stores } from '../ports.js';
import { slotOf } from './gather.js';
import { takeEligibility } from './write-schedule.js';
import { loadPrincipal } from './principals.js';
import type { Schedule, ScheduleRequest, SlotKey } from '../../domain/pim/schedule.js';
import { TARGETS } from './targets.js';

/** What the last approval did: the activation written, or why it could not be. */
export type ApprovedOutcome =
  | { ok: true; request: ScheduleRequest; schedule: Schedule }
  | { ok: false; request: ScheduleRequest; window: Window; reason: string };

/**
 * The activation an approved request grants, decided and written in the approver's transaction:
 * the window starts at the requested start or now, whichever is later, and keeps the requested
 * duration; the principal's eligibility (own, or a group's) must still cover it and nothing may
 * hold the slot. Otherwise the request becomes `Failed` (nothing is granted) with the reason.
 * On success the slot is bumped (invariant 4), the schedule inserted and the request becomes
 * `Provisioned` (or `Granted` when it starts later), as a request without approval would.
 */
export async function grantApproved(
  tx: Stores,
  newId: () => string,
  request: ScheduleRequest,
  now: number,
): Promise<ApprovedOutcome> {
  const { tenantId, principalId, roleDefinitionId, directoryScopeId } = request;
  const info = request.scheduleInfo;
  const window = info === null ? { start: now, end: null } : approvedWindow(info, now);
  const slot: SlotKey = { tenantId, kind: 'assignment', principalId, roleDefinitionId, directoryScopeId };
  const slotVersion = await tx.schedules.slotVersion(slot);
  const failed = (reason: string): ApprovedOutcome => ({
    ok: false,
    window,
    reason,
    request: { ...request, status: 'Failed', completedAt: now },
  });

  const latest = await tx.schedules.latestInSlot(slot, now);
  const holding =
    (latest !== undefined && isCurrentOrFuture(latest.window, now) ? latest : undefined) ??
    (await tx.schedules.directAssignment(slot));
  if (holding !== undefined)
    return failed('RoleAssignmentExists: the role is already assigned at this scope.');

  const principal = await loadPrincipal(tx, tenantId, principalId);
  if (principal === undefined) return failed('SubjectNotFound: the principal no longer exists.');
  const groups = principal.type === 'user' ? await tx.groups.groupsOf(tenantId, principalId) : [];
  const found = await tx.schedules.eligibilities(
    tenantId,
    [principalId, ...groups],
    roleDefinitionId,
    directoryScopeId,
    now,
  );
  const covering = found
    .filter((e) => holds(e.window, window.start) && !outlivesEligibility(window, e.window))
    .sort((a, b) => Number(b.principalId === principalId) - Number(a.principalId === principalId));
  const eligibility = covering[0];
  if (eligibility === undefined) {
    return failed(
      `EligibilityRule: no eligibility of the principal covers the approved window, ${describeInstant(window.start)} to ${window.end === null ? 'permanent' : describeInstant(window.end)}.`,
    );
  }

  await tx.schedules.bumpSlot(slot, slotVersion);
  // As for an activation without approval: take the eligibility's slot too (see `writeSchedule`).
  await takeEligibility(tx, eligibility, await tx.schedules.slotVersion(slotOf(eligibility)));
  const schedule: Schedule = {
    id: TARGETS[request.resourceType].scheduleId(request.id, roleDefinitionId, directoryScopeId),
    tenantId,
    kind: 'assignment',
    resourceType: request.resourceType,
    origin: 'pim',
    principalId,
    principalType: principal.type,
    roleDefinitionId,
    directoryScopeId,
    appScopeId: null,
    window,
    status: window.start <= now ? 'Provisioned' : 'Granted',
    memberType: eligibility.principalId === principalId ? 'Direct' : 'Group',
    assignmentType: 'Activated',
    createdUsing: request.id,
    activatedUsing: eligibility.id,
    instanceId: assignmentInstanceId(roleDefinitionId, principalId, directoryScopeId, newId),
    createdAt: now,
    modifiedAt: now,
    expiryRecordedAt: null,
    version: 1,
  };
  await tx.schedules.insert(schedule);
  const granted = window.start <= now;
  return {
    ok: true,
    schedule,
    request: {
      ...request,
      status: granted ? 'Provisioned' : 'Granted',
      completedAt: granted ? now : window.start,
      scheduleInfo:
        info === null
          ? null
          : {
              startDateTime: window.start,
              expiration:
                info.expiration.endDateTime === null
                  ? info.expiration
                  : { ...info.expiration, endDateTime: window.end },
            },
    },
  };
}
