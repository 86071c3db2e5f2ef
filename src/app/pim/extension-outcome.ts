import { requestedDurationMs } from '../../domain/pim/approval.js';
import type { Schedule, ScheduleRequest } from '../../domain/pim/schedule.js';
import type { Window } from '../../domain/pim/types.js';
import { describeInstant } from '../../domain/pim/window.js';
import type { Stores } from '../ports.js';
import { slotOf } from './gather.js';

/** What the final approval of a `selfExtend`/`selfRenew` did: the schedule changed, or why not. */
export type ExtensionOutcome =
  | { ok: true; request: ScheduleRequest; schedule: Schedule }
  | { ok: false; request: ScheduleRequest; window: Window | null; reason: string };

/**
 * Applies an approved `selfExtend`/`selfRenew` in the approver's transaction, as `adminExtend` /
 * `adminRenew` would: the target schedule takes the requested window (its slot bumped by
 * compare-and-set, invariant 4). The schedule must still exist and the new end must not have
 * passed; otherwise the request becomes `Failed` and nothing changes.
 */
export async function applyApprovedExtension(
  tx: Stores,
  request: ScheduleRequest,
  now: number,
): Promise<ExtensionOutcome> {
  const info = request.scheduleInfo;
  const duration = info === null ? null : requestedDurationMs(info);
  const window: Window | null =
    info === null
      ? null
      : { start: info.startDateTime, end: duration === null ? null : info.startDateTime + duration };
  const failed = (reason: string): ExtensionOutcome => ({
    ok: false,
    window,
    reason,
    request: { ...request, status: 'Failed', completedAt: now },
  });
  const target =
    request.targetScheduleId === null
      ? undefined
      : await tx.schedules.get(request.tenantId, request.kind, request.targetScheduleId);
  if (target === undefined || window === null || target.status === 'Revoked') {
    return failed('RoleAssignmentDoesNotExist: the schedule to extend or renew no longer exists.');
  }
  if (window.end !== null && window.end <= now) {
    return failed(`ExpirationRule: the requested end, ${describeInstant(window.end)}, has passed.`);
  }
  const slot = slotOf(target);
  await tx.schedules.bumpSlot(slot, await tx.schedules.slotVersion(slot));
  const status = window.start <= now ? 'Provisioned' : 'Granted';
  const schedule: Schedule = { ...target, window, status, modifiedAt: now, expiryRecordedAt: null };
  await tx.schedules.update(schedule, target.version);
  return {
    ok: true,
    schedule,
    request: { ...request, status, completedAt: status === 'Provisioned' ? now : window.start },
  };
}
