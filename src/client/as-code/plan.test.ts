import { describe, expect, it } from 'vitest';
import { computePlan, overlay } from './plan.js';
import type { Desired, Directory, LiveState } from './state.js';

const ROLE = { id: '729827e3-9c14-49f7-bb1b-9608f156bbb8', displayName: 'Helpdesk Administrator' };
const ADA = { id: '00000000-0000-4000-8000-00000000000a', userPrincipalName: 'ada@contoso.com' };
const dir: Directory = { roles: [ROLE], groups: [], users: [ADA] };
const END = Date.parse('2027-06-30T00:00:00Z');

const live = (end: number | null, maximumDuration = 'PT8H'): LiveState => ({
  roles: new Map([
    [
      ROLE.id,
      {
        role: ROLE,
        policyId: 'p',
        rules: [],
        readable: { activation: { maximumDuration, requireMfa: true } },
      },
    ],
  ]),
  assignments: [{ type: 'eligible', principalId: ADA.id, roleDefinitionId: ROLE.id, scope: '/', end }],
});

const desired = (end: Desired['assignments'][number]['end'], maximumDuration = 'PT8H'): Desired => ({
  roles: new Map([[ROLE.id, { role: ROLE, settings: { activation: { maximumDuration } }, where: 'f:1:1' }]]),
  assignments: [
    { type: 'eligible', principalId: ADA.id, roleDefinitionId: ROLE.id, scope: '/', end, where: 'f:2:1' },
  ],
});

describe('the plan', () => {
  it('is empty when the live state meets the file; durations compare by length', () => {
    expect(computePlan(desired({ expires: END }, 'PT480M'), live(END), dir, false).changes).toEqual([]);
    expect(computePlan(desired({ permanent: true }), live(null), dir, false).changes).toEqual([]);
  });

  it('leaves an existing time-bound assignment alone for a duration, but not a permanent one', () => {
    const duration = { duration: 'P90D', ms: 90 * 86_400_000 };
    expect(computePlan(desired(duration), live(END), dir, false).changes).toEqual([]);
    expect(computePlan(desired(duration), live(null), dir, false).changes).toEqual([
      expect.objectContaining({ action: 'change', from: 'permanent', to: 'after P90D' }),
    ]);
  });

  it('has a hash that follows the live state as well as the changes', () => {
    const a = computePlan(desired({ permanent: true }, 'PT4H'), live(null), dir, false);
    const b = computePlan(desired({ permanent: true }, 'PT4H'), live(null), dir, false);
    const c = computePlan(desired({ permanent: true }, 'PT4H'), live(null, 'PT6H'), dir, false);
    expect(a.hash).toBe(b.hash);
    expect(a.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(c.hash).not.toBe(a.hash);
    expect(a.changes).toEqual([
      expect.objectContaining({
        field: 'activation.maximumDuration',
        ruleId: 'Expiration_EndUser_Assignment',
      }),
    ]);
  });

  it('overlays the declared fields on the live ones, approval stages one by one', () => {
    const have = { a: { x: 1, y: 2 }, stages: [{ t: 1, u: 2 }] };
    expect(overlay(have, { a: { y: 3 }, stages: [{ u: 4 }] })).toEqual({
      a: { x: 1, y: 3 },
      stages: [{ t: 1, u: 4 }],
    });
  });
});
