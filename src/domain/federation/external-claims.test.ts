import { describe, expect, it } from 'vitest';
import { amrFromExternal, groupChanges, upnForNewUser, userKeyOf } from './external-claims.js';

const rules = { userClaim: 'upn', mfaAmrValues: ['mfa'], mfaAcrValues: ['urn:okta:loa:2fa:any'] };

describe('amrFromExternal', () => {
  it.each([
    [['pwd', 'mfa'], undefined, rules, ['pwd', 'mfa']],
    [['pwd'], undefined, rules, ['pwd']],
    [['pwd'], 'urn:okta:loa:2fa:any', rules, ['pwd', 'mfa']],
    [['pwd', 'hwk'], '2', { ...rules, mfaAmrValues: ['hwk'] }, ['pwd', 'hwk', 'mfa']],
    // An `mfa` the operator does not trust is dropped, not passed through.
    [['pwd', 'mfa'], undefined, { ...rules, mfaAmrValues: ['hwk'] }, ['pwd']],
    [undefined, undefined, rules, ['fed']],
    ['mfa', undefined, rules, ['fed']],
    [['bad value with spaces', 42, 'otp'], undefined, rules, ['otp']],
  ])('amr %j, acr %j → %j', (amr, acr, r, expected) => {
    expect(amrFromExternal(amr, acr, r)).toEqual(expected);
  });
});

describe('userKeyOf / upnForNewUser', () => {
  it.each([
    [{ upn: 'Ada@Contoso.test' }, 'upn', { kind: 'upn', value: 'ada@contoso.test' }],
    [{ email: 'not-an-address' }, 'email', undefined],
    [{}, 'preferred_username', undefined],
    [
      { oid: '6E4B2A1C-1111-4222-8333-944445555666' },
      'oid',
      { kind: 'id', value: '6e4b2a1c-1111-4222-8333-944445555666' },
    ],
    [{ sub: 'opaque-subject' }, 'sub', undefined],
  ])('%j by %s → %j', (claims, claim, expected) => {
    expect(userKeyOf(claims, claim)).toEqual(expected);
  });

  it('takes a new user principal name from the claim, else from upn/preferred_username/email', () => {
    expect(upnForNewUser({}, { kind: 'upn', value: 'ada@contoso.test' })).toBe('ada@contoso.test');
    expect(upnForNewUser({ email: 'Bo@Contoso.test' }, { kind: 'id', value: 'x' })).toBe('bo@contoso.test');
    expect(upnForNewUser({ name: 'no address' }, undefined)).toBeUndefined();
  });
});

describe('groupChanges', () => {
  const map = {
    admins: 'aaaaaaaa-0000-4000-8000-000000000001',
    'ops-id': 'aaaaaaaa-0000-4000-8000-000000000002',
  };
  const admins = map.admins;
  const ops = map['ops-id'];
  it.each([
    [['admins'], [], { add: [admins], remove: [] }],
    [['admins', 'ops-id', 'unmapped'], [admins], { add: [ops], remove: [] }],
    [[], [admins, ops, 'bbbbbbbb-0000-4000-8000-000000000009'], { add: [], remove: [admins, ops] }],
    [undefined, [admins], { add: [], remove: [admins] }],
    [['ops-id'], [admins, ops], { add: [], remove: [admins] }],
  ])('claim %j with current %j → %j', (claim, current, expected) => {
    expect(groupChanges(claim, map, current)).toEqual(expected);
  });
});
