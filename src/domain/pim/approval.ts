// Approval of directory-role activations (reference §3): the stages a request waits in, as
// snapshots of the role's approval rule taken when the request was made, and how each reads at a
// given instant. Pure: the use cases read the clock and the store.
import type { ApprovalSettings, ApproverSubject } from '../policy/types.js';
import { DomainError } from '../shared/errors.js';
import { parseDuration } from '../time/duration.js';
import type { RequestStatus, Window } from './types.js';

export const DAY_MS = 24 * 60 * 60 * 1000;

/** A stage as stored: not started yet (stage 2 of `Serial`), waiting, decided, or recorded as timed out. */
export type StepRecordedStatus = 'NotStarted' | 'InProgress' | 'Completed' | 'Expired';
/** `approvalStep.status` as Graph shows it. */
export type StepStatus = 'InProgress' | 'Completed' | 'Expired';
/** `approvalStep.reviewResult` as read (Graph writes `Approve`/`Deny`, reads `Approved`/`Denied`). */
export type ReviewResult = 'NotReviewed' | 'Approved' | 'Denied';

/** One named approver of a stage: a user, or the members of a group at decision time. */
export interface ApproverRef {
  type: 'user' | 'group';
  /** Lower-case GUID. */
  id: string;
}

/** One stage of an approval (`approvalStep` in beta): its settings as snapshotted, and its decision. */
export interface ApprovalStep {
  id: string;
  tenantId: string;
  /** The approval's id, which is the request's id. */
  approvalId: string;
  /** 0 for the first stage, 1 for the second of `Serial`. */
  stageIndex: number;
  status: StepRecordedStatus;
  reviewResult: ReviewResult;
  reviewedById: string | null;
  reviewedAt: number | null;
  justification: string | null;
  isJustificationRequired: boolean;
  /** Empty: the default approvers (active Privileged Role / Global Administrators) decide. */
  approvers: ApproverRef[];
  timeoutDays: number;
  startedAt: number | null;
  /** `startedAt + timeoutDays`; the stage is decidable on `[startedAt, deadlineAt)`. */
  deadlineAt: number | null;
  version: number;
}

const refOf = (a: ApproverSubject): ApproverRef =>
  a['@odata.type'] === '#microsoft.graph.singleUser'
    ? { type: 'user', id: a.userId.toLowerCase() }
    : { type: 'group', id: a.groupId.toLowerCase() };

/**
 * The stages of a new approval from the role's approval settings: `Serial` gives two (the second
 * starts when the first approves), every other mode one (`Parallel` is treated as one stage). Only
 * primary approvers are kept: escalation is not implemented.
 */
export function newApprovalSteps(
  setting: ApprovalSettings,
  ids: { tenantId: string; approvalId: string; newId: () => string },
  now: number,
): ApprovalStep[] {
  const stages =
    setting.approvalMode === 'Serial'
      ? setting.approvalStages.slice(0, 2)
      : setting.approvalStages.slice(0, 1);
  const fallback = {
    approvalStageTimeOutInDays: 1,
    isApproverJustificationRequired: true,
    primaryApprovers: [],
  };
  const list = stages.length > 0 ? stages : [fallback];
  return list.map((stage, stageIndex) => {
    const first = stageIndex === 0;
    const timeoutDays = stage.approvalStageTimeOutInDays;
    return {
      id: ids.newId(),
      tenantId: ids.tenantId,
      approvalId: ids.approvalId,
      stageIndex,
      status: first ? 'InProgress' : 'NotStarted',
      reviewResult: 'NotReviewed',
      reviewedById: null,
      reviewedAt: null,
      justification: null,
      isJustificationRequired: stage.isApproverJustificationRequired,
      approvers: dedupe(stage.primaryApprovers.map(refOf)),
      timeoutDays,
      startedAt: first ? now : null,
      deadlineAt: first ? now + timeoutDays * DAY_MS : null,
      version: 1,
    };
  });
}

function dedupe(refs: ApproverRef[]): ApproverRef[] {
  const seen = new Map(refs.map((r) => [`${r.type}:${r.id}`, r]));
  return [...seen.values()];
}

/**
 * A stage's status read at `now`, given the request's status at `now`: a decided stage is
 * `Completed`; an undecided one past its deadline is `Expired` (whether or not the sweeper recorded
 * it); one whose request ended otherwise (canceled) is `Completed` with `NotReviewed`.
 */
export function stepStatusAt(step: ApprovalStep, requestStatus: RequestStatus, now: number): StepStatus {
  if (step.status === 'Completed') return 'Completed';
  if (step.status === 'Expired') return 'Expired';
  if (step.deadlineAt !== null && step.deadlineAt <= now) return 'Expired';
  if (requestStatus !== 'PendingApproval') return 'Completed';
  return 'InProgress';
}

/** Whether a pending request's current stage timed out by `now` (then it reads `Denied`). */
export const approvalTimedOut = (deadline: number | null, now: number): boolean =>
  deadline !== null && deadline <= now;

/**
 * The window an approved activation holds: it starts at the requested start or at the decision,
 * whichever is later, and keeps the duration that was asked for (not the end), so an approval
 * that comes late still gives the full time.
 */
export function approvedWindow(
  requested: {
    startDateTime: number;
    expiration: { type: string; endDateTime: number | null; duration: string | null };
  },
  now: number,
): Window {
  const start = Math.max(requested.startDateTime, now);
  const { duration, endDateTime } = requested.expiration;
  if (duration !== null) return { start, end: start + parseDuration(duration) };
  if (endDateTime !== null) return { start, end: start + (endDateTime - requested.startDateTime) };
  return { start, end: null };
}

/**
 * The stage can no longer be decided: another approver decided it, it timed out, or the request
 * ended. Maps to 409 like a lost compare-and-set, but is final: the use case does not retry it.
 */
export class ApprovalStateError extends DomainError {
  readonly kind = 'conflict' as const;
  constructor(message: string) {
    super('conflict', message);
  }
}
