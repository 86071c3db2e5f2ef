import { describe, expect, it } from 'vitest';
import { defaultPolicyRules } from '../policy/default-rules.js';
import type { PolicyRule } from '../policy/types.js';
import {
  GLOBAL_ADMINISTRATOR,
  HELPDESK_ADMINISTRATOR,
  PRIVILEGED_ROLE_ADMINISTRATOR,
} from '../roles/built-in-role-ids.js';
import { ALERT_DEFINITIONS, alertId, alertNameOf } from './definitions.js';
import {
  noMfaOnRoleActivation,
  redundantAssignments,
  rolesAssignedOutsidePim,
  sequentialActivations,
  staleSignIns,
  tooManyGlobalAdmins,
  type ActivationFact,
  type AlertPrincipalFact,
  type AlertScheduleFact,
  type AlertSnapshot,
  breakGlassTestOverdue,
  breakGlassUsed,
} from './detectors.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 5, 1);
const READER = 'reader-role';
const roles = [
  {
    id: GLOBAL_ADMINISTRATOR,
    templateId: GLOBAL_ADMINISTRATOR,
    displayName: 'Global Administrator',
    isPrivileged: true,
  },
  {
    id: PRIVILEGED_ROLE_ADMINISTRATOR,
    templateId: PRIVILEGED_ROLE_ADMINISTRATOR,
    displayName: 'Privileged Role Administrator',
    isPrivileged: true,
  },
  {
    id: HELPDESK_ADMINISTRATOR,
    templateId: HELPDESK_ADMINISTRATOR,
    displayName: 'Helpdesk Administrator',
    isPrivileged: true,
  },
  { id: READER, templateId: READER, displayName: 'Reader', isPrivileged: false },
];

let n = 0;
const sched = (over: Partial<AlertScheduleFact>): AlertScheduleFact => ({
  id: `s${++n}`,
  kind: 'eligibility',
  origin: 'pim',
  principalId: 'u1',
  roleDefinitionId: GLOBAL_ADMINISTRATOR,
  directoryScopeId: '/',
  assignmentType: null,
  start: NOW - 60 * DAY,
  createdAt: NOW - 60 * DAY,
  ...over,
});

/** A snapshot; `holderCount` counts the principals of its schedules unless given. */
function snapshot(over: Partial<AlertSnapshot>): AlertSnapshot {
  const schedules = over.schedules ?? [];
  return {
    holderCount: new Set(schedules.map((x) => x.principalId)).size,
    now: NOW,
    roles,
    principals: new Map<string, AlertPrincipalFact>([
      [
        'u1',
        {
          type: 'user',
          displayName: 'Ada',
          userPrincipalName: 'ada@contoso.test',
          createdAt: NOW - 400 * DAY,
          lastSignInAt: NOW - DAY,
        },
      ],
    ]),
    schedules: [],
    policies: new Map(roles.map((r) => [r.id, defaultPolicyRules(r.id)])),
    activations: [],
    breakGlass: { accounts: [], unjustifiedUses: [] },
    ...over,
  };
}

const gaThresholds = ALERT_DEFINITIONS.TooManyGlobalAdminsAssignedToTenantAlert.defaults;
const holders = (ga: number, others: number) => [
  ...Array.from({ length: ga }, (_, i) => sched({ principalId: `ga${i}` })),
  ...Array.from({ length: others }, (_, i) =>
    sched({ principalId: `o${i}`, roleDefinitionId: HELPDESK_ADMINISTRATOR }),
  ),
];

