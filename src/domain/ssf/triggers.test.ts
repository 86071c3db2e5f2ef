import { describe, expect, it } from 'vitest';
import {
  CAEP_SESSION_REVOKED as REVOKED,
  CAEP_TOKEN_CLAIMS_CHANGE as CLAIMS,
  checkEndpointUrl,
  checkEventsRequested,
} from './stream.js';
import { SSF_EVENT_TYPES, triggerOf } from './triggers.js';

const P = '0a4f5c3e-1b2d-4e6f-8a9b-0c1d2e3f4a5b';
const at = 1_765_000_000_000;
const ev = (type: string, payload: Record<string, unknown>) => ({ type, occurredAt: at, payload });

describe('triggerOf', () => {
  it.each([
    [
      'pim.requestAccepted',
      { kind: 'assignment', action: 'selfDeactivate', principalId: P },
      'user',
      [CLAIMS, REVOKED],
    ],
    [
      'pim.requestAccepted',
      { kind: 'assignment', action: 'adminRemove', principalId: P },
      'admin',
      [CLAIMS, REVOKED],
    ],
    ['pim.activationEnded', { kind: 'assignment', principalId: P }, 'admin', [CLAIMS, REVOKED]],
    ['roles.assignmentDeleted', { principalId: P }, 'admin', [CLAIMS, REVOKED]],
    [
      'directory.groupMemberRemoved',
      { groupId: 'g', memberId: P, memberType: 'user' },
      'admin',
      [CLAIMS, REVOKED],
    ],
    ['directory.userUpdated', { userId: P, disabled: true }, 'admin', [REVOKED]],
    ['directory.userDeleted', { userId: P }, 'admin', [REVOKED]],
  ])('%s %j → %s, %j', (type, payload, entity, events) => {
    expect(triggerOf(ev(type, payload))).toMatchObject({
      principalId: P,
      initiatingEntity: entity,
      events,
      at,
    });
    expect(SSF_EVENT_TYPES.has(type)).toBe(true);
  });

  it('an expiry is stamped with the end of the window, not the time the sweeper noticed', () => {
    const end = at - 700;
    expect(
      triggerOf(ev('pim.scheduleExpired', { kind: 'assignment', principalId: P, endDateTime: end })),
    ).toMatchObject({ initiatingEntity: 'policy', at: end });
  });

  it.each([
    ['pim.requestAccepted', { kind: 'assignment', action: 'selfActivate', principalId: P }],
    ['pim.requestAccepted', { kind: 'eligibility', action: 'adminRemove', principalId: P }],
    ['pim.scheduleExpired', { kind: 'eligibility', principalId: P, endDateTime: at }],
    ['directory.groupMemberRemoved', { groupId: 'g', memberId: P, memberType: 'group' }],
    ['directory.userUpdated', { userId: P, disabled: false, accountEnabled: false }],
    ['pim.requestAccepted', { kind: 'assignment', action: 'selfDeactivate' }],
    ['directory.userCreated', { userId: P }],
    ['roles.assignmentDeleted', { principalId: P, principalType: 'group' }],
    [
      'pim.requestAccepted',
      { kind: 'assignment', action: 'adminRemove', principalId: P, principalType: 'group' },
    ],
  ])('%s %j → nothing', (type, payload) => {
    expect(triggerOf(ev(type, payload))).toBeUndefined();
  });
});

describe('stream checks', () => {
  it('endpoints: https, or http only where allowed; no credentials, no fragment', () => {
    expect(checkEndpointUrl('https://rp.example/ssf', false)).toBe('https://rp.example/ssf');
    expect(() => checkEndpointUrl('http://rp.example/ssf', false)).toThrow(/ELEVATE_SSF_ALLOW_HTTP/);
    expect(checkEndpointUrl('http://rp.example/ssf', true)).toBe('http://rp.example/ssf');
    expect(() => checkEndpointUrl('https://a:b@rp.example/', true)).toThrow(/user name or password/);
    expect(() => checkEndpointUrl('https://rp.example/#x', true)).toThrow(/fragment/);
    expect(() => checkEndpointUrl('javascript:alert(1)', true)).toThrow(/https/);
  });

  it('events: known ones only, each once', () => {
    expect(checkEventsRequested([REVOKED, REVOKED, CLAIMS])).toEqual([REVOKED, CLAIMS]);
    expect(() => checkEventsRequested(['urn:x'])).toThrow(/does not support: urn:x/);
  });
});
