import { approvalTimedOut } from './approval.js';
import type { RequestStatus } from './types.js';
import type { Schedule, ScheduleRequest } from './schedule.js';

/**
 * A request's status as read at `now`: one `Granted` for a future start reads `Provisioned` once
 * that start has passed, and one `PendingApproval` whose current stage timed out reads `Denied`
 * (Entra auto-denies it) before the sweeper records it — the same rules the store applies to
 * `$filter=status eq …`. Everything else is what was decided, or `Canceled`.
 */
export function requestStatusAt(r: ScheduleRequest, now: number): RequestStatus {
  if (r.status === 'PendingApproval' && approvalTimedOut(r.approvalDeadline, now)) return 'Denied';
  if (r.status === 'Granted' && r.scheduleInfo !== null && r.scheduleInfo.startDateTime <= now) {
    return 'Provisioned';
  }
  return r.status;
}

/**
 * A schedule's status as read at `now`, computed from its window so that reads never wait for the
 * sweeper (invariant 2): `Granted` until its start, `Provisioned` while it holds, `Expired` once it
 * ended by time; `Revoked`/`Canceled` as recorded. `Expired` is Elevate's addition to Graph's
 * status values for schedules (Graph lists only current and future ones, so its clients never see
 * it on lists).
 */
export function scheduleStatusAt(s: Schedule, now: number): string {
  if (s.status === 'Revoked' || s.status === 'Canceled') return s.status;
  if (s.window.end !== null && s.window.end <= now) return 'Expired';
  if (s.window.start > now) return 'Granted';
  return 'Provisioned';
}

/** When a request was completed as read at `now`: a timed-out approval completed at its deadline. */
export function requestCompletedAt(r: ScheduleRequest, now: number): number | null {
  if (r.status === 'PendingApproval' && approvalTimedOut(r.approvalDeadline, now)) return r.approvalDeadline;
  return r.completedAt;
}
