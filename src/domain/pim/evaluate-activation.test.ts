// selfActivate and selfDeactivate: every rule, alone and together, and the clock at the edges.
import { describe, expect, it } from 'vitest';
import { defaultPolicyRules } from '../policy/default-rules.js';
import type { RuleId } from '../policy/default-rules.js';
import { findRule } from '../policy/types.js';
import type { PolicyRule, RuleOfId } from '../policy/types.js';
import { BadRequestError, ValidationError } from '../shared/errors.js';
import { parseDateTime } from '../time/datetime.js';
import { evaluateRequest, rejectionOf } from './evaluate-request.js';
import type { EvaluationInput } from './evaluate-request.js';
import { PolicyViolationError } from './policy-failure.js';
import { resolveWindow } from './resolve-window.js';
import type { RequestedSchedule } from './types.js';

const M = 60_000;
const H = 60 * M;
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
const endUserEnablement = (...enabled: ('MultiFactorAuthentication' | 'Justification' | 'Ticketing')[]) =>
  rule('Enablement_EndUser_Assignment', (r) => (r.enabledRules = enabled));
const requireApproval = rule('Approval_EndUser_Assignment', (r) => (r.setting.isApprovalRequired = true));
const requireAcrs = (claimValue: string | null) =>
  rule('AuthenticationContext_EndUser_Assignment', (r) => {
    r.isEnabled = true;
    r.claimValue = claimValue;
  });

function forHours(hours: number, startDateTime: number | null = null): RequestedSchedule {
  return { startDateTime, expiration: { type: 'afterDuration', endDateTime: null, duration: `PT${hours}H` } };
}

/** A selfActivate that passes under the default policy; override what a case is about. */
function activation(overrides: Partial<EvaluationInput> = {}): EvaluationInput {
  const input: EvaluationInput = {
    kind: 'assignment',
    action: 'selfActivate',
    now: NOW,
    requested: forHours(8),
    justification: 'Patch the payroll tenant (CHG-1234)',
    ticketInfo: null,
    caller: { kind: 'user', isPrincipal: true, mfaSatisfied: true, acrs: [] },
    rules: defaultPolicyRules(),
    eligibility: { start: NOW - 30 * D, end: NOW + 150 * D },
    ...overrides,
  };
  if (overrides.window === undefined) input.window = resolveWindow(input.requested!, input.now);
  return input;
}

