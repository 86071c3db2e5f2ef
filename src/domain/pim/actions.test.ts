import { describe, expect, it } from 'vitest';
import { PIM_ACTIVITIES as A } from './activities.js';
import { lastingOf, PIM_ACTIONS, targetScheduleIdFor, type PimAction } from './actions.js';
import { REQUEST_ACTIONS, type RequestAction } from './types.js';

describe('PIM_ACTIONS', () => {
  it('has exactly one row per Graph action', () => {
    expect(Object.keys(PIM_ACTIONS).sort()).toEqual([...REQUEST_ACTIONS].sort());
  });

  it('is checked by the compiler: an action without a row does not type-check', () => {
    // If this line compiled, `npm run typecheck` would fail on the unused directive: the table's
    // type covers exactly the declared actions, so a new action must get its row.
    // @ts-expect-error 'selfSuspend' has no row in PIM_ACTIONS
    const withNewAction: Record<RequestAction | 'selfSuspend', PimAction> = PIM_ACTIONS;
    expect(withNewAction).toBe(PIM_ACTIONS);
  });

  it.each([
    ['adminAssign', false, true, 'create'],
    ['adminUpdate', false, true, 'change'],
    ['adminExtend', false, true, 'change'],
    ['adminRenew', false, true, 'change'],
    ['adminRemove', false, false, 'end'],
    ['selfActivate', true, true, 'create'],
    ['selfDeactivate', true, false, 'end'],
    ['selfExtend', true, true, 'none'],
    ['selfRenew', true, true, 'none'],
  ] as const)('%s: self %s, windowed %s, effect %s', (action, self, windowed, effect) => {
    expect(PIM_ACTIONS[action]).toMatchObject({ self, windowed, effect });
  });

  it.each([
    ['adminAssign', 'eligibility', 'permanent', A.eligibleRequestedPermanent, [A.eligibleCompletedPermanent]],
    ['adminAssign', 'assignment', 'timebound', A.assignRequestedTimebound, [A.assignCompletedTimebound]],
    [
      'adminRemove',
      'eligibility',
      'timebound',
      A.eligibleRemoveRequestedTimebound,
      [A.eligibleRemoveCompletedTimebound],
    ],
    ['adminRemove', 'assignment', 'permanent', A.removeRequestedPermanent, [A.removeCompletedPermanent]],
    ['adminUpdate', 'assignment', 'timebound', A.updateRequested, [A.updateRequested]],
    ['adminExtend', 'eligibility', 'timebound', A.extendedOrRenewedByAdmin, [A.extendedOrRenewedByAdmin]],
    ['selfDeactivate', 'assignment', 'timebound', A.deactivationRequested, [A.deactivationCompleted]],
    ['selfExtend', 'eligibility', 'timebound', A.eligibleExtendRequested, [A.eligibleExtendRequested]],
    ['selfRenew', 'assignment', 'timebound', A.renewRequested, [A.renewRequested]],
  ] as const)(
    '%s of an %s (%s) is audited as Entra names it',
    (action, kind, lasting, requested, accepted) => {
      expect(PIM_ACTIONS[action].requested(kind, lasting)).toBe(requested);
      expect(PIM_ACTIONS[action].accepted(kind, 'Provisioned', lasting)).toEqual(accepted);
    },
  );

  it('logs an activation as the ask and then its outcome', () => {
    const row = PIM_ACTIONS.selfActivate;
    expect(row.accepted('assignment', 'Provisioned', 'timebound')).toEqual([
      A.activationRequested,
      A.activationCompleted,
    ]);
    expect(row.accepted('assignment', 'PendingApproval', 'timebound')).toEqual([
      A.activationRequested,
      A.activationApprovalRequested,
    ]);
  });

  it.each([
    ['selfActivate', 'assignment', 'timebound', A.activationCanceled],
    ['selfExtend', 'eligibility', 'timebound', A.eligibleExtendCanceled],
    ['selfRenew', 'assignment', 'timebound', A.renewCanceled],
    ['adminAssign', 'eligibility', 'permanent', A.eligibleCanceledPermanent],
    ['adminAssign', 'eligibility', 'timebound', A.eligibleCanceledTimebound],
    ['adminAssign', 'assignment', 'permanent', A.assignCanceled],
  ] as const)('canceling %s of an %s (%s)', (action, kind, lasting, activity) => {
    expect(PIM_ACTIONS[action].canceled(kind, lasting)).toBe(activity);
  });

  it('names the target schedule by effect', () => {
    expect(targetScheduleIdFor('adminRemove', 'r', 's')).toBeNull();
    expect(targetScheduleIdFor('selfActivate', 'r', 's')).toBe('r');
    expect(targetScheduleIdFor('adminExtend', 'r', 's')).toBe('s');
    expect(targetScheduleIdFor('selfRenew', 'r', null)).toBe('r');
  });

  it('calls a window without an end permanent', () => {
    expect(lastingOf(null)).toBe('permanent');
    expect(lastingOf({ start: 0, end: null })).toBe('permanent');
    expect(lastingOf({ start: 0, end: 1 })).toBe('timebound');
  });
});
