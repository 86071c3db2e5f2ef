// Admin actions, self extend/renew and removal: the rules of each kind and the state checks.
import { describe, expect, it } from 'vitest';
import { defaultPolicyRules } from '../policy/default-rules.js';
import type { RuleId } from '../policy/default-rules.js';
import { findRule } from '../policy/types.js';
import type { PolicyRule, RuleOfId } from '../policy/types.js';
import { parseDateTime } from '../time/datetime.js';
import { evaluateRequest, rejectionOf } from './evaluate-request.js';
import type { EvaluationInput } from './evaluate-request.js';
import { resolveWindow } from './resolve-window.js';
import type { ExistingSchedule, RequestAction, RequestedSchedule, ScheduleKind } from './types.js';

const H = 3_600_000;
const D = 24 * H;
const NOW = parseDateTime('2026-11-27T09:00:00Z');

function policy(...changes: ((rules: PolicyRule[]) => void)[]): PolicyRule[] {
  const rules = defaultPolicyRules();
  for (const change of changes) change(rules);
  return rules;
}
function rule<Id extends RuleId>(id: Id, change: (rule: RuleOfId<Id>) => void) {
  return (rules: PolicyRule[]) => change(findRule(rules, id)!);
}
const expirationRequired = (
  id: 'Expiration_Admin_Eligibility' | 'Expiration_Admin_Assignment',
  max: string,
) =>
  rule(id, (r) => {
    r.isExpirationRequired = true;
    r.maximumDuration = max;
  });

const permanentFromNow: RequestedSchedule = {
  startDateTime: null,
  expiration: { type: 'noExpiration', endDateTime: null, duration: null },
};
const forDays = (days: number, startDateTime: number | null = null): RequestedSchedule => ({
  startDateTime,
  expiration: { type: 'afterDuration', endDateTime: null, duration: `P${days}D` },
});

function request(
  kind: ScheduleKind,
  action: RequestAction,
  overrides: Partial<EvaluationInput> = {},
): EvaluationInput {
  const input: EvaluationInput = {
    kind,
    action,
    now: NOW,
    requested: permanentFromNow,
    justification: 'Quarterly rota',
    ticketInfo: null,
    caller: { kind: 'user', isPrincipal: false, mfaSatisfied: true, acrs: [] },
    rules: defaultPolicyRules(),
    ...overrides,
  };
  if (overrides.window === undefined && input.requested != null) {
    input.window = resolveWindow(input.requested, input.now);
  }
  return input;
}

const current: ExistingSchedule = {
  window: { start: NOW - 10 * D, end: NOW + 20 * D },
  assignmentType: 'Assigned',
};
const ended = (daysAgo: number): ExistingSchedule => ({
  window: { start: NOW - 100 * D, end: NOW - daysAgo * D },
  assignmentType: 'Assigned',
});