describe('selfActivate', () => {
  it('activates now for the requested duration: Provisioned', () => {
    const evaluation = evaluateRequest(activation());
    expect(evaluation).toEqual({
      failedRules: [],
      failures: [],
      outcome: { status: 'Provisioned', requiresApproval: false, window: { start: NOW, end: NOW + 8 * H } },
    });
    expect(rejectionOf(evaluation)).toBeUndefined();
  });

  it.each<[string, Partial<EvaluationInput>, string[]]>([
    // EligibilityRule
    ['no eligibility', { eligibility: null }, ['EligibilityRule']],
    [
      'an eligibility that ended',
      { eligibility: { start: NOW - 10 * D, end: NOW - 1 } },
      ['EligibilityRule'],
    ],
    [
      'an eligibility ending exactly now',
      { eligibility: { start: NOW - 10 * D, end: NOW } },
      ['EligibilityRule'],
    ],
    ['an eligibility not yet started', { eligibility: { start: NOW + 1, end: null } }, ['EligibilityRule']],
    ['a permanent eligibility', { eligibility: { start: NOW - D, end: null } }, []],
    // ExpirationRule (Expiration_EndUser_Assignment, PT8H by default)
    ['exactly the maximum, PT8H', { requested: forHours(8) }, []],
    ['over the maximum, PT9H', { requested: forHours(9) }, ['ExpirationRule']],
    [
      'over the maximum by 1 ms',
      {
        requested: {
          startDateTime: null,
          expiration: { type: 'afterDateTime', endDateTime: NOW + 8 * H + 1, duration: null },
        },
      },
      ['ExpirationRule'],
    ],
    [
      'no expiration',
      {
        requested: {
          startDateTime: null,
          expiration: { type: 'noExpiration', endDateTime: null, duration: null },
        },
      },
      ['ExpirationRule'],
    ],
    [
      'notSpecified without an end',
      {
        requested: {
          startDateTime: null,
          expiration: { type: 'notSpecified', endDateTime: null, duration: null },
        },
      },
      ['ExpirationRule'],
    ],
    [
      'no expiration even when the rule says expiration is not required',
      {
        requested: {
          startDateTime: null,
          expiration: { type: 'noExpiration', endDateTime: null, duration: null },
        },
        rules: policy(rule('Expiration_EndUser_Assignment', (r) => (r.isExpirationRequired = false))),
      },
      ['ExpirationRule'],
    ],
    [
      'PT9H with a past start (moved to now, still PT9H)',
      { requested: forHours(9, NOW - H) },
      ['ExpirationRule'],
    ],
    ['PT8H with a past start (moved to now, PT8H from now)', { requested: forHours(8, NOW - 3 * H) }, []],
    [
      'a raised maximum, PT12H',
      {
        requested: forHours(12),
        rules: policy(rule('Expiration_EndUser_Assignment', (r) => (r.maximumDuration = 'PT12H'))),
      },
      [],
    ],
    [
      'a broken maximum fails closed',
      { rules: policy(rule('Expiration_EndUser_Assignment', (r) => (r.maximumDuration = 'eight hours'))) },
      ['ExpirationRule'],
    ],
    [
      'an activation outliving its eligibility by 1 ms',
      { eligibility: { start: NOW - D, end: NOW + 8 * H - 1 } },
      ['ExpirationRule'],
    ],
    ['an activation ending with its eligibility', { eligibility: { start: NOW - D, end: NOW + 8 * H } }, []],
    // MfaRule
    [
      'a user without MFA',
      { caller: { kind: 'user', isPrincipal: true, mfaSatisfied: false, acrs: [] } },
      ['MfaRule'],
    ],
    [
      'an application, which cannot do MFA whatever it claims',
      { caller: { kind: 'app', isPrincipal: true, mfaSatisfied: true, acrs: [] } },
      ['MfaRule'],
    ],
    [
      'an application when the role does not require MFA',
      {
        caller: { kind: 'app', isPrincipal: true, mfaSatisfied: false, acrs: [] },
        rules: policy(endUserEnablement('Justification')),
      },
      [],
    ],
    [
      'a user without MFA when the role does not require it',
      {
        caller: { kind: 'user', isPrincipal: true, mfaSatisfied: false, acrs: [] },
        rules: policy(endUserEnablement('Justification')),
      },
      [],
    ],
    // JustificationRule
    ['no justification', { justification: null }, ['JustificationRule']],
    ['an empty justification', { justification: '' }, ['JustificationRule']],
    ['a blank justification', { justification: ' \t\n ' }, ['JustificationRule']],
    ['no justification when not required', { justification: null, rules: policy(endUserEnablement()) }, []],
    // TicketingRule
    ['no ticket when required', { rules: policy(endUserEnablement('Ticketing')) }, ['TicketingRule']],
    [
      'a ticket number without a system',
      {
        rules: policy(endUserEnablement('Ticketing')),
        ticketInfo: { ticketNumber: 'CHG-1', ticketSystem: null },
      },
      ['TicketingRule'],
    ],
    [
      'a ticket system without a number',
      {
        rules: policy(endUserEnablement('Ticketing')),
        ticketInfo: { ticketNumber: ' ', ticketSystem: 'ServiceNow' },
      },
      ['TicketingRule'],
    ],
    [
      'a full ticket',
      {
        rules: policy(endUserEnablement('Ticketing')),
        ticketInfo: { ticketNumber: 'CONTOSO:Normal-67890', ticketSystem: 'MS Project' },
      },
      [],
    ],
    ['no ticket when not required', { ticketInfo: null }, []],
    // all together, in the stable order
    [
      'everything wrong at once',
      {
        eligibility: null,
        requested: forHours(9),
        caller: { kind: 'user', isPrincipal: true, mfaSatisfied: false, acrs: [] },
        justification: null,
        ticketInfo: null,
        rules: policy(endUserEnablement('Ticketing', 'Justification', 'MultiFactorAuthentication')),
      },
      ['EligibilityRule', 'ExpirationRule', 'MfaRule', 'JustificationRule', 'TicketingRule'],
    ],
    [
      'MFA and justification missing',
      { caller: { kind: 'user', isPrincipal: true, mfaSatisfied: false, acrs: [] }, justification: '  ' },
      ['MfaRule', 'JustificationRule'],
    ],
    [
      'unbounded and outliving the eligibility: ExpirationRule once',
      {
        requested: {
          startDateTime: null,
          expiration: { type: 'noExpiration', endDateTime: null, duration: null },
        },
        eligibility: { start: NOW - D, end: NOW + D },
      },
      ['ExpirationRule'],
    ],
  ])('%s → %j', (_name, overrides, failedRules) => {
    const evaluation = evaluateRequest(activation(overrides));
    expect(evaluation.failedRules).toEqual(failedRules);
    expect(evaluation.failures.map((f) => f.rule)).toEqual(failedRules);
    expect(evaluation.error).toBeUndefined();
    expect(evaluation.outcome.status).toBe(failedRules.length === 0 ? 'Provisioned' : 'Failed');
    for (const failure of evaluation.failures) expect(failure.reason.length).toBeGreaterThan(10);
  });

  it('refuses activating for someone else as such, without looking at their eligibility', () => {
    const evaluation = evaluateRequest(
      activation({ caller: { kind: 'user', isPrincipal: false, mfaSatisfied: true, acrs: [] } }),
    );
    expect(evaluation.failedRules).toEqual([]);
    expect(evaluation.error).toEqual({
      code: 'CallerIsNotPrincipal',
      message:
        'The caller is not the principal of this request: selfActivate acts only for the signed-in user ' +
        "or application itself, so principalId must be the caller's own object id; to act for someone " +
        'else, an administrator sends adminAssign.',
    });
    const rejection = rejectionOf(evaluation);
    expect(rejection).toBeInstanceOf(ValidationError);
    expect(rejection).toMatchObject({ code: 'CallerIsNotPrincipal', target: 'principalId' });
    expect(
      evaluateRequest(
        activation({
          caller: { kind: 'app', isPrincipal: false, mfaSatisfied: false, acrs: [] },
          eligibility: null,
        }),
      ).error?.code,
    ).toBe('CallerIsNotPrincipal');
  });

  it('reports the failing rules in Graph’s message format', () => {
    const evaluation = evaluateRequest(
      activation({
        caller: { kind: 'user', isPrincipal: true, mfaSatisfied: false, acrs: [] },
        justification: null,
      }),
    );
    const rejection = rejectionOf(evaluation);
    expect(rejection).toBeInstanceOf(PolicyViolationError);
    expect(rejection?.code).toBe('RoleAssignmentRequestPolicyValidationFailed');
    expect(rejection?.message).toBe('The following policy rules failed: ["MfaRule","JustificationRule"]');
  });

  it('explains an activation that would outlive the eligibility', () => {
    const evaluation = evaluateRequest(activation({ eligibility: { start: NOW - D, end: NOW + 2 * H } }));
    expect(evaluation.failures).toEqual([
      {
        rule: 'ExpirationRule',
        reason:
          'The activation would outlive the eligibility, which ends on 2026-11-27T11:00:00.000Z; ask for a shorter duration.',
      },
    ]);
  });

  it('starts in the future: Granted, and the eligibility must hold at that start', () => {
    const start = NOW + 2 * D;
    expect(evaluateRequest(activation({ requested: forHours(5, start) })).outcome).toEqual({
      status: 'Granted',
      requiresApproval: false,
      window: { start, end: start + 5 * H },
    });
    const laterEligibility = { start: NOW + D, end: NOW + 10 * D };
    expect(
      evaluateRequest(activation({ requested: forHours(5, start), eligibility: laterEligibility })).outcome
        .status,
    ).toBe('Granted');
    expect(evaluateRequest(activation({ eligibility: laterEligibility })).failedRules).toEqual([
      'EligibilityRule',
    ]);
  });

  describe('approval (Approval_EndUser_Assignment)', () => {
    it('waits for approvers when required', () => {
      expect(evaluateRequest(activation({ rules: policy(requireApproval) })).outcome).toEqual({
        status: 'PendingApproval',
        requiresApproval: true,
        window: { start: NOW, end: NOW + 8 * H },
      });
    });
    it('still reports failing rules first', () => {
      const evaluation = evaluateRequest(activation({ rules: policy(requireApproval), justification: null }));
      expect(evaluation.failedRules).toEqual(['JustificationRule']);
      expect(evaluation.outcome).toEqual({ status: 'Failed', requiresApproval: false });
    });
  });

  describe('authentication context (AuthenticationContext_EndUser_Assignment)', () => {
    it('refuses a token without the claim value, with a claims challenge', () => {
      const evaluation = evaluateRequest(activation({ rules: policy(requireAcrs('c1')) }));
      expect(evaluation.failedRules).toEqual([]);
      expect(evaluation.error?.code).toBe('RoleAssignmentRequestAcrsValidationFailed');
      expect(evaluation.error?.claims).toBe('{"access_token":{"acrs":{"essential":true,"value":"c1"}}}');
      expect(evaluation.error?.message).toContain(
        '&claims=%7B%22access_token%22%3A%7B%22acrs%22%3A%7B%22essential%22%3Atrue%2C%22value%22%3A%22c1%22%7D%7D%7D',
      );
      expect(evaluation.outcome.status).toBe('Failed');
      const rejection = rejectionOf(evaluation);
      expect(rejection).toBeInstanceOf(BadRequestError);
      expect(rejection?.code).toBe('RoleAssignmentRequestAcrsValidationFailed');
    });
    it('accepts a token carrying it', () => {
      const caller = { kind: 'user', isPrincipal: true, mfaSatisfied: true, acrs: ['c2', 'c1'] } as const;
      expect(evaluateRequest(activation({ rules: policy(requireAcrs('c1')), caller })).outcome.status).toBe(
        'Provisioned',
      );
    });
    it('fails closed when enabled without a claim value', () => {
      const caller = { kind: 'user', isPrincipal: true, mfaSatisfied: true, acrs: [''] } as const;
      const evaluation = evaluateRequest(activation({ rules: policy(requireAcrs(null)), caller }));
      expect(evaluation.error?.code).toBe('RoleAssignmentRequestAcrsValidationFailed');
      expect(evaluation.error?.claims).toBeUndefined();
    });
    it('keeps collecting policy failures alongside, and the challenge is answered first', () => {
      const caller = { kind: 'user', isPrincipal: true, mfaSatisfied: false, acrs: [] } as const;
      const evaluation = evaluateRequest(activation({ rules: policy(requireAcrs('c1')), caller }));
      expect(evaluation.failedRules).toEqual(['MfaRule']);
      expect(rejectionOf(evaluation)?.code).toBe('RoleAssignmentRequestAcrsValidationFailed');
    });
  });

  describe('RoleAssignmentExists', () => {
    it.each([
      [
        'an active activation',
        { window: { start: NOW - H, end: NOW + H }, assignmentType: 'Activated' },
        true,
      ],
      [
        'a future (Granted) activation',
        { window: { start: NOW + H, end: NOW + 2 * H }, assignmentType: 'Activated' },
        true,
      ],
      [
        'a permanent admin assignment',
        { window: { start: NOW - D, end: null }, assignmentType: 'Assigned' },
        true,
      ],
      [
        'an activation ending 1 ms from now',
        { window: { start: NOW - H, end: NOW + 1 }, assignmentType: 'Activated' },
        true,
      ],
      [
        'an activation that ended now',
        { window: { start: NOW - H, end: NOW }, assignmentType: 'Activated' },
        false,
      ],
    ] as const)('%s → %s', (_name, activeAssignment, exists) => {
      const evaluation = evaluateRequest(activation({ activeAssignment }));
      if (exists) {
        expect(evaluation.error).toEqual({
          code: 'RoleAssignmentExists',
          message: 'The Role assignment already exists.',
        });
        expect(rejectionOf(evaluation)?.code).toBe('RoleAssignmentExists');
      } else {
        expect(evaluation.outcome.status).toBe('Provisioned');
      }
    });
  });

  it('belongs to roleAssignmentScheduleRequests only', () => {
    const evaluation = evaluateRequest(activation({ kind: 'eligibility' }));
    expect(evaluation.error?.code).toBe('invalidRequest');
    expect(rejectionOf(evaluation)).toBeInstanceOf(ValidationError);
  });

  describe('the clock at the edges of the eligibility [start, end)', () => {
    const end = NOW + 4 * H;
    const eligibility = { start: NOW - D, end };
    const untilEnd = (now: number): Partial<EvaluationInput> => ({
      now,
      eligibility,
      requested: {
        startDateTime: null,
        expiration: { type: 'afterDateTime', endDateTime: end, duration: null },
      },
    });
    it('at end - 1 ms the eligibility holds: a 1 ms activation is Provisioned', () => {
      expect(evaluateRequest(activation(untilEnd(end - 1))).outcome).toEqual({
        status: 'Provisioned',
        requiresApproval: false,
        window: { start: end - 1, end },
      });
    });
    it('at end it does not: EligibilityRule', () => {
      const input = activation({
        ...untilEnd(end),
        window: { start: end, end: end + H },
        requested: forHours(1),
      });
      expect(evaluateRequest(input).failedRules).toEqual(['EligibilityRule']);
    });
    it('an existing activation blocks at its end - 1 ms and not at its end', () => {
      const activeAssignment = {
        window: { start: NOW - H, end: NOW + H },
        assignmentType: 'Activated' as const,
      };
      expect(evaluateRequest(activation({ activeAssignment, now: NOW + H - 1 })).error?.code).toBe(
        'RoleAssignmentExists',
      );
      expect(evaluateRequest(activation({ activeAssignment, now: NOW + H })).error).toBeUndefined();
    });
  });
});

