import { describe, expect, it } from 'vitest';
import { usersChangedBy } from './reconcile-scope.js';

const USER = '0b6f2a4e-7c1d-4e55-9a3b-5f1c2d3e4f50';
const GROUP = '7d1e5c2a-1b3c-4d5e-8f90-a1b2c3d4e5f6';

describe('usersChangedBy', () => {
  it.each([
    [
      'an activation names its user',
      'pim.requestAccepted',
      { principalId: USER, principalType: 'user' },
      [USER],
    ],
    ['an expiry names its user', 'pim.scheduleExpired', { principalId: USER, principalType: 'user' }, [USER]],
    [
      'ids are compared lower-case',
      'pim.activationEnded',
      { principalId: USER.toUpperCase(), principalType: 'user' },
      [USER],
    ],
    [
      'a direct assignment to a user',
      'roles.assignmentDeleted',
      { principalId: USER, principalType: 'user' },
      [USER],
    ],
    [
      'a user added to a group',
      'directory.groupMemberAdded',
      { groupId: GROUP, memberId: USER, memberType: 'user' },
      [USER],
    ],
    ['a user switched off', 'directory.userUpdated', { userId: USER, disabled: true }, [USER]],
    ['a user deleted', 'directory.userDeleted', { userId: USER }, [USER]],
  ])('%s', (_, type, payload, users) => {
    expect(usersChangedBy(type, payload)).toEqual(users);
  });

  it.each([
    [
      'a group as the principal (its members hold the role)',
      'pim.requestAccepted',
      { principalId: GROUP, principalType: 'group' },
    ],
    ['an unknown principal type', 'roles.assignmentCreated', { principalId: USER, principalType: null }],
    [
      'a group added to a group',
      'directory.groupMemberRemoved',
      { groupId: GROUP, memberId: USER, memberType: 'group' },
    ],
    ['no id', 'pim.requestAccepted', { principalType: 'user' }],
    ['an id that is not a string', 'directory.userUpdated', { userId: 42 }],
    ['an id longer than any id', 'directory.userDeleted', { userId: 'x'.repeat(65) }],
    ['an event type no reader knows', 'policies.policyUpdated', { principalId: USER, principalType: 'user' }],
  ])('%s: null, a full reconcile', (_, type, payload) => {
    expect(usersChangedBy(type, payload)).toBeNull();
  });
});
