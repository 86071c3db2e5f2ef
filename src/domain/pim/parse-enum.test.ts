import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../shared/errors.js';
import {
  parseAction,
  parseAssignmentType,
  parseExpirationType,
  parseGraphEnum,
  parseMemberType,
  parseRequestStatus,
  parseScheduleKind,
} from './parse-enum.js';
import { EXPIRATION_TYPES, REQUEST_ACTIONS, REQUEST_STATUSES } from './types.js';

describe('parseAction', () => {
  it.each([
    ['SelfActivate', 'selfActivate'],
    ['selfActivate', 'selfActivate'],
    ['AdminAssign', 'adminAssign'],
    ['ADMINREMOVE', 'adminRemove'],
    ['adminupdate', 'adminUpdate'],
    ['SelfDeactivate', 'selfDeactivate'],
    ['AdminExtend', 'adminExtend'],
    ['AdminRenew', 'adminRenew'],
    ['SelfExtend', 'selfExtend'],
    ['selfrenew', 'selfRenew'],
  ])('%s → %s', (text, action) => {
    expect(parseAction(text)).toBe(action);
  });

  it('has exactly the 9 actions of unifiedRoleScheduleRequestActions', () => {
    expect(REQUEST_ACTIONS).toHaveLength(9);
  });

  it.each([['unknownFutureValue'], [''], ['activate'], [' selfActivate'], ['selfActivate ']])(
    'refuses %j, listing the allowed values',
    (text) => {
      const call = () => parseAction(text);
      expect(call).toThrow(ValidationError);
      expect(call).toThrow(
        '`action` must be one of (any case): adminAssign, adminUpdate, adminRemove, selfActivate, ' +
          'selfDeactivate, adminExtend, adminRenew, selfExtend, selfRenew;',
      );
    },
  );

  it('names the field as the error target', () => {
    try {
      parseAction('nope');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).target).toBe('action');
      expect((error as ValidationError).code).toBe('invalidRequest');
      expect((error as ValidationError).message).toMatch(/^`action` must be one of .*; "nope" is not one\.$/);
    }
  });

  it('does not echo a huge value back', () => {
    const call = () => parseAction('x'.repeat(1_000_000));
    expect(call).toThrow(/a value of 1000000 characters is not one/);
  });

  it('refuses non-strings that slip past the types', () => {
    expect(() => parseAction(42 as unknown as string)).toThrow(/of type number/);
    expect(() => parseAction(null as unknown as string)).toThrow(/of type null/);
  });

  it('accepts every action in any casing (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...REQUEST_ACTIONS),
        fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
        (action, flips) => {
          const text = [...action].map((c, i) => (flips[i] ? c.toUpperCase() : c.toLowerCase())).join('');
          expect(parseAction(text)).toBe(action);
        },
      ),
    );
  });
});

describe('parseExpirationType', () => {
  it.each([
    ['AfterDuration', 'afterDuration'],
    ['afterduration', 'afterDuration'],
    ['NoExpiration', 'noExpiration'],
    ['AfterDateTime', 'afterDateTime'],
    ['NotSpecified', 'notSpecified'],
    ['AFTERDATETIME', 'afterDateTime'],
  ])('%s → %s', (text, type) => {
    expect(parseExpirationType(text)).toBe(type);
  });

  it('refuses unknown types, naming the field and the four allowed values', () => {
    expect(EXPIRATION_TYPES).toHaveLength(4);
    try {
      parseExpirationType('Never');
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationError).target).toBe('scheduleInfo.expiration.type');
      expect((error as ValidationError).message).toContain(
        'notSpecified, noExpiration, afterDateTime, afterDuration',
      );
    }
  });
});

describe('the other Graph enums', () => {
  it.each([
    [parseRequestStatus, 'pendingapproval', 'PendingApproval'],
    [parseRequestStatus, 'PROVISIONED', 'Provisioned'],
    [parseRequestStatus, 'PendingAdminDecision', 'PendingAdminDecision'],
    [parseMemberType, 'direct', 'Direct'],
    [parseMemberType, 'GROUP', 'Group'],
    [parseMemberType, 'Inherited', 'Inherited'],
    [parseAssignmentType, 'activated', 'Activated'],
    [parseAssignmentType, 'Assigned', 'Assigned'],
    [parseScheduleKind, 'Eligibility', 'eligibility'],
    [parseScheduleKind, 'ASSIGNMENT', 'assignment'],
  ] as const)('%o(%s) → %s', (parse, text, value) => {
    expect(parse(text)).toBe(value);
  });

  it('has the 11 documented status strings', () => {
    expect(REQUEST_STATUSES).toHaveLength(11);
    expect(() => parseRequestStatus('Active')).toThrow(ValidationError);
  });

  it('parseGraphEnum works for any list', () => {
    expect(parseGraphEnum(['principal', 'approver'], 'Approver', 'on')).toBe('approver');
    expect(() => parseGraphEnum(['principal'], 'me', 'on')).toThrow(
      '`on` must be one of (any case): principal; "me" is not one.',
    );
  });
});
