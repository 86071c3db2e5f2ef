// Approval of directory-role activations (reference §3): the stages a request waits in, as
// snapshots of the role's approval rule taken when the request was made, and how each reads at a
// given instant. Pure: the use cases read the clock and the store.
import {
  DEFAULT_REMINDER_MINUTES,
  type ApprovalSettings,
  type ApprovalStage,
  type ApproverSubject,
} from '../policy/types.js';
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

/** One approver's decision on a stage; each approver decides a stage at most once. */
export interface ApprovalDecision {
  approverId: string;
  reviewResult: 'Approved' | 'Denied';
  justification: string | null;
  /** ISO-8601 duration the approver shortened the activation to (Elevate extension), or null. */
  approvedDuration: string | null;
  decidedAt: number;
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
  /** The approver whose decision completed the stage (the last of a quorum, or the one who denied). */
  reviewedById: string | null;
  reviewedAt: number | null;
  justification: string | null;
  isJustificationRequired: boolean;
  /** Empty: the default approvers (active Privileged Role / Global Administrators) decide. */
  approvers: ApproverRef[];
  /** Who may also decide from `escalationAt` on. */
  escalationApprovers: ApproverRef[];
  /** Approvals the stage needs (N of M); 1 = first approver wins. */
  quorum: number;
  /** Graph's whole days, kept for reads of the stage's settings. */
  timeoutDays: number;
  /** The timeout that applies: the days, or the Elevate extension in hours. */
  timeoutMs: number;
  /** Escalation this long after the stage starts; null when not enabled. */
  escalationAfterMs: number | null;
  /** `startedAt + escalationAfterMs`: from then on the escalation approvers may decide too. */
  escalationAt: number | null;
  /** When the sweeper recorded (and notified) the escalation; null before. */
  escalatedAt: number | null;
  /** The pending approvers are reminded this long before the deadline; null = never. */
  reminderBeforeMs: number | null;
  /** `deadlineAt - reminderBeforeMs`. */
  reminderAt: number | null;
  remindedAt: number | null;
  /** The activation's clock starts at the final approval (snapshot of the setting). */
  startsAtApproval: boolean;
  /**
   * The decision hook the stage named when the request was made (ADR 0025): it is asked once the
   * stage starts, and its approve or deny counts as one decision; null = humans only.
   */
  decisionHookId: string | null;
  startedAt: number | null;
  /** `startedAt + timeoutMs`; the stage is decidable on `[startedAt, deadlineAt)`. */
  deadlineAt: number | null;
  /** The decisions made so far, oldest first. */
  decisions: ApprovalDecision[];
  version: number;
}

const refOf = (a: ApproverSubject): ApproverRef =>
  a['@odata.type'] === '#microsoft.graph.singleUser'
    ? { type: 'user', id: a.userId.toLowerCase() }
    : { type: 'group', id: a.groupId.toLowerCase() };

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** A stage's timeout: the Elevate extension in hours when set, else Graph's days. */
export const stageTimeoutMs = (stage: ApprovalStage): number =>
  stage.approvalStageTimeOutInHours === undefined
    ? stage.approvalStageTimeOutInDays * DAY_MS
    : stage.approvalStageTimeOutInHours * HOUR_MS;

/** The reminder lead time: as set (0 = none), else the default capped at half the timeout. */
function reminderMs(stage: ApprovalStage, timeoutMs: number): number | null {
  const minutes = stage.reminderBeforeTimeOutInMinutes;
  if (minutes === 0) return null;
  if (minutes !== undefined) return minutes * MINUTE_MS;
  return Math.min(DEFAULT_REMINDER_MINUTES * MINUTE_MS, Math.floor(timeoutMs / 2));
}

/** A stage's instants when it starts at `now`: deadline, escalation and reminder. */
export function startStep(step: ApprovalStep, now: number): ApprovalStep {
  const deadlineAt = now + step.timeoutMs;
  return {
    ...step,
    status: 'InProgress',
    startedAt: now,
    deadlineAt,
    escalationAt: step.escalationAfterMs === null ? null : now + step.escalationAfterMs,
    reminderAt: step.reminderBeforeMs === null ? null : deadlineAt - step.reminderBeforeMs,
  };
}

