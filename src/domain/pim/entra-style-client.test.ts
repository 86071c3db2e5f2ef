// The flow of examples/entra_style_client.py, at the domain level: an application makes
// a service principal eligible (adminAssign) and the service principal activates itself
// (selfActivate) with its own token, at now = 2026-11-27.
import { describe, expect, it } from 'vitest';
import { defaultPolicyRules } from '../policy/default-rules.js';
import { findRule } from '../policy/types.js';
import { parseDateTime } from '../time/datetime.js';
import { evaluateRequest, rejectionOf } from './evaluate-request.js';
import { eligibilityInstanceId } from './instance-id.js';
import { parseAction, parseExpirationType } from './parse-enum.js';
import { resolveWindow } from './resolve-window.js';
import type { RequestCaller, RequestedSchedule } from './types.js';
import { holds } from './window.js';

const H = 3_600_000;
const NOW = parseDateTime('2026-11-27T10:15:00Z');
const ROLE = '62e90394-69f5-4237-9190-012177145e10';
const SERVICE_PRINCIPAL = '6be4b305-b75e-4efc-bfcc-31bd3b53a5f8';
/** Client-credentials token of the workload itself: no MFA is possible. */
const app: RequestCaller = { kind: 'app', isPrincipal: true, mfaSatisfied: false, acrs: [] };

/** `create_eligible_assignment`'s body, parsed as the HTTP layer would (any case accepted). */
function eligibleBody(startDateTime: string, type = 'afterDuration'): RequestedSchedule {
  return {
    startDateTime: parseDateTime(startDateTime),
    expiration: { type: parseExpirationType(type), endDateTime: null, duration: 'P180D' },
  };
}

describe('entra_style_client.py', () => {
  it('its own eligibility body (2025-01-01 + P180D) starts now and keeps its 180 days', () => {
    expect(parseAction('adminAssign')).toBe('adminAssign');
    expect(resolveWindow(eligibleBody('2025-01-01T00:00:00Z'), NOW)).toEqual({
      start: NOW,
      end: NOW + 180 * 24 * H,
    });
  });

  it('the same body with a current start is accepted, then the service principal activates itself', () => {
    const requested = eligibleBody('2026-11-27T00:00:00Z', 'AfterDuration');
    const eligibility = resolveWindow(requested, NOW);
    expect(eligibility).toEqual({ start: NOW, end: parseDateTime('2027-05-26T10:15:00Z') });

    const assign = evaluateRequest({
      kind: 'eligibility',
      action: parseAction('AdminAssign'),
      now: NOW,
      window: eligibility,
      requested,
      justification: 'PIM eligible assignment',
      ticketInfo: null,
      caller: { ...app, isPrincipal: false },
      rules: defaultPolicyRules(),
    });
    expect(assign.outcome).toEqual({ status: 'Provisioned', requiresApproval: false, window: eligibility });
    expect(eligibilityInstanceId(ROLE, SERVICE_PRINCIPAL, '/', () => 'unused')).toBe(
      'lAPpYvVpN0KRkAEhdxReEAWz5Gtet_xOv8wxvTtTpfg-1-e',
    );

    // activate_role: startDateTime None, PT8H, with the role's activation policy not requiring MFA.
    const activation: RequestedSchedule = {
      startDateTime: null,
      expiration: { type: parseExpirationType('afterDuration'), endDateTime: null, duration: 'PT8H' },
    };
    const rules = defaultPolicyRules();
    findRule(rules, 'Enablement_EndUser_Assignment')!.enabledRules = ['Justification'];
    const activate = evaluateRequest({
      kind: 'assignment',
      action: parseAction('selfActivate'),
      now: NOW,
      window: resolveWindow(activation, NOW),
      requested: activation,
      justification: 'nightly reconciliation job',
      ticketInfo: null,
      caller: app,
      rules,
      eligibility,
    });
    expect(activate.outcome).toEqual({
      status: 'Provisioned',
      requiresApproval: false,
      window: { start: NOW, end: NOW + 8 * H },
    });
    expect(holds(activate.outcome.window!, NOW + 8 * H - 1)).toBe(true);
    expect(holds(activate.outcome.window!, NOW + 8 * H)).toBe(false);
  });

  it('a service principal cannot activate a role whose policy requires MFA: MfaRule', () => {
    const eligibility = resolveWindow(eligibleBody('2026-11-27T00:00:00Z'), NOW);
    const activation: RequestedSchedule = {
      startDateTime: null,
      expiration: { type: 'afterDuration', endDateTime: null, duration: 'PT8H' },
    };
    const evaluation = evaluateRequest({
      kind: 'assignment',
      action: 'selfActivate',
      now: NOW,
      window: resolveWindow(activation, NOW),
      requested: activation,
      justification: 'nightly reconciliation job',
      ticketInfo: null,
      caller: { ...app, mfaSatisfied: true },
      rules: defaultPolicyRules(),
      eligibility,
    });
    expect(evaluation.failedRules).toEqual(['MfaRule']);
    expect(evaluation.failures[0]?.reason).toMatch(/application cannot perform/);
    expect(rejectionOf(evaluation)?.message).toBe('The following policy rules failed: ["MfaRule"]');
  });
});
