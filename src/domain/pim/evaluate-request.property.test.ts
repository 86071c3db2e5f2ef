// Properties of evaluateRequest over arbitrary inputs of the right types (and odd numbers).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RULE_IDS, defaultPolicyRules } from '../policy/default-rules.js';
import { findRule } from '../policy/types.js';
import type { EnabledRule, PolicyRule } from '../policy/types.js';
import { evaluateRequest, rejectionOf } from './evaluate-request.js';
import type { Evaluation, EvaluationInput } from './evaluate-request.js';
import { FAILED_RULE_ORDER, PolicyViolationError } from './policy-failure.js';
import { resolveWindow } from './resolve-window.js';
import { ASSIGNMENT_TYPES, EXPIRATION_TYPES, REQUEST_ACTIONS, SCHEDULE_KINDS } from './types.js';
import type { ExistingSchedule, RequestCaller, Window } from './types.js';
import { holds } from './window.js';

const D = 86_400_000;
const NOW = Date.UTC(2026, 10, 27, 9);

const instant = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: NOW - 400 * D, max: NOW + 400 * D }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Infinity, -Infinity, Number.MAX_VALUE, -0) },
);
const window: fc.Arbitrary<Window> = fc.record({ start: instant, end: fc.option(instant) });
const existing: fc.Arbitrary<ExistingSchedule> = fc.record(
  { window, assignmentType: fc.constantFrom(...ASSIGNMENT_TYPES) },
  { requiredKeys: ['window'] },
);
const text = fc.option(fc.oneof(fc.string(), fc.constantFrom('', '   ', 'Ticket 42')));
const caller: fc.Arbitrary<RequestCaller> = fc.record({
  kind: fc.constantFrom('user', 'app'),
  isPrincipal: fc.boolean(),
  mfaSatisfied: fc.boolean(),
  acrs: fc.array(fc.constantFrom('c1', 'c2', '')),
});
const enabledRules = fc.subarray<EnabledRule>(['MultiFactorAuthentication', 'Justification', 'Ticketing']);
const duration = fc.oneof(
  fc.constantFrom('PT8H', 'P180D', 'P365D', 'PT0S', 'PT-1H', 'P1Y', 'bogus', ''),
  fc.string(),
);

/** Default rules with arbitrary settings, some rules dropped, in any order. */
const rules: fc.Arbitrary<PolicyRule[]> = fc
  .record({
    drop: fc.subarray([...RULE_IDS]),
    required: fc.boolean(),
    maximum: duration,
    enabled: enabledRules,
    approval: fc.boolean(),
    justify: fc.boolean(),
    acrsOn: fc.boolean(),
    claim: fc.option(fc.constantFrom('c1', 'c2', '')),
    seed: fc.integer(),
  })
  .map(({ drop, required, maximum, enabled, approval, justify, acrsOn, claim, seed }) => {
    const list = defaultPolicyRules().filter((r) => !drop.includes(r.id as (typeof RULE_IDS)[number]));
    for (const r of list) {
      if (r['@odata.type'].endsWith('ExpirationRule') && 'isExpirationRequired' in r) {
        r.isExpirationRequired = required;
        r.maximumDuration = maximum;
      }
      if ('enabledRules' in r) r.enabledRules = [...enabled];
      if ('setting' in r) {
        r.setting.isApprovalRequired = approval;
        r.setting.isRequestorJustificationRequired = justify;
      }
      if ('claimValue' in r) {
        r.isEnabled = acrsOn;
        r.claimValue = claim;
      }
    }
    return seed % 2 === 0 ? list : list.reverse();
  });

const input: fc.Arbitrary<EvaluationInput> = fc.record(
  {
    kind: fc.constantFrom(...SCHEDULE_KINDS),
    action: fc.constantFrom(...REQUEST_ACTIONS),
    now: fc.oneof({ weight: 9, arbitrary: fc.constant(NOW) }, { weight: 1, arbitrary: instant }),
    window: fc.option(window),
    requested: fc.option(
      fc.record({
        startDateTime: fc.option(instant),
        expiration: fc.record({
          type: fc.constantFrom(...EXPIRATION_TYPES),
          endDateTime: fc.option(instant),
          duration: fc.option(duration),
        }),
      }),
    ),
    justification: text,
    ticketInfo: fc.option(fc.record({ ticketNumber: text, ticketSystem: text })),
    caller,
    rules,
    eligibility: fc.option(window),
    activeAssignment: fc.option(existing),
    target: fc.option(existing),
  },
  { requiredKeys: ['kind', 'action', 'now', 'justification', 'ticketInfo', 'caller', 'rules'] },
);

const H = 3_600_000;

