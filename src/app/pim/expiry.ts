import { formatDateTime } from '../../domain/time/datetime.js';
import { SYSTEM_INITIATOR } from '../../domain/audit/draft.js';
import type { UnitOfWork } from '../ports.js';
import type { Stores } from '../ports.js';
import { expiredActivity, PIM_ACTIVITIES } from '../../domain/pim/activities.js';
import { approvalEvent, scheduleEndingSoon, scheduleExpired } from '../../domain/pim/pim-events.js';
import type { Schedule } from '../../domain/pim/schedule.js';
import type { Actor } from '../events/ports.js';
import type { ApprovalNotice } from './ports.js';
import { subjectOf, subjectsOf } from './principals.js';

const system = (tenantId: string): Actor => ({ tenantId, initiatedBy: SYSTEM_INITIATOR });

/**
 * Records what time already decided (invariant 2): schedules whose window ended by `now` get status
 * `Expired` and an audit entry (`Remove member from role (PIM activation expired)` for activations,
 * `Remove eligible member from role in PIM completed (timebound)` / `Remove member from role in PIM
 * completed (timebound)` for assignments made by an administrator), in one transaction per batch.
 * Reads never wait for this: they filter by `start <= now < end` themselves.
 *
 * Activation requests whose approval stage timed out read `Denied` from their deadline on; this
 * records it too (status, the stage `Expired`, `PIM activation request expired`). Escalations and
 * reminders that fell due are recorded once each as well (they notify through the outbox); the
 * escalation approvers may decide from the escalation time on whether or not this ran.
 *
 * Each schedule is claimed by compare-and-set on its unrecorded end (`claimExpired`), so running it
 * twice, or on two replicas at once, records each expiry exactly once.
 */
export function makeExpiryRecorder(deps: {
  uow: UnitOfWork;
  /**
   * How long before its end a running schedule is announced to its holder: activations, and
   * eligibilities or assignments an administrator made; 0 turns a kind off. Default 15 minutes, 14 days.
   */
  endingSoon?: { activationMs: number; otherMs: number };
}) {
  const leads = deps.endingSoon ?? DEFAULT_ENDING_SOON;
  return {
    /**
     * Records up to `limit` expiries (and timed-out approvals, escalations, reminders) at `now`;
     * returns how many it recorded. Ending-soon notices go out in the same run, uncounted.
     */
    async recordBatch(now: number, limit: number): Promise<number> {
      return deps.uow.run(async (tx) => {
        const claimed = await tx.schedules.claimExpired(now, limit);
        const subjects = await subjectsOf(tx, claimed);
        claimed.forEach((s, i) =>
          tx.events.record(
            system(s.tenantId),
            now,
            scheduleExpired(subjects[i]!, s, expiredActivity(s.kind, s.assignmentType)),
          ),
        );
        const recorded =
          claimed.length +
          (await recordTimedOutApprovals(tx, now, limit)) +
          (await recordApprovalNotices(tx, 'escalation', now, limit)) +
          (await recordApprovalNotices(tx, 'reminder', now, limit));
        // Ending-soon notices are recorded (audited) but not counted: they end nothing.
        await recordEndingSoon(tx, now, leads, limit);
        return recorded;
      });
    },
  };
}

/** Entra's 14 days for eligibilities and assignments; 15 minutes for activations. */
export const DEFAULT_ENDING_SOON = { activationMs: 15 * 60_000, otherMs: 14 * 24 * 3_600_000 };

/**
 * Records the schedules whose end came within their lead time, once per end (claimed by
 * compare-and-set on the end last announced): an audit entry (the schedule now remembers the end it
 * announced) and an event the notifications fan-out turns into a message to the holder.
 */
async function recordEndingSoon(
  tx: Stores,
  now: number,
  leads: { activationMs: number; otherMs: number },
  limit: number,
) {
  const claimed: Schedule[] = await tx.schedules.claimEndingSoon(now, leads, limit);
  const subjects = await subjectsOf(tx, claimed);
  claimed.forEach((s, i) =>
    tx.events.record(
      system(s.tenantId),
      now,
      scheduleEndingSoon(subjects[i]!, s, PIM_ACTIVITIES.scheduleEndingSoon),
    ),
  );
  return claimed.length;
}