describe('selfDeactivate', () => {
  const activated = { window: { start: NOW - H, end: NOW + 7 * H }, assignmentType: 'Activated' } as const;
  function deactivation(overrides: Partial<EvaluationInput> = {}): EvaluationInput {
    return {
      kind: 'assignment',
      action: 'selfDeactivate',
      now: NOW,
      justification: null,
      ticketInfo: null,
      caller: { kind: 'user', isPrincipal: true, mfaSatisfied: false, acrs: [] },
      rules: defaultPolicyRules(),
      target: activated,
      ...overrides,
    };
  }

  it('revokes an activation, ending its window now, without policy checks', () => {
    expect(evaluateRequest(deactivation())).toEqual({
      failedRules: [],
      failures: [],
      outcome: { status: 'Revoked', requiresApproval: false, window: { start: NOW - H, end: NOW } },
    });
  });

  it.each<[string, Partial<EvaluationInput>, string]>([
    ['no target', { target: null }, 'RoleAssignmentDoesNotExist'],
    [
      'an admin assignment',
      { target: { ...activated, assignmentType: 'Assigned' } },
      'RoleAssignmentDoesNotExist',
    ],
    ['an eligibility-like target', { target: { window: activated.window } }, 'RoleAssignmentDoesNotExist'],
    [
      'someone else’s activation',
      { caller: { kind: 'user', isPrincipal: false, mfaSatisfied: true, acrs: [] } },
      'CallerIsNotPrincipal',
    ],
    [
      'a future activation (cancel it instead)',
      { target: { ...activated, window: { start: NOW + 1, end: NOW + H } } },
      'RoleAssignmentDoesNotExist',
    ],
    ['at its end', { now: NOW + 7 * H }, 'RoleAssignmentDoesNotExist'],
    [
      '4 min 59.999 s after activation',
      { target: { ...activated, window: { start: NOW - 5 * M + 1, end: NOW + H } } },
      'ActiveDurationTooShort',
    ],
    [
      'right at activation',
      { target: { ...activated, window: { start: NOW, end: NOW + H } } },
      'ActiveDurationTooShort',
    ],
    ['on eligibility requests', { kind: 'eligibility' }, 'invalidRequest'],
  ])('%s → %s', (_name, overrides, code) => {
    const evaluation = evaluateRequest(deactivation(overrides));
    expect(evaluation.error?.code).toBe(code);
    expect(evaluation.outcome).toEqual({ status: 'Failed', requiresApproval: false });
  });

  it('says why in Graph’s words', () => {
    const tooSoon = { ...activated, window: { start: NOW - M, end: NOW + H } };
    expect(evaluateRequest(deactivation({ target: tooSoon })).error?.message).toBe(
      'The Active duration is too short. Minimum Required is 5 minutes.',
    );
    expect(evaluateRequest(deactivation({ target: null })).error?.message).toBe(
      'The Role assignment does not exist.',
    );
  });

  it('allows it at exactly 5 minutes and at end - 1 ms', () => {
    const fiveMinutes = { ...activated, window: { start: NOW - 5 * M, end: NOW + H } };
    expect(evaluateRequest(deactivation({ target: fiveMinutes })).outcome.status).toBe('Revoked');
    expect(evaluateRequest(deactivation({ now: NOW + 7 * H - 1 })).outcome).toEqual({
      status: 'Revoked',
      requiresApproval: false,
      window: { start: NOW - H, end: NOW + 7 * H - 1 },
    });
  });
});
