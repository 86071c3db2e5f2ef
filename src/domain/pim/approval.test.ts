import { describe, expect, it } from 'vitest';
import type { ApprovalSettings, ApprovalStage } from '../policy/types.js';
import {
  approvalTimedOut,
  approvedWindow,
  DAY_MS,
  newApprovalSteps,
  shortestApprovedMs,
  stageOutcome,
  startStep,
  stepStatusAt,
  type ApprovalDecision,
  type ApprovalStep,
  type ApprovalTerms,
} from './approval.js';
import type { RequestStatus } from './types.js';

const HOUR = 3_600_000;
const T = Date.UTC(2026, 10, 27, 10, 0, 0);
const user = (id: string) => ({ '@odata.type': '#microsoft.graph.singleUser' as const, userId: id });
const group = (id: string) => ({ '@odata.type': '#microsoft.graph.groupMembers' as const, groupId: id });
const stage = (days: number, approvers: ApprovalStage['primaryApprovers'] = []): ApprovalStage => ({
  approvalStageTimeOutInDays: days,
  isApproverJustificationRequired: true,
  escalationTimeInMinutes: 0,
  isEscalationEnabled: false,
  primaryApprovers: approvers,
  escalationApprovers: [user('ESC')],
});
const settings = (mode: ApprovalSettings['approvalMode'], stages: ApprovalStage[]): ApprovalSettings => ({
  isApprovalRequired: true,
  isApprovalRequiredForExtension: false,
  isRequestorJustificationRequired: true,
  approvalMode: mode,
  approvalStages: stages,
});
let n = 0;
const ids = { tenantId: 't', approvalId: 'r', newId: () => `s${(n += 1)}` };

describe('newApprovalSteps', () => {
  it('SingleStage: one stage started now, deadline after its timeout, approvers lower-cased, escalation dropped', () => {
    const [only, ...rest] = newApprovalSteps(
      settings('SingleStage', [stage(2, [user('AB'), group('CD'), user('ab')])]),
      ids,
      T,
    );
    expect(rest).toEqual([]);
    expect(only).toMatchObject({
      stageIndex: 0,
      status: 'InProgress',
      startedAt: T,
      deadlineAt: T + 2 * DAY_MS,
      isJustificationRequired: true,
      approvers: [
        { type: 'user', id: 'ab' },
        { type: 'group', id: 'cd' },
      ],
    });
  });

  it.each([
    ['Serial', 2],
    ['Parallel', 1],
    ['SingleStage', 1],
  ] as const)('%s with two stages configured keeps %i', (mode, count) => {
    const steps = newApprovalSteps(settings(mode, [stage(1), stage(3)]), ids, T);
    expect(steps).toHaveLength(count);
    if (count === 2) {
      expect(steps[1]).toMatchObject({
        stageIndex: 1,
        status: 'NotStarted',
        startedAt: null,
        deadlineAt: null,
        timeoutDays: 3,
      });
    }
  });

  it('no stage configured: one default stage of one day decided by the default approvers', () => {
    expect(newApprovalSteps(settings('SingleStage', []), ids, T)).toMatchObject([
      { approvers: [], deadlineAt: T + DAY_MS },
    ]);
  });
});

describe('stepStatusAt and approvalTimedOut', () => {
  const step = (over: Partial<ApprovalStep> = {}): ApprovalStep => ({
    ...newApprovalSteps(settings('SingleStage', [stage(1)]), ids, T)[0]!,
    ...over,
  });
  const deadline = T + DAY_MS;
  it.each<[string, Partial<ApprovalStep>, RequestStatus, number, string]>([
    ['waiting', {}, 'PendingApproval', deadline - 1, 'InProgress'],
    ['at the deadline', {}, 'PendingApproval', deadline, 'Expired'],
    ['decided', { status: 'Completed', reviewResult: 'Approved' }, 'Provisioned', deadline + 1, 'Completed'],
    ['recorded as timed out', { status: 'Expired' }, 'Denied', deadline, 'Expired'],
    ['request canceled', {}, 'Canceled', deadline - 1, 'Completed'],
  ])('%s', (_name, over, requestStatus, now, expected) => {
    expect(stepStatusAt(step(over), requestStatus, now)).toBe(expected);
  });

  it('a deadline holds on [.., deadline): pending at deadline - 1 ms, timed out at deadline', () => {
    expect(approvalTimedOut(deadline, deadline - 1)).toBe(false);
    expect(approvalTimedOut(deadline, deadline)).toBe(true);
    expect(approvalTimedOut(null, deadline)).toBe(false);
  });
});

describe('approvedWindow', () => {
  const asked = (start: number, duration: string | null, end: number | null = null) => ({
    startDateTime: start,
    expiration: { type: duration === null ? 'afterDateTime' : 'afterDuration', endDateTime: end, duration },
  });
  it.each([
    [
      'approved before the requested start: as asked',
      asked(T + 5 * HOUR, 'PT2H'),
      T,
      { start: T + 5 * HOUR, end: T + 7 * HOUR },
    ],
    [
      'approved late: starts now, keeps the duration',
      asked(T, 'PT2H'),
      T + 3 * HOUR,
      { start: T + 3 * HOUR, end: T + 5 * HOUR },
    ],
    [
      'afterDateTime approved late: shifted by the delay',
      asked(T, null, T + 4 * HOUR),
      T + HOUR,
      { start: T + HOUR, end: T + 5 * HOUR },
    ],
  ])('%s', (_name, requested, now, expected) => {
    expect(approvedWindow(requested, now)).toEqual(expected);
  });
});

