import { approvedWindow, type ApprovalTerms } from '../../domain/pim/approval.js';
import { formatDuration } from '../../domain/time/duration.js';
import { assignmentInstanceId } from '../../domain/pim/instance-id.js';
import type { Window } from '../../domain/pim/types.js';
import { describeInstant, holds, isCurrentOrFuture } from '../../domain/pim/window.js';
import type { Stores } from '../ports.js';
import { slotOf } from './gather.js';
import { takeEligibility } from './write-schedule.js';
import { loadPrincipal } from './principals.js';
import type { Schedule, ScheduleRequest, SlotKey } from '../../domain/pim/schedule.js';
import { TARGETS } from './targets.js';

/** What the last approval did: the activation written, or why it could not be. */
export type ApprovedOutcome =
  | {
      ok: true;
      request: ScheduleRequest;
      schedule: Schedule;
      /** The window ends earlier than asked because the eligibility ends then. */
      cappedByEligibility: boolean;
    }
  | { ok: false; request: ScheduleRequest; window: Window; reason: string };

/**
 * The activation an approved request grants, decided and written in the approver's transaction:
 * the window starts at the requested start or now, whichever is later; its duration is the one
 * asked for (or the shortest an approver approved), counted from that start when the clock starts
 * at approval (the default), else from the requested start. An eligibility of the principal (own,
 * or a group's) must hold at the start; the window is cut at its end when it ends sooner. Nothing
 * may hold the slot. Otherwise the request becomes `Failed` (nothing is granted) with the reason.
 * On success the slot is bumped (invariant 4), the schedule inserted and the request becomes
 * `Provisioned` (or `Granted` when it starts later), as a request without approval would.
 */
export async function grantApproved(
  tx: Stores,
  newId: () => string,
  request: ScheduleRequest,
  now: number,
  terms: ApprovalTerms,
): Promise<ApprovedOutcome> {
  const { tenantId, principalId, roleDefinitionId, directoryScopeId } = request;
  const info = request.scheduleInfo;
  const asked = info === null ? { start: now, end: null } : approvedWindow(info, now, terms);
  const slot: SlotKey = { tenantId, kind: 'assignment', principalId, roleDefinitionId, directoryScopeId };
  const slotVersion = await tx.schedules.slotVersion(slot);
  const failed = (reason: string): ApprovedOutcome => ({
    ok: false,
    window: asked,
    reason,
    request: { ...request, status: 'Failed', completedAt: now },
  });

  const latest = await tx.schedules.latestInSlot(slot, now);
  if (asked.end !== null && asked.end <= asked.start) {
    return failed(
      `ExpirationRule: the requested time ended on ${describeInstant(asked.end)}, before the approval; the role's activation clock starts at the request.`,
    );
  }
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
    TARGETS[request.resourceType].coveringScopes(directoryScopeId),
    now,
  );
  // Own eligibility first, then the one lasting longest (null = permanent).
  const covering = found
    .filter((e) => holds(e.window, asked.start))
    .sort(
      (a, b) =>
        Number(b.principalId === principalId) - Number(a.principalId === principalId) ||
        (b.window.end ?? Number.MAX_SAFE_INTEGER) - (a.window.end ?? Number.MAX_SAFE_INTEGER),
    );
  const eligibility = covering[0];
  if (eligibility === undefined) {
    return failed(
      `EligibilityRule: no eligibility of the principal holds at the approved start, ${describeInstant(asked.start)}.`,
    );
  }
  const limit = eligibility.window.end;
  const cappedByEligibility = limit !== null && (asked.end === null || limit < asked.end);
  const window: Window = cappedByEligibility ? { start: asked.start, end: limit } : asked;

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
    cappedByEligibility,
    request: {
      ...request,
      status: granted ? 'Provisioned' : 'Granted',
      completedAt: granted ? now : window.start,
      scheduleInfo:
        info === null
          ? null
          : {
              startDateTime: window.start,
              expiration: {
                ...info.expiration,
                ...(info.expiration.endDateTime === null ? {} : { endDateTime: window.end }),
                ...(info.expiration.duration === null || window.end === null
                  ? {}
                  : { duration: formatDuration(window.end - window.start) }),
              },
            },
    },
  };
}