describe('tooManyGlobalAdmins (both thresholds must be exceeded)', () => {
  it.each([
    { ga: 3, others: 0, count: 3, pct: 10, fires: false, why: 'count equal to the threshold' },
    { ga: 4, others: 0, count: 3, pct: 10, fires: true, why: 'count and share above' },
    { ga: 4, others: 36, count: 3, pct: 10, fires: false, why: 'share exactly 10 %' },
    { ga: 4, others: 35, count: 3, pct: 10, fires: true, why: 'share just above 10 %' },
    { ga: 10, others: 1000, count: 3, pct: 10, fires: false, why: 'many admins but a small share' },
    { ga: 2, others: 0, count: 3, pct: 0, fires: false, why: 'full share but few admins' },
  ])('$why → $fires', ({ ga, others, count, pct, fires }) => {
    const out = tooManyGlobalAdmins(snapshot({ schedules: holders(ga, others) }), {
      globalAdminCountThreshold: count,
      percentageOfGlobalAdminsOutOfRolesThreshold: pct,
    });
    expect(out.length).toBe(fires ? ga : 0);
  });

  it('counts a principal once whether eligible, active or activated', () => {
    const s = snapshot({
      schedules: [
        ...holders(4, 0),
        sched({ principalId: 'ga0', kind: 'assignment', assignmentType: 'Activated' }),
        sched({ principalId: 'ga1', kind: 'assignment', origin: 'direct', assignmentType: 'Assigned' }),
      ],
    });
    expect(tooManyGlobalAdmins(s, gaThresholds).map((i) => i.id)).toEqual(['ga0', 'ga1', 'ga2', 'ga3']);
    expect(tooManyGlobalAdmins(snapshot({ schedules: holders(3, 0) }), gaThresholds)).toEqual([]);
  });

  it('names the assignee as Graph does', () => {
    const s = snapshot({ schedules: [...holders(3, 0), sched({ principalId: 'u1' })] });
    expect(tooManyGlobalAdmins(s, gaThresholds).find((i) => i.id === 'u1')?.fields).toEqual({
      assigneeId: 'u1',
      assigneeDisplayName: 'Ada',
      assigneeUserPrincipalName: 'ada@contoso.test',
    });
  });
});

describe('rolesAssignedOutsidePim', () => {
  it.each([
    {
      over: { kind: 'assignment', origin: 'direct', assignmentType: 'Assigned' },
      fires: true,
      why: 'direct privileged assignment',
    },
    {
      over: { kind: 'assignment', origin: 'pim', assignmentType: 'Assigned' },
      fires: false,
      why: 'PIM assignment',
    },
    { over: { kind: 'eligibility', origin: 'pim' }, fires: false, why: 'eligibility' },
    {
      over: { kind: 'assignment', origin: 'direct', roleDefinitionId: READER },
      fires: false,
      why: 'direct non-privileged role',
    },
  ] as const)('$why → $fires', ({ over, fires }) => {
    const s = sched({ ...over, id: 'ra1', createdAt: NOW - DAY });
    const out = rolesAssignedOutsidePim(snapshot({ schedules: [s] }));
    expect(out).toEqual(
      fires
        ? [
            {
              id: 'ra1',
              fields: {
                assigneeId: 'u1',
                assigneeDisplayName: 'Ada',
                assigneeUserPrincipalName: 'ada@contoso.test',
                assignmentCreatedDateTime: new Date(NOW - DAY).toISOString(),
                roleDefinitionId: s.roleDefinitionId,
                roleDisplayName: roles.find((r) => r.id === s.roleDefinitionId)!.displayName,
                roleTemplateId: s.roleDefinitionId,
              },
            },
          ]
        : [],
    );
  });
});

