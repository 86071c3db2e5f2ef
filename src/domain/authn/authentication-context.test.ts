import { describe, expect, it } from 'vitest';
import {
  acrsForSignIn,
  contextSatisfied,
  isContextId,
  requestedContexts,
  strengthMet,
  type AuthenticationContext,
} from './authentication-context.js';

const NOW = 1_800_000_000_000;
const MIN = 60_000;
const ctx = (id: string, over: Partial<AuthenticationContext['requirement']> = {}, isAvailable = true) =>
  ({
    tenantId: 't',
    id,
    displayName: id,
    description: null,
    isAvailable,
    requirement: { authenticationStrength: 'mfa', maxAgeMinutes: null, externalAcrValues: [], ...over },
    createdAt: 0,
    modifiedAt: 0,
    version: 1,
  }) satisfies AuthenticationContext;

describe('authentication contexts', () => {
  it.each([
    ['c1', true],
    ['c9', true],
    ['c10', true],
    ['c99', true],
    ['c0', false],
    ['c100', false],
    ['c01', false],
    ['C1', false],
    ['c', false],
    ['c1 ', false],
  ])('%s is a context id: %s', (id, ok) => expect(isContextId(id)).toBe(ok));

  it.each([
    ['mfa', ['pwd', 'otp', 'mfa'], true],
    ['mfa', ['pwd'], false],
    ['phishingResistant', ['hwk', 'mfa'], true],
    ['phishingResistant', ['swk', 'mfa'], true],
    ['phishingResistant', ['pwd', 'otp', 'mfa'], false],
    ['passwordAndTotp', ['pwd', 'otp', 'mfa'], true],
    ['passwordAndTotp', ['pwd', 'hwk', 'mfa'], false],
  ] as const)('%s met by %j: %s', (strength, amr, ok) => expect(strengthMet(strength, amr)).toBe(ok));

  it('acrs of a sign-in: available contexts whose strength and age it meets, by number', () => {
    const contexts = [
      ctx('c10', { authenticationStrength: 'mfa' }),
      ctx('c2', { authenticationStrength: 'phishingResistant', maxAgeMinutes: 10 }),
      ctx('c3', { authenticationStrength: 'passwordAndTotp' }),
      ctx('c4', { authenticationStrength: 'mfa' }, false),
    ];
    expect(acrsForSignIn(contexts, ['hwk', 'mfa'], NOW - 10 * MIN, NOW)).toEqual(['c2', 'c10']);
    expect(acrsForSignIn(contexts, ['hwk', 'mfa'], NOW - 10 * MIN - 1, NOW)).toEqual(['c10']);
    expect(acrsForSignIn(contexts, ['pwd', 'otp', 'mfa'], NOW, NOW)).toEqual(['c3', 'c10']);
    expect(acrsForSignIn(contexts, ['hwk', 'mfa'], null, NOW)).toEqual(['c10']);
  });

  it('a context is satisfied when the token names it and the sign-in is fresh enough at use', () => {
    const c = ctx('c1', { maxAgeMinutes: 5, externalAcrValues: ['urn:x'] });
    const own = { acrs: ['c1'], externalAcrValues: [], authTimeMs: NOW - 5 * MIN };
    expect(contextSatisfied(c, own, NOW)).toBe(true);
    expect(contextSatisfied(c, { ...own, authTimeMs: NOW - 5 * MIN - 1 }, NOW)).toBe(false);
    expect(contextSatisfied(c, { ...own, authTimeMs: NOW + 6 * MIN }, NOW)).toBe(false);
    expect(contextSatisfied(c, { ...own, acrs: ['c2'] }, NOW)).toBe(false);
    expect(contextSatisfied(c, { acrs: [], externalAcrValues: ['urn:x'], authTimeMs: NOW }, NOW)).toBe(true);
    expect(contextSatisfied(c, { acrs: [], externalAcrValues: ['urn:y'], authTimeMs: NOW }, NOW)).toBe(false);
    expect(contextSatisfied({ ...c, isAvailable: false }, own, NOW)).toBe(false);
    expect(contextSatisfied(undefined, own, NOW)).toBe(false);
  });

  it.each([
    ['{"access_token":{"acrs":{"essential":true,"value":"c1"}}}', ['c1']],
    ['{"access_token":{"acrs":{"essential":true,"values":["c2","c1","c2"]}}}', ['c2', 'c1']],
    ['{"access_token":{"acrs":{"value":"c100"}}}', []],
    ['{"id_token":{"acr":{"value":"c1"}}}', []],
    ['{"access_token":{"acrs":null}}', []],
    ['not json', []],
    ['null', []],
  ])('the claims request %s asks for %j', (claims, ids) => expect(requestedContexts(claims)).toEqual(ids));
});