describe('approvedWindow with the approval terms (ADR 0022)', () => {
  const asked = {
    startDateTime: T,
    expiration: { type: 'afterDuration', endDateTime: null, duration: 'PT2H' },
  };
  it.each<[string, number, ApprovalTerms, { start: number; end: number | null }]>([
    [
      'clock at approval, late',
      T + 3 * HOUR,
      { startsAtApproval: true, shortenedToMs: null },
      { start: T + 3 * HOUR, end: T + 5 * HOUR },
    ],
    [
      'clock at request, late: what is left',
      T + HOUR,
      { startsAtApproval: false, shortenedToMs: null },
      { start: T + HOUR, end: T + 2 * HOUR },
    ],
    [
      'clock at request, after the end: empty',
      T + 3 * HOUR,
      { startsAtApproval: false, shortenedToMs: null },
      { start: T + 3 * HOUR, end: T + 2 * HOUR },
    ],
    [
      'shortened',
      T + HOUR,
      { startsAtApproval: true, shortenedToMs: HOUR / 2 },
      { start: T + HOUR, end: T + 1.5 * HOUR },
    ],
    [
      'a longer "shortening" never lengthens',
      T,
      { startsAtApproval: true, shortenedToMs: 5 * HOUR },
      { start: T, end: T + 2 * HOUR },
    ],
  ])('%s', (_name, now, terms, expected) => {
    expect(approvedWindow(asked, now, terms)).toEqual(expected);
  });

  it('a permanent request may be shortened to a bounded one', () => {
    const permanent = {
      startDateTime: T,
      expiration: { type: 'noExpiration', endDateTime: null, duration: null },
    };
    expect(approvedWindow(permanent, T, { startsAtApproval: true, shortenedToMs: HOUR })).toEqual({
      start: T,
      end: T + HOUR,
    });
    expect(approvedWindow(permanent, T)).toEqual({ start: T, end: null });
  });
});

describe('quorum, escalation and reminders of a stage', () => {
  const decision = (approverId: string, approve = true): ApprovalDecision => ({
    approverId,
    reviewResult: approve ? 'Approved' : 'Denied',
    justification: null,
    approvedDuration: null,
    decidedAt: T,
  });
  const quorumStep = (quorum: number, decisions: ApprovalDecision[]): ApprovalStep => ({
    ...newApprovalSteps(settings('SingleStage', [{ ...stage(1), approvalsRequired: quorum }]), ids, T)[0]!,
    decisions,
  });

  it.each<[string, number, ApprovalDecision[], ApprovalDecision, string]>([
    ['1 of M: the first approval', 1, [], decision('a'), 'Approved'],
    ['2 of 3: the first approval waits', 2, [], decision('a'), 'Pending'],
    ['2 of 3: the second approver completes', 2, [decision('a')], decision('b'), 'Approved'],
    ['2 of 3: the same approver twice counts once', 2, [decision('a')], decision('a'), 'Pending'],
    ['2 of 3: one deny ends it, whatever came before', 2, [decision('a')], decision('b', false), 'Denied'],
  ])('%s', (_name, quorum, before, mine, expected) => {
    expect(stageOutcome(quorumStep(quorum, before), mine)).toBe(expected);
  });

  it('escalation and reminder instants are set when the stage starts; hours replace days', () => {
    const [first, second] = newApprovalSteps(
      settings('Serial', [
        {
          ...stage(1, [user('A')]),
          isEscalationEnabled: true,
          escalationTimeInMinutes: 30,
          escalationApprovers: [user('E'), user('a')],
          approvalStageTimeOutInHours: 4,
          reminderBeforeTimeOutInMinutes: 45,
        },
        { ...stage(2), approvalStageTimeOutInHours: 1 },
      ]),
      ids,
      T,
    );
    expect(first).toMatchObject({
      deadlineAt: T + 4 * HOUR,
      escalationAt: T + 30 * 60_000,
      reminderAt: T + 4 * HOUR - 45 * 60_000,
      // An escalation approver already named as primary is kept once, as primary.
      approvers: [{ type: 'user', id: 'a' }],
      escalationApprovers: [{ type: 'user', id: 'e' }],
      startsAtApproval: true,
    });
    // Not started: no instants yet; the default reminder is capped at half a 1-hour timeout.
    expect(second).toMatchObject({
      escalationAt: null,
      reminderAt: null,
      deadlineAt: null,
      escalationApprovers: [],
    });
    expect(startStep(second!, T + HOUR)).toMatchObject({
      status: 'InProgress',
      deadlineAt: T + 2 * HOUR,
      reminderAt: T + 2 * HOUR - 30 * 60_000,
    });
  });

  it('reminders: 0 turns them off; the default is 60 minutes', () => {
    const off = newApprovalSteps(
      settings('SingleStage', [{ ...stage(1), reminderBeforeTimeOutInMinutes: 0 }]),
      ids,
      T,
    );
    expect(off[0]).toMatchObject({ reminderAt: null });
    const byDefault = newApprovalSteps(settings('SingleStage', [stage(1)]), ids, T);
    expect(byDefault[0]).toMatchObject({ reminderAt: T + DAY_MS - HOUR });
  });

  it('the shortest approved duration of any stage wins; denials and unshortened approvals do not count', () => {
    const shortened = (id: string, d: string | null, approve = true) => ({
      ...decision(id, approve),
      approvedDuration: d,
    });
    const steps = [
      quorumStep(2, [shortened('a', 'PT1H'), shortened('b', null)]),
      quorumStep(1, [shortened('c', 'PT45M'), shortened('d', 'PT5M', false)]),
    ];
    expect(shortestApprovedMs(steps)).toBe(45 * 60_000);
    expect(shortestApprovedMs([quorumStep(1, [shortened('a', null)])])).toBeNull();
  });
});