describe('noMfaOnRoleActivation', () => {
  const edit = (roleId: string, change: (r: PolicyRule) => PolicyRule) =>
    new Map(
      roles.map((r) => [
        r.id,
        r.id === roleId ? defaultPolicyRules(r.id).map(change) : defaultPolicyRules(r.id),
      ]),
    );
  const withoutMfa = (r: PolicyRule): PolicyRule =>
    r.id === 'Enablement_EndUser_Assignment' && 'enabledRules' in r
      ? { ...r, enabledRules: r.enabledRules.filter((x) => x !== 'MultiFactorAuthentication') }
      : r;
  const withContext = (r: PolicyRule): PolicyRule =>
    r.id === 'AuthenticationContext_EndUser_Assignment' && 'isEnabled' in r
      ? { ...r, isEnabled: true, claimValue: 'c1' }
      : withoutMfa(r);

  it.each([
    { policies: edit(GLOBAL_ADMINISTRATOR, (r) => r), expected: [], why: 'defaults require MFA' },
    {
      policies: edit(GLOBAL_ADMINISTRATOR, withoutMfa),
      expected: [GLOBAL_ADMINISTRATOR],
      why: 'MFA removed',
    },
    {
      policies: edit(GLOBAL_ADMINISTRATOR, withContext),
      expected: [],
      why: 'authentication context instead',
    },
    { policies: edit(READER, withoutMfa), expected: [], why: 'non-privileged role' },
  ])('$why', ({ policies, expected }) => {
    const out = noMfaOnRoleActivation(snapshot({ policies }));
    expect(out.map((i) => i.id)).toEqual(expected);
    if (expected.length > 0)
      expect(out[0]!.fields).toEqual({
        roleTemplateId: GLOBAL_ADMINISTRATOR,
        roleDisplayName: 'Global Administrator',
      });
  });

  it('treats a role without a stored policy as not requiring MFA', () => {
    const policies = new Map([...edit(READER, (r) => r)].filter(([id]) => id !== HELPDESK_ADMINISTRATOR));
    expect(noMfaOnRoleActivation(snapshot({ policies })).map((i) => i.id)).toEqual([HELPDESK_ADMINISTRATOR]);
  });
});

describe('redundantAssignments', () => {
  const act = (daysAgo: number, principalId = 'u1'): ActivationFact => ({
    principalId,
    roleDefinitionId: GLOBAL_ADMINISTRATOR,
    at: NOW - daysAgo * DAY,
  });
  it.each([
    { start: 60, activations: [], fires: true, last: null, why: 'never activated' },
    { start: 10, activations: [], fires: false, why: 'eligible for less than the duration' },
    { start: 15, activations: [], fires: true, last: null, why: 'eligible exactly the duration' },
    { start: 60, activations: [act(20)], fires: true, last: 20, why: 'last activation too old' },
    { start: 60, activations: [act(20), act(3)], fires: false, why: 'activated recently' },
    {
      start: 60,
      activations: [act(3, 'someone-else')],
      fires: true,
      last: null,
      why: 'someone else activated',
    },
  ])('$why → $fires', ({ start, activations, fires, last }) => {
    const s = snapshot({ schedules: [sched({ id: 'e1', start: NOW - start * DAY })], activations });
    const out = redundantAssignments(s, { duration: 'P15D' });
    expect(out.map((i) => i.id)).toEqual(fires ? ['e1'] : []);
    if (fires)
      expect(out[0]!.fields.lastActivationDateTime).toBe(
        last === null ? null : new Date(NOW - last! * DAY).toISOString(),
      );
  });

  it('ignores active assignments and non-privileged roles', () => {
    const s = snapshot({
      schedules: [
        sched({ kind: 'assignment', assignmentType: 'Assigned' }),
        sched({ roleDefinitionId: READER }),
      ],
    });
    expect(redundantAssignments(s, { duration: 'P15D' })).toEqual([]);
  });
});

