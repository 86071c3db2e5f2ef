import { describe, expect, it } from 'vitest';
import { classify } from './classify.js';

// What the approval events of ADR 0022 call for (the other types are pinned end to end in
// test/notifications).
const payload = (over: Record<string, unknown> = {}) => ({
  kind: 'assignment',
  principalId: 'p',
  principalType: 'user',
  roleDefinitionId: 'r',
  requestId: 'q',
  action: 'selfActivate',
  status: 'PendingApproval',
  startDateTime: 1,
  endDateTime: null,
  schedule: null,
  approvalStage: 1,
  ...over,
});

describe('classify: approvals', () => {
  it.each<[string, string, Record<string, unknown>, string[]]>([
    ['escalation', 'pim.approvalEscalated', {}, ['activation.escalated']],
    ['reminder', 'pim.approvalReminder', {}, ['activation.reminder']],
    ['a quorum still waiting: nothing', 'pim.approvalStepDecided', { stageCompleted: false }, []],
    [
      'a completed stage 1 of 2: the next stage is asked',
      'pim.approvalStepDecided',
      { stageCompleted: true },
      ['activation.requested'],
    ],
    [
      'a decision before ADR 0022 (no stageCompleted): as before',
      'pim.approvalStepDecided',
      {},
      ['activation.requested'],
    ],
    ['a deny', 'pim.approvalStepDecided', { status: 'Denied', stageCompleted: true }, ['activation.denied']],
    [
      'an extension approved: an update',
      'pim.approvalCompleted',
      { action: 'selfExtend', kind: 'eligibility', status: 'Provisioned' },
      ['eligibility.updated'],
    ],
    [
      'an extension denied: nothing yet',
      'pim.approvalStepDecided',
      { action: 'selfRenew', status: 'Denied' },
      [],
    ],
    ['an extension reminder: nothing yet', 'pim.approvalReminder', { action: 'selfExtend' }, []],
  ])('%s', (_name, type, over, expected) => {
    expect(classify({ type, payload: payload(over) }).map((t) => t.eventType)).toEqual(expected);
  });

  it('escalation and reminder name their stage', () => {
    expect(
      classify({ type: 'pim.approvalReminder', payload: payload({ approvalStage: 2 }) })[0],
    ).toMatchObject({
      stage: 2,
      requestId: 'q',
    });
  });
});