describe('adminAssign / adminUpdate / adminExtend / adminRenew: policy', () => {
  it.each<[string, ScheduleKind, Partial<EvaluationInput>, string[]]>([
    // Expiration_Admin_Eligibility (default: permanent allowed, P365D if required)
    ['permanent eligibility by default', 'eligibility', {}, []],
    [
      'permanent eligibility when expiration is required',
      'eligibility',
      { rules: policy(expirationRequired('Expiration_Admin_Eligibility', 'P365D')) },
      ['ExpirationRule'],
    ],
    [
      'P365D eligibility when required (= max)',
      'eligibility',
      { requested: forDays(365), rules: policy(expirationRequired('Expiration_Admin_Eligibility', 'P365D')) },
      [],
    ],
    [
      'P366D eligibility when required (> max)',
      'eligibility',
      { requested: forDays(366), rules: policy(expirationRequired('Expiration_Admin_Eligibility', 'P365D')) },
      ['ExpirationRule'],
    ],
    [
      'P400D eligibility when permanent is allowed (no max then)',
      'eligibility',
      { requested: forDays(400) },
      [],
    ],
    [
      'the assignment rule does not govern eligibility',
      'eligibility',
      { rules: policy(expirationRequired('Expiration_Admin_Assignment', 'P1D')) },
      [],
    ],
    // Enablement_Admin_Eligibility (default: nothing)
    ['eligibility without justification by default', 'eligibility', { justification: null }, []],
    [
      'eligibility with every enablement rule and nothing brought',
      'eligibility',
      {
        justification: null,
        caller: { kind: 'user', isPrincipal: false, mfaSatisfied: false, acrs: [] },
        rules: policy(
          rule(
            'Enablement_Admin_Eligibility',
            (r) => (r.enabledRules = ['Ticketing', 'MultiFactorAuthentication', 'Justification']),
          ),
        ),
      },
      ['MfaRule', 'JustificationRule', 'TicketingRule'],
    ],
    // Expiration_Admin_Assignment (default: permanent allowed, P180D if required)
    ['permanent active assignment by default', 'assignment', {}, []],
    [
      'P181D active when required',
      'assignment',
      { requested: forDays(181), rules: policy(expirationRequired('Expiration_Admin_Assignment', 'P180D')) },
      ['ExpirationRule'],
    ],
    [
      'permanent active when required',
      'assignment',
      { rules: policy(expirationRequired('Expiration_Admin_Assignment', 'P180D')) },
      ['ExpirationRule'],
    ],
    // Enablement_Admin_Assignment (default: Justification), applied to the admin caller
    ['active assignment without justification', 'assignment', { justification: null }, ['JustificationRule']],
    [
      'active assignment by an admin without MFA when MFA is required',
      'assignment',
      {
        caller: { kind: 'user', isPrincipal: false, mfaSatisfied: false, acrs: [] },
        rules: policy(
          rule(
            'Enablement_Admin_Assignment',
            (r) => (r.enabledRules = ['MultiFactorAuthentication', 'Justification']),
          ),
        ),
      },
      ['MfaRule'],
    ],
    [
      'active assignment by an application when MFA is required',
      'assignment',
      {
        caller: { kind: 'app', isPrincipal: false, mfaSatisfied: true, acrs: [] },
        rules: policy(
          rule('Enablement_Admin_Assignment', (r) => (r.enabledRules = ['MultiFactorAuthentication'])),
        ),
      },
      ['MfaRule'],
    ],
    [
      'several at once, in order',
      'assignment',
      {
        justification: '',
        requested: forDays(200),
        rules: policy(expirationRequired('Expiration_Admin_Assignment', 'P180D')),
      },
      ['ExpirationRule', 'JustificationRule'],
    ],
    [
      'activation rules do not apply to admins',
      'assignment',
      { caller: { kind: 'app', isPrincipal: false, mfaSatisfied: false, acrs: [] } },
      [],
    ],
  ])('adminAssign: %s → %j', (_name, kind, overrides, failedRules) => {
    const evaluation = evaluateRequest(request(kind, 'adminAssign', overrides));
    expect(evaluation.failedRules).toEqual(failedRules);
    expect(evaluation.error).toBeUndefined();
    expect(evaluation.outcome.status).toBe(failedRules.length === 0 ? 'Provisioned' : 'Failed');
  });

  it.each(['adminUpdate', 'adminExtend'] as const)('%s applies the same rules', (action) => {
    const rules = policy(expirationRequired('Expiration_Admin_Assignment', 'P180D'));
    const evaluation = evaluateRequest(
      request('assignment', action, { target: current, justification: null, rules }),
    );
    expect(evaluation.failedRules).toEqual(['ExpirationRule', 'JustificationRule']);
  });

  it('adminRenew applies the same rules', () => {
    const evaluation = evaluateRequest(
      request('eligibility', 'adminRenew', {
        target: ended(1),
        rules: policy(expirationRequired('Expiration_Admin_Eligibility', 'P30D')),
      }),
    );
    expect(evaluation.failedRules).toEqual(['ExpirationRule']);
  });

  it('judges the maximum on the window granted: a past start moves to now and keeps its duration', () => {
    const rules = policy(expirationRequired('Expiration_Admin_Assignment', 'P180D'));
    const late = evaluateRequest(
      request('assignment', 'adminAssign', { requested: forDays(180, NOW - 10 * D), rules }),
    );
    expect(late.outcome).toEqual({
      status: 'Provisioned',
      requiresApproval: false,
      window: { start: NOW, end: NOW + 180 * D },
    });
    const tooLong = forDays(181, NOW - 10 * D);
    expect(
      evaluateRequest(request('assignment', 'adminAssign', { requested: tooLong, rules })).failedRules,
    ).toEqual(['ExpirationRule']);
  });

  it('gives Provisioned for a start by now and Granted for a later one', () => {
    const future = evaluateRequest(
      request('eligibility', 'adminAssign', { requested: forDays(30, NOW + D) }),
    );
    expect(future.outcome).toEqual({
      status: 'Granted',
      requiresApproval: false,
      window: { start: NOW + D, end: NOW + 31 * D },
    });
    const now = evaluateRequest(request('eligibility', 'adminAssign', { requested: forDays(30, NOW) }));
    expect(now.outcome.status).toBe('Provisioned');
  });

  it('treats a request without scheduleInfo as permanent from now', () => {
    const evaluation = evaluateRequest(
      request('eligibility', 'adminAssign', { requested: null, window: null }),
    );
    expect(evaluation.outcome).toEqual({
      status: 'Provisioned',
      requiresApproval: false,
      window: { start: NOW, end: null },
    });
  });
});