describe('sequentialActivations', () => {
  const at = (...hoursAgo: number[]): ActivationFact[] =>
    hoursAgo.map((h) => ({ principalId: 'u1', roleDefinitionId: GLOBAL_ADMINISTRATOR, at: NOW - h * HOUR }));
  it.each([
    { activations: at(5), threshold: 2, count: 0, why: 'one activation' },
    { activations: at(5, 4.5), threshold: 2, count: 2, why: 'two within the interval' },
    { activations: at(5, 3), threshold: 2, count: 0, why: 'two, further apart than the interval' },
    { activations: at(10, 9.5, 9, 2, 1.5), threshold: 3, count: 3, why: 'the longest run counts' },
    { activations: at(10, 9.5, 2, 1.5), threshold: 3, count: 0, why: 'two runs of two, threshold 3' },
    { activations: at(31 * 24, 31 * 24 - 0.5), threshold: 2, count: 0, why: 'older than 30 days' },
  ])('$why', ({ activations, threshold, count }) => {
    const out = sequentialActivations(snapshot({ activations }), {
      timeIntervalBetweenActivations: 'PT1H',
      sequentialActivationCounterThreshold: threshold,
    });
    expect(out.map((i) => i.fields.activationCount)).toEqual(count === 0 ? [] : [count]);
  });

  it('reports the run bounds with Graph field names', () => {
    const out = sequentialActivations(snapshot({ activations: at(10, 9.5, 9) }), {
      timeIntervalBetweenActivations: 'PT1H',
      sequentialActivationCounterThreshold: 2,
    });
    expect(out).toEqual([
      {
        id: `u1_${GLOBAL_ADMINISTRATOR}`,
        fields: {
          assigneeId: 'u1',
          assigneeDisplayName: 'Ada',
          assigneeUserPrincipalName: 'ada@contoso.test',
          activationCount: 3,
          sequenceStartDateTime: new Date(NOW - 10 * HOUR).toISOString(),
          sequenceEndDateTime: new Date(NOW - 9 * HOUR).toISOString(),
          roleDefinitionId: GLOBAL_ADMINISTRATOR,
          roleDisplayName: 'Global Administrator',
          roleTemplateId: GLOBAL_ADMINISTRATOR,
        },
      },
    ]);
  });
});

describe('alert configuration thresholds', () => {
  const ga = ALERT_DEFINITIONS.TooManyGlobalAdminsAssignedToTenantAlert;
  const seq = ALERT_DEFINITIONS.SequentialActivationRenewalsAlert;
  const red = ALERT_DEFINITIONS.RedundantAssignmentAlert;
  it.each([
    { check: () => ga.setting('globalAdminCountThreshold', 1), ok: false },
    { check: () => ga.setting('globalAdminCountThreshold', 2.5), ok: false },
    { check: () => ga.setting('globalAdminCountThreshold', '5'), ok: false },
    { check: () => ga.setting('globalAdminCountThreshold', 100), ok: true },
    { check: () => ga.setting('percentageOfGlobalAdminsOutOfRolesThreshold', 101), ok: false },
    { check: () => ga.setting('duration', 'P1D'), ok: false },
    { check: () => red.setting('duration', 'P101D'), ok: false },
    { check: () => red.setting('duration', 'P30D'), ok: true },
    { check: () => red.setting('duration', 'soon'), ok: false },
    { check: () => seq.setting('timeIntervalBetweenActivations', 'PT30M'), ok: false },
    { check: () => seq.setting('timeIntervalBetweenActivations', 'PT100H'), ok: true },
    { check: () => seq.setting('sequentialActivationCounterThreshold', 1), ok: false },
    { check: () => ALERT_DEFINITIONS.NoMfaOnRoleActivationAlert.setting('anything', 1), ok: false },
  ])('$check', ({ check, ok }) => {
    if (ok) expect(check).not.toThrow();
    else expect(check).toThrow(expect.objectContaining({ kind: 'validation' }));
  });

  it('reads an alert id of this tenant only', () => {
    expect(alertNameOf('t1', alertId('t1', 'NoMfaOnRoleActivationAlert'))).toBe('NoMfaOnRoleActivationAlert');
    expect(alertNameOf('t2', alertId('t1', 'NoMfaOnRoleActivationAlert'))).toBeUndefined();
    expect(alertNameOf('t1', 'DirectoryRole_t1_InvalidLicenseAlert')).toBeUndefined();
  });
});