/** Realistic activations around now, so that many are accepted and the bounds can be checked. */
const activationInput = fc
  .record({
    eligibility: fc.record({
      start: fc.integer({ min: NOW - 10 * D, max: NOW + D }),
      end: fc.option(fc.integer({ min: NOW - D, max: NOW + 3 * D }), { freq: 3 }),
    }),
    startDateTime: fc.option(fc.integer({ min: NOW - 3 * H, max: NOW + 2 * D })),
    hours: fc.integer({ min: 1, max: 14 }),
    maxHours: fc.constantFrom(4, 8, 12),
    mfa: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    justification: fc.oneof(
      { weight: 4, arbitrary: fc.constant('Because') },
      { weight: 1, arbitrary: fc.constantFrom(null, '', ' ') },
    ),
    existing: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: existing }),
  })
  .chain((c) => {
    const requested = {
      startDateTime: c.startDateTime,
      expiration: { type: 'afterDuration' as const, endDateTime: null, duration: `PT${c.hours}H` },
    };
    let resolved: Window;
    try {
      resolved = resolveWindow(requested, NOW);
    } catch {
      resolved = { start: NOW, end: null };
    }
    const policy = defaultPolicyRules();
    findRule(policy, 'Expiration_EndUser_Assignment')!.maximumDuration = `PT${c.maxHours}H`;
    const request: EvaluationInput = {
      kind: 'assignment',
      action: 'selfActivate',
      now: NOW,
      window: resolved,
      requested,
      justification: c.justification,
      ticketInfo: null,
      caller: { kind: 'user', isPrincipal: true, mfaSatisfied: c.mfa, acrs: [] },
      rules: policy,
      eligibility: c.eligibility,
      activeAssignment: c.existing,
    };
    return fc.constant({ request, maxHours: c.maxHours });
  });

const ACCEPTED: Record<(typeof REQUEST_ACTIONS)[number], string[]> = {
  adminAssign: ['Provisioned', 'Granted'],
  adminUpdate: ['Provisioned', 'Granted'],
  adminExtend: ['Provisioned', 'Granted'],
  adminRenew: ['Provisioned', 'Granted'],
  selfActivate: ['Provisioned', 'Granted', 'PendingApproval'],
  adminRemove: ['Revoked'],
  selfDeactivate: ['Revoked'],
  selfExtend: ['PendingAdminDecision'],
  selfRenew: ['PendingAdminDecision'],
};

describe('evaluateRequest properties', () => {
  it('never throws, names each rule at most once in the stable order, and is consistent', () => {
    fc.assert(
      fc.property(input, (request) => {
        const evaluation: Evaluation = evaluateRequest(request);
        const rules = evaluation.failedRules;
        expect(new Set(rules).size).toBe(rules.length);
        const positions = rules.map((r) => FAILED_RULE_ORDER.indexOf(r));
        expect(positions).toEqual([...positions].sort((a, b) => a - b));
        expect(positions.every((p) => p >= 0)).toBe(true);
        expect(evaluation.failures.map((f) => f.rule)).toEqual(rules);

        const refused = rules.length > 0 || evaluation.error !== undefined;
        if (refused) {
          expect(evaluation.outcome).toEqual({ status: 'Failed', requiresApproval: false });
          const rejection = rejectionOf(evaluation);
          expect(rejection).toBeDefined();
          if (evaluation.error === undefined) expect(rejection).toBeInstanceOf(PolicyViolationError);
        } else {
          expect(ACCEPTED[request.action]).toContain(evaluation.outcome.status);
          expect(evaluation.outcome.requiresApproval).toBe(evaluation.outcome.status === 'PendingApproval');
          expect(rejectionOf(evaluation)).toBeUndefined();
        }
      }),
      { numRuns: 3_000 },
    );
  });

  it('is pure: the same input gives the same verdict and is not modified', () => {
    fc.assert(
      fc.property(input, (request) => {
        const before = structuredClone(request);
        const first = evaluateRequest(request);
        expect(request).toEqual(before);
        expect(evaluateRequest(request)).toEqual(first);
      }),
      { numRuns: 500 },
    );
  });

  it('bringing MFA, a justification and a ticket never adds a failing rule', () => {
    fc.assert(
      fc.property(input, (request) => {
        const without = evaluateRequest(request).failedRules;
        const withEvidence = evaluateRequest({
          ...request,
          caller: { ...request.caller, mfaSatisfied: true },
          justification: 'Because',
          ticketInfo: { ticketNumber: 'CHG-1', ticketSystem: 'ServiceNow' },
        }).failedRules;
        for (const rule of withEvidence) expect(without).toContain(rule);
        expect(withEvidence).not.toContain('JustificationRule');
        expect(withEvidence).not.toContain('TicketingRule');
        if (request.caller.kind === 'user') expect(withEvidence).not.toContain('MfaRule');
      }),
      { numRuns: 1_000 },
    );
  });

  it('an accepted activation lies within its eligibility and the maximum, and starts no earlier than now', () => {
    fc.assert(
      fc.property(activationInput, ({ request, maxHours }) => {
        const evaluation = evaluateRequest(request);
        if (evaluation.failedRules.length > 0 || evaluation.error !== undefined) return;
        const granted = evaluation.outcome.window!;
        const eligibility = request.eligibility!;
        expect(granted.end).not.toBeNull();
        expect(granted.start).toBeGreaterThanOrEqual(NOW);
        expect(holds(eligibility, granted.start)).toBe(true);
        if (eligibility.end !== null) expect(granted.end!).toBeLessThanOrEqual(eligibility.end);
        expect(granted.end! - granted.start).toBeLessThanOrEqual(maxHours * H);
      }),
      { numRuns: 2_000 },
    );
  });

  it('finds both accepted and refused activations (the generator is not vacuous)', () => {
    const verdicts = fc
      .sample(activationInput, 1_000)
      .map(({ request }) => evaluateRequest(request).outcome.status !== 'Failed');
    expect(verdicts.filter(Boolean).length).toBeGreaterThan(100);
    expect(verdicts.filter((accepted) => !accepted).length).toBeGreaterThan(100);
  });
});
