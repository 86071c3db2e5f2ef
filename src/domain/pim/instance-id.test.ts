import { describe, expect, it } from 'vitest';
import { targetScheduleIdFor } from './actions.js';
import { assignmentInstanceId, eligibilityInstanceId } from './instance-id.js';
import type { RequestAction } from './types.js';

const GLOBAL_ADMIN = '62e90394-69f5-4237-9190-012177145e10';
const PRINCIPAL = '6be4b305-b75e-4efc-bfcc-31bd3b53a5f8';
const fresh = () => '0b7c3e0e-7d5b-4a54-9a55-6a1d5e0f2c11';

describe('instance ids', () => {
  it('use Entra’s format at tenant scope: -1 for assignments, -1-e for eligibilities', () => {
    expect(assignmentInstanceId(GLOBAL_ADMIN, PRINCIPAL, '/', fresh)).toBe(
      'lAPpYvVpN0KRkAEhdxReEAWz5Gtet_xOv8wxvTtTpfg-1',
    );
    expect(eligibilityInstanceId(GLOBAL_ADMIN, PRINCIPAL, '/', fresh)).toBe(
      'lAPpYvVpN0KRkAEhdxReEAWz5Gtet_xOv8wxvTtTpfg-1-e',
    );
  });

  it('use a fresh GUID at other scopes', () => {
    expect(assignmentInstanceId(GLOBAL_ADMIN, PRINCIPAL, '/administrativeUnits/x', fresh)).toBe(fresh());
    expect(eligibilityInstanceId(GLOBAL_ADMIN, PRINCIPAL, '/administrativeUnits/x', fresh)).toBe(fresh());
  });

  it('refuse ids that are not GUIDs (a programming error)', () => {
    expect(() => eligibilityInstanceId('nope', PRINCIPAL, '/', fresh)).toThrow(RangeError);
  });
});

describe('targetScheduleIdFor', () => {
  it.each([
    ['adminAssign', 'req', 'old', 'req'],
    ['selfActivate', 'req', null, 'req'],
    ['adminRemove', 'req', 'old', null],
    ['selfDeactivate', 'req', 'old', null],
    ['adminUpdate', 'req', 'old', 'old'],
    ['adminExtend', 'req', 'old', 'old'],
    ['adminRenew', 'req', 'old', 'old'],
    ['selfExtend', 'req', 'old', 'old'],
    ['selfRenew', 'req', null, 'req'],
  ] as const)('%s → %s', (action: RequestAction, requestId, existing, expected) => {
    expect(targetScheduleIdFor(action, requestId, existing)).toBe(expected);
  });
});