/**
 * The stages of a new approval from the role's approval settings: `Serial` gives two (the second
 * starts when the first approves), every other mode one (`Parallel` is treated as one stage).
 * Each keeps its quorum, timeout, escalation and reminder as they are now.
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
  const fallback: ApprovalStage = {
    approvalStageTimeOutInDays: 1,
    isApproverJustificationRequired: true,
    escalationTimeInMinutes: 0,
    isEscalationEnabled: false,
    primaryApprovers: [],
    escalationApprovers: [],
  };
  const list = stages.length > 0 ? stages : [fallback];
  return list.map((stage, stageIndex) => {
    const timeoutMs = stageTimeoutMs(stage);
    const approvers = dedupe(stage.primaryApprovers.map(refOf));
    const primary = new Set(approvers.map((a) => `${a.type}:${a.id}`));
    const escalation = stage.isEscalationEnabled
      ? dedupe(stage.escalationApprovers.map(refOf)).filter((a) => !primary.has(`${a.type}:${a.id}`))
      : [];
    const step: ApprovalStep = {
      id: ids.newId(),
      tenantId: ids.tenantId,
      approvalId: ids.approvalId,
      stageIndex,
      status: 'NotStarted',
      reviewResult: 'NotReviewed',
      reviewedById: null,
      reviewedAt: null,
      justification: null,
      isJustificationRequired: stage.isApproverJustificationRequired,
      approvers,
      escalationApprovers: escalation,
      quorum: Math.max(1, stage.approvalsRequired ?? 1),
      timeoutDays: stage.approvalStageTimeOutInDays,
      timeoutMs,
      escalationAfterMs: stage.isEscalationEnabled ? stage.escalationTimeInMinutes * MINUTE_MS : null,
      escalationAt: null,
      escalatedAt: null,
      reminderBeforeMs: reminderMs(stage, timeoutMs),
      reminderAt: null,
      remindedAt: null,
      startsAtApproval: setting.activationStartsAtApproval ?? true,
      decisionHookId: stage.decisionHookId ?? null,
      startedAt: null,
      deadlineAt: null,
      decisions: [],
      version: 1,
    };
    return stageIndex === 0 ? startStep(step, now) : step;
  });
}

function dedupe(refs: ApproverRef[]): ApproverRef[] {
  const seen = new Map(refs.map((r) => [`${r.type}:${r.id}`, r]));
  return [...seen.values()];
}

/** What one decision does to its stage: nothing yet (quorum not reached), approve it, or deny it. */
export type StageOutcome = 'Pending' | 'Approved' | 'Denied';

/**
 * The stage's outcome once `decision` is added: one deny ends it; it is approved when the number of
 * distinct approvers who approved reaches its quorum.
 */
export function stageOutcome(step: ApprovalStep, decision: ApprovalDecision): StageOutcome {
  if (decision.reviewResult === 'Denied') return 'Denied';
  const approvers = new Set(
    [...step.decisions, decision].filter((d) => d.reviewResult === 'Approved').map((d) => d.approverId),
  );
  return approvers.size >= step.quorum ? 'Approved' : 'Pending';
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

/** What was asked for: the start and how long (null = no end). */
export interface RequestedSchedule {
  startDateTime: number;
  expiration: { type: string; endDateTime: number | null; duration: string | null };
}

/** The duration a request asked for, in ms; null when it asked for no end. */
export function requestedDurationMs(requested: RequestedSchedule): number | null {
  const { duration, endDateTime } = requested.expiration;
  if (duration !== null) return parseDuration(duration);
  if (endDateTime !== null) return endDateTime - requested.startDateTime;
  return null;
}

/** How the final approval shapes the window: where its clock starts, and an approver's shortening. */
export interface ApprovalTerms {
  /** The duration counts from the approval (true) or from the requested start (false). */
  startsAtApproval: boolean;
  /** The shortest duration an approver approved, in ms, or null when nobody shortened it. */
  shortenedToMs: number | null;
}

/**
 * The window an approved activation holds: it starts at the requested start or at the decision,
 * whichever is later. With the clock at approval (the default) it keeps the whole duration asked
 * for, so a slow approver costs the requestor nothing; otherwise it ends where the request would
 * have ended (possibly already: then `end <= start`). An approver's shorter duration wins.
 */
export function approvedWindow(
  requested: RequestedSchedule,
  now: number,
  terms: ApprovalTerms = { startsAtApproval: true, shortenedToMs: null },
): Window {
  const start = Math.max(requested.startDateTime, now);
  const asked = requestedDurationMs(requested);
  const duration =
    terms.shortenedToMs === null ? asked : Math.min(asked ?? Number.MAX_SAFE_INTEGER, terms.shortenedToMs);
  if (duration === null) return { start, end: null };
  return { start, end: (terms.startsAtApproval ? start : requested.startDateTime) + duration };
}

/** The shortest duration the approvers of these stages approved, in ms (null: nobody shortened). */
export function shortestApprovedMs(steps: readonly ApprovalStep[]): number | null {
  const shortened = steps
    .flatMap((s) => s.decisions)
    .filter((d) => d.reviewResult === 'Approved' && d.approvedDuration !== null)
    .map((d) => parseDuration(d.approvedDuration ?? ''));
  return shortened.length === 0 ? null : Math.min(...shortened);
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