/**
 * Records activation requests whose approval timed out by `now` (claimed by compare-and-set on
 * their status, so two sweepers record each once): the waiting stage becomes `Expired` and the
 * entry `PIM activation request expired` is recorded, initiated by the system.
 */
async function recordTimedOutApprovals(tx: Stores, now: number, limit: number) {
  const claimed = await tx.scheduleRequests.claimTimedOutApprovals(now, limit);
  for (const r of claimed) {
    const steps = await tx.approvalSteps.list(r.tenantId, r.id);
    const waiting = steps.find((s) => s.status === 'InProgress');
    if (waiting !== undefined)
      await tx.approvalSteps.update({ ...waiting, status: 'Expired' }, waiting.version);
    const deadline = r.approvalDeadline ?? now;
    const subject = await subjectOf(tx, r.tenantId, r.kind, r.roleDefinitionId, r.principalId);
    tx.events.record(
      system(r.tenantId),
      now,
      approvalEvent(subject, {
        type: 'pim.approvalTimedOut',
        activity: PIM_ACTIVITIES.activationRequestExpired,
        request: { ...r, status: 'Denied', completedAt: deadline },
        status: 'Denied',
        justification: null,
        window: r.scheduleInfo === null ? null : { start: r.scheduleInfo.startDateTime, end: null },
        details: [
          { key: 'ApprovalStage', value: String((waiting?.stageIndex ?? 0) + 1) },
          { key: 'ApprovalDeadline', value: formatDateTime(deadline) },
        ],
      }),
    );
  }
  return claimed.length;
}

/**
 * Records the escalations (or reminders) of waiting stages that fell due by `now`, each once (claimed
 * by compare-and-set on its unrecorded instant): an audit entry initiated by the system and an event
 * the notifications fan-out turns into messages for the escalation approvers (or the approvers who
 * have not decided yet).
 */
async function recordApprovalNotices(tx: Stores, kind: ApprovalNotice['kind'], now: number, limit: number) {
  let recorded = 0;
  for (const notice of await tx.approvalSteps.dueNotices(kind, now, limit)) {
    if (!(await tx.approvalSteps.claimNotice(notice, now))) continue;
    const request =
      (await tx.scheduleRequests.get(notice.tenantId, 'assignment', notice.approvalId)) ??
      (await tx.scheduleRequests.get(notice.tenantId, 'eligibility', notice.approvalId));
    const step = (await tx.approvalSteps.list(notice.tenantId, notice.approvalId)).find(
      (s) => s.id === notice.stepId,
    );
    if (request === undefined || step === undefined) continue;
    const subject = await subjectOf(
      tx,
      request.tenantId,
      request.kind,
      request.roleDefinitionId,
      request.principalId,
    );
    const due = kind === 'escalation' ? step.escalationAt : step.reminderAt;
    tx.events.record(
      system(request.tenantId),
      now,
      approvalEvent(subject, {
        type: kind === 'escalation' ? 'pim.approvalEscalated' : 'pim.approvalReminder',
        activity:
          kind === 'escalation'
            ? PIM_ACTIVITIES.activationApprovalEscalated
            : PIM_ACTIVITIES.activationApprovalReminded,
        request,
        status: 'PendingApproval',
        justification: null,
        window:
          request.scheduleInfo === null ? null : { start: request.scheduleInfo.startDateTime, end: null },
        details: [
          { key: 'ApprovalStage', value: String(step.stageIndex + 1) },
          { key: kind === 'escalation' ? 'EscalatedAt' : 'RemindedAt', value: formatDateTime(due ?? now) },
          { key: 'ApprovalDeadline', value: formatDateTime(step.deadlineAt ?? now) },
        ],
      }),
    );
    recorded += 1;
  }
  return recorded;
}
