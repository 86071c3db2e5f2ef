import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../shared/errors.js';
import {
  FAILED_RULE_ORDER,
  PolicyViolationError,
  mergeFailures,
  orderFailedRules,
  policyFailureMessage,
} from './policy-failure.js';

describe('policyFailureMessage', () => {
  it.each([
    [['MfaRule'], 'The following policy rules failed: ["MfaRule"]'],
    [['JustificationRule', 'MfaRule'], 'The following policy rules failed: ["MfaRule","JustificationRule"]'],
    [
      ['ExpirationRule', 'EligibilityRule'],
      'The following policy rules failed: ["EligibilityRule","ExpirationRule"]',
    ],
    [
      [...FAILED_RULE_ORDER].reverse(),
      'The following policy rules failed: ["EligibilityRule","ExpirationRule","MfaRule","JustificationRule","TicketingRule"]',
    ],
    [['MfaRule', 'MfaRule'], 'The following policy rules failed: ["MfaRule"]'],
    [['ActivationDayRule', 'MfaRule'], 'The following policy rules failed: ["MfaRule","ActivationDayRule"]'],
    [[], 'The following policy rules failed: []'],
  ])('%j → %s', (rules, message) => {
    expect(policyFailureMessage(rules)).toBe(message);
  });

  it('keeps unknown rules in the order given, after the known ones', () => {
    expect(orderFailedRules(['ZRule', 'TicketingRule', 'ARule', 'ZRule'])).toEqual([
      'TicketingRule',
      'ZRule',
      'ARule',
    ]);
  });
});

describe('mergeFailures', () => {
  it('names each rule once, in order, with its reasons joined', () => {
    expect(
      mergeFailures([
        { rule: 'JustificationRule', reason: 'j.' },
        { rule: 'ExpirationRule', reason: 'a.' },
        { rule: 'ExpirationRule', reason: 'b.' },
        { rule: 'ExpirationRule', reason: 'a.' },
      ]),
    ).toEqual([
      { rule: 'ExpirationRule', reason: 'a. b.' },
      { rule: 'JustificationRule', reason: 'j.' },
    ]);
  });
});

describe('PolicyViolationError', () => {
  it('is a 400 with Graph’s code and message', () => {
    const error = new PolicyViolationError(['JustificationRule', 'MfaRule']);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.kind).toBe('badRequest');
    expect(error.code).toBe('RoleAssignmentRequestPolicyValidationFailed');
    expect(error.message).toBe('The following policy rules failed: ["MfaRule","JustificationRule"]');
    expect(error.failedRules).toEqual(['MfaRule', 'JustificationRule']);
    expect(error.name).toBe('PolicyViolationError');
  });
});
