import { describe, expect, it } from 'vitest';
import type { ApprovalSettings, ApprovalStage } from '../policy/types.js';
import {
  approvalTimedOut,
  approvedWindow,
  DAY_MS,
  newApprovalSteps,
  stepStatusAt,
  type ApprovalStep,
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