describe('StaleSignInAlert', () => {
  const settings = ALERT_DEFINITIONS.StaleSignInAlert.defaults;
  const person = (over: Partial<AlertPrincipalFact>): AlertPrincipalFact => ({
    type: 'user',
    displayName: 'Bo',
    userPrincipalName: 'bo@contoso.test',
    createdAt: NOW - 400 * DAY,
    lastSignInAt: null,
    ...over,
  });
  const withPeople = (people: Record<string, AlertPrincipalFact>, schedules: AlertScheduleFact[]) =>
    snapshot({ principals: new Map(Object.entries(people)), schedules });

  it('raises one incident per privileged schedule of a user not seen for the duration, up to the millisecond', () => {
    const at = (lastSignInAt: number | null) =>
      staleSignIns(
        withPeople({ u1: person({ lastSignInAt }) }, [
          sched({ id: 'e1' }),
          sched({ id: 'a1', kind: 'assignment' }),
        ]),
        settings,
      );
    expect(at(NOW - 30 * DAY + 1)).toEqual([]);
    const stale = at(NOW - 30 * DAY);
    expect(stale.map((i) => i.id)).toEqual(['a1', 'e1']);
    expect(stale[0]!.fields).toMatchObject({
      assigneeId: 'u1',
      assigneeUserPrincipalName: 'bo@contoso.test',
      lastSignInDateTime: new Date(NOW - 30 * DAY).toISOString(),
      roleDefinitionId: GLOBAL_ADMINISTRATOR,
      roleDisplayName: 'Global Administrator',
    });
  });

  it('counts a user who never signed in from the account’s creation', () => {
    const never = (createdAt: number) =>
      staleSignIns(withPeople({ u1: person({ createdAt }) }, [sched({ id: 'e1' })]), settings);
    expect(never(NOW - 29 * DAY)).toEqual([]);
    expect(never(NOW - 31 * DAY)).toEqual([
      expect.objectContaining({ id: 'e1', fields: expect.objectContaining({ lastSignInDateTime: null }) }),
    ]);
  });

  it('ignores roles that are not privileged, and principals that are not users', () => {
    const app = person({ type: 'servicePrincipal', userPrincipalName: null, createdAt: null });
    expect(
      staleSignIns(
        withPeople({ u1: person({}), sp: app }, [
          sched({ id: 'r1', roleDefinitionId: READER }),
          sched({ id: 'sp1', principalId: 'sp' }),
        ]),
        settings,
      ),
    ).toEqual([]);
  });

  it('follows the configured duration', () => {
    const s = withPeople({ u1: person({ lastSignInAt: NOW - 10 * DAY }) }, [sched({ id: 'e1' })]);
    expect(staleSignIns(s, { duration: 'P7D' })).toHaveLength(1);
    expect(staleSignIns(s, { duration: 'P14D' })).toHaveLength(0);
  });
});

describe('break-glass alerts (ADR 0033)', () => {
  it('raises one incident per unjustified use, named by the use id', () => {
    const out = breakGlassUsed(
      snapshot({
        breakGlass: {
          accounts: [{ userId: 'u1', createdAt: NOW - DAY, lastTestedAt: null }],
          unjustifiedUses: [
            { id: 'use-b', userId: 'u1', usedAt: NOW - 1000, method: 'password' },
            { id: 'use-a', userId: 'u1', usedAt: NOW, method: 'refreshToken' },
          ],
        },
      }),
    );
    expect(out.map((i) => i.id)).toEqual(['use-a', 'use-b']);
    expect(out[0]!.fields).toMatchObject({
      assigneeId: 'u1',
      assigneeUserPrincipalName: 'ada@contoso.test',
      useDateTime: new Date(NOW).toISOString(),
      useMethod: 'refreshToken',
    });
  });

  it.each([
    { tested: null, marked: 91, fires: true, why: 'never tested, marked 91 days ago' },
    { tested: null, marked: 90, fires: false, why: 'never tested, marked exactly 90 days ago' },
    { tested: 89, marked: 400, fires: false, why: 'tested 89 days ago' },
    { tested: 91, marked: 400, fires: true, why: 'tested 91 days ago' },
  ])('test overdue: $why', ({ tested, marked, fires }) => {
    const s = snapshot({
      breakGlass: {
        accounts: [
          {
            userId: 'u1',
            createdAt: NOW - marked * DAY,
            lastTestedAt: tested === null ? null : NOW - tested * DAY,
          },
        ],
        unjustifiedUses: [],
      },
    });
    const out = breakGlassTestOverdue(s, ALERT_DEFINITIONS.BreakGlassAccountTestOverdueAlert.defaults);
    expect(out.map((i) => i.id)).toEqual(fires ? ['u1'] : []);
  });
});