describe('admin actions: state', () => {
  it.each<[RequestAction, Partial<EvaluationInput>, string | undefined]>([
    ['adminAssign', { activeAssignment: current }, 'RoleAssignmentExists'],
    ['adminAssign', { activeAssignment: { window: { start: NOW + D, end: null } } }, 'RoleAssignmentExists'],
    ['adminAssign', { activeAssignment: ended(0) }, undefined],
    ['adminAssign', { activeAssignment: null }, undefined],
    ['adminUpdate', { target: current }, undefined],
    ['adminUpdate', { target: null }, 'RoleAssignmentDoesNotExist'],
    ['adminUpdate', { target: ended(0) }, 'RoleAssignmentDoesNotExist'],
    ['adminExtend', { target: current }, undefined],
    ['adminExtend', { target: null }, 'RoleAssignmentDoesNotExist'],
    ['adminExtend', { target: ended(1) }, 'RoleAssignmentDoesNotExist'],
    ['adminExtend', { target: { window: { start: NOW - D, end: null } } }, 'RoleAssignmentCannotBeExtended'],
    ['adminRenew', { target: ended(0) }, undefined],
    ['adminRenew', { target: ended(29) }, undefined],
    ['adminRenew', { target: ended(30) }, 'RoleAssignmentCannotBeRenewed'],
    ['adminRenew', { target: current }, 'RoleAssignmentCannotBeRenewed'],
    ['adminRenew', { target: null }, 'RoleAssignmentDoesNotExist'],
  ])('%s %j → %s', (action, overrides, code) => {
    const evaluation = evaluateRequest(request('eligibility', action, overrides));
    expect(evaluation.error?.code).toBe(code);
    expect(evaluation.outcome.status).toBe(code === undefined ? 'Provisioned' : 'Failed');
    if (code !== undefined) expect(rejectionOf(evaluation)?.code).toBe(code);
  });

  it('RoleAssignmentExists wins over policy failures, which are still all collected', () => {
    const evaluation = evaluateRequest(
      request('assignment', 'adminAssign', { activeAssignment: current, justification: null }),
    );
    expect(evaluation.failedRules).toEqual(['JustificationRule']);
    expect(rejectionOf(evaluation)?.code).toBe('RoleAssignmentExists');
  });
});

describe('adminRemove', () => {
  const remove = (overrides: Partial<EvaluationInput>) =>
    evaluateRequest(
      request('assignment', 'adminRemove', {
        requested: null,
        window: null,
        justification: null,
        ...overrides,
      }),
    );

  it('revokes a current schedule without any policy check, ending it now', () => {
    const caller = { kind: 'app', isPrincipal: false, mfaSatisfied: false, acrs: [] } as const;
    expect(remove({ target: current, caller })).toEqual({
      failedRules: [],
      failures: [],
      outcome: { status: 'Revoked', requiresApproval: false, window: { start: NOW - 10 * D, end: NOW } },
    });
  });
  it('revokes a future schedule, which then never holds', () => {
    expect(remove({ target: { window: { start: NOW + D, end: null } } }).outcome).toEqual({
      status: 'Revoked',
      requiresApproval: false,
      window: { start: NOW + D, end: NOW + D },
    });
  });
  it.each([
    ['no target', null],
    ['an ended target', ended(0)],
  ])('refuses %s with RoleAssignmentDoesNotExist', (_name, target) => {
    expect(remove({ target }).error).toEqual({
      code: 'RoleAssignmentDoesNotExist',
      message: 'The Role assignment does not exist.',
    });
  });
  it('works at end - 1 ms and not at end', () => {
    const target = { window: { start: NOW - D, end: NOW + H } };
    expect(remove({ target, now: NOW + H - 1 }).outcome.status).toBe('Revoked');
    expect(remove({ target, now: NOW + H }).error?.code).toBe('RoleAssignmentDoesNotExist');
  });
});

describe('selfExtend / selfRenew', () => {
  const self = { kind: 'user', isPrincipal: true, mfaSatisfied: false, acrs: [] } as const;
  const endingIn = (ms: number): ExistingSchedule => ({ window: { start: NOW - 100 * D, end: NOW + ms } });
  const ask = (kind: ScheduleKind, action: RequestAction, overrides: Partial<EvaluationInput>) =>
    evaluateRequest(request(kind, action, { caller: self, requested: forDays(90), ...overrides }));

  it.each<[ScheduleKind, RequestAction, Partial<EvaluationInput>, string | undefined, string[]]>([
    ['eligibility', 'selfExtend', { target: endingIn(14 * D) }, undefined, []],
    ['eligibility', 'selfExtend', { target: endingIn(1) }, undefined, []],
    ['eligibility', 'selfExtend', { target: endingIn(14 * D + 1) }, 'RoleAssignmentCannotBeExtended', []],
    ['eligibility', 'selfExtend', { target: endingIn(0) }, 'RoleAssignmentCannotBeExtended', []],
    [
      'eligibility',
      'selfExtend',
      { target: { window: { start: NOW - D, end: null } } },
      'RoleAssignmentCannotBeExtended',
      [],
    ],
    ['assignment', 'selfExtend', { target: { ...endingIn(D), assignmentType: 'Assigned' } }, undefined, []],
    [
      'assignment',
      'selfExtend',
      { target: { ...endingIn(D), assignmentType: 'Activated' } },
      'RoleAssignmentCannotBeExtended',
      [],
    ],
    ['assignment', 'selfExtend', { target: null }, 'RoleAssignmentDoesNotExist', []],
    [
      'assignment',
      'selfExtend',
      { target: endingIn(D), caller: { ...self, isPrincipal: false } },
      'CallerIsNotPrincipal',
      [],
    ],
    [
      'eligibility',
      'selfExtend',
      { target: endingIn(D), justification: ' ' },
      undefined,
      ['JustificationRule'],
    ],
    [
      'eligibility',
      'selfExtend',
      {
        target: endingIn(D),
        justification: null,
        rules: policy(
          rule('Approval_EndUser_Assignment', (r) => (r.setting.isRequestorJustificationRequired = false)),
        ),
      },
      undefined,
      [],
    ],
    ['eligibility', 'selfRenew', { target: endingIn(0) }, undefined, []],
    ['eligibility', 'selfRenew', { target: endingIn(-30 * D + 1) }, undefined, []],
    ['eligibility', 'selfRenew', { target: endingIn(-30 * D) }, 'RoleAssignmentCannotBeRenewed', []],
    ['eligibility', 'selfRenew', { target: endingIn(1) }, 'RoleAssignmentCannotBeRenewed', []],
    [
      'assignment',
      'selfRenew',
      { target: { ...endingIn(-D), assignmentType: 'Activated' } },
      'RoleAssignmentCannotBeRenewed',
      [],
    ],
    ['assignment', 'selfRenew', { target: null }, 'RoleAssignmentDoesNotExist', []],
  ])('%s %s %j → %s %j', (kind, action, overrides, code, failedRules) => {
    const evaluation = ask(kind, action, overrides);
    expect(evaluation.error?.code).toBe(code);
    expect(evaluation.failedRules).toEqual(failedRules);
    const accepted = code === undefined && failedRules.length === 0;
    expect(evaluation.outcome.status).toBe(accepted ? 'PendingAdminDecision' : 'Failed');
  });

  it('waits for an admin with the window asked for', () => {
    const evaluation = ask('eligibility', 'selfExtend', { target: endingIn(D) });
    expect(evaluation.outcome).toEqual({
      status: 'PendingAdminDecision',
      requiresApproval: false,
      window: { start: NOW, end: NOW + 90 * D },
    });
  });

  it('explains the 14-day window', () => {
    const evaluation = ask('eligibility', 'selfExtend', { target: endingIn(20 * D) });
    expect(evaluation.error?.message).toBe(
      'Only an assignment that ends within the next 14 days can be extended; this one ends on 2026-12-17T09:00:00.000Z.',
    );
  });
});

describe('an action that slipped past parsing', () => {
  it('is refused as invalidRequest, not thrown on', () => {
    const evaluation = evaluateRequest(request('assignment', 'unknownFutureValue' as RequestAction));
    expect(evaluation.error).toEqual({
      code: 'invalidRequest',
      message: 'Unknown action "unknownFutureValue".',
    });
    expect(evaluation.outcome.status).toBe('Failed');
  });
});
