import { describe, expect, it } from 'vitest';
import type { ServicePrincipal, User } from '../directory/types.js';
import { AUDIT_ACTIVITIES } from './activities.js';
import { auditDraft, SYSTEM_INITIATOR } from './draft.js';
import { sealEntry, GENESIS_HASH } from './hash.js';
import {
  addedProperties,
  auditValue,
  credentialDescription,
  servicePrincipalProperties,
  servicePrincipalTarget,
  updatedProperties,
  userProperties,
  userTarget,
} from './targets.js';

const user: User = {
  id: 'a1b2c3d4-0000-4000-8000-000000000001',
  tenantId: '11111111-1111-4111-8111-111111111111',
  displayName: 'Ada',
  userPrincipalName: 'ada@contoso.test',
  mail: null,
  givenName: null,
  surname: null,
  jobTitle: null,
  accountEnabled: true,
  passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2VjcmV0LXNhbHQ$c2VjcmV0LWhhc2g',
  passwordMustChange: true,
  createdAt: 0,
  modifiedAt: 0,
  version: 1,
};

describe('audit values', () => {
  it.each([
    ['a string', 'Ada', '["Ada"]'],
    ['a boolean', true, '[true]'],
    ['no value', null, '[]'],
    ['a list, as it is', ['a', 'b'], '["a","b"]'],
  ])('writes %s as Entra does', (_name, value, text) => {
    expect(auditValue(value)).toBe(text);
  });
});

describe('modified properties', () => {
  it('lists a new object with no old values', () => {
    expect(addedProperties([['DisplayName', 'Ada']])).toEqual([
      { displayName: 'DisplayName', oldValue: null, newValue: '["Ada"]' },
    ]);
  });

  it.each<
    [
      string,
      Partial<User>,
      string[],
      { displayName: string; oldValue: string | null; newValue: string | null }[],
    ]
  >([
    ['nothing changed', {}, [], []],
    [
      'one property',
      { jobTitle: 'Engineer' },
      [],
      [
        { displayName: 'JobTitle', oldValue: '[]', newValue: '["Engineer"]' },
        { displayName: 'Included Updated Properties', oldValue: null, newValue: '"JobTitle"' },
      ],
    ],
    [
      'a property cleared and a password set',
      { accountEnabled: false, passwordHash: 'new-hash' },
      ['PasswordProfile'],
      [
        { displayName: 'AccountEnabled', oldValue: '[true]', newValue: '[false]' },
        {
          displayName: 'Included Updated Properties',
          oldValue: null,
          newValue: '"AccountEnabled, PasswordProfile"',
        },
      ],
    ],
    [
      'only a password',
      { passwordHash: 'new-hash' },
      ['PasswordProfile'],
      [{ displayName: 'Included Updated Properties', oldValue: null, newValue: '"PasswordProfile"' }],
    ],
  ])('on update: %s', (_name, change, also, expected) => {
    expect(updatedProperties(userProperties(user), userProperties({ ...user, ...change }), also)).toEqual(
      expected,
    );
  });
});

describe('secrets never reach an entry', () => {
  it('records users, credentials and apps without password hashes, secrets or hints', () => {
    const sp: ServicePrincipal = {
      id: 'a1b2c3d4-0000-4000-8000-000000000002',
      tenantId: user.tenantId,
      appId: 'a1b2c3d4-0000-4000-8000-000000000003',
      displayName: 'Payroll',
      accountEnabled: true,
      appPermissions: ['User.Read.All'],
      createdAt: 0,
      modifiedAt: 0,
      version: 1,
    };
    const secret = { secretText: 'Zq8~very-secret-client-secret', hint: 'Zq8', secretHash: 'f'.repeat(64) };
    const credential = { keyId: 'k1', displayName: 'ci', startAt: 0, endAt: 86_400_000, ...secret };
    const draft = auditDraft({
      id: 'e1',
      tenantId: user.tenantId,
      now: 0,
      activity: AUDIT_ACTIVITIES.servicePrincipalAddPassword,
      initiatedBy: SYSTEM_INITIATOR,
      targets: [
        userTarget(user, addedProperties(userProperties(user))),
        userTarget(
          user,
          updatedProperties(userProperties(user), userProperties({ ...user, passwordHash: 'x' }), [
            'PasswordProfile',
          ]),
        ),
        servicePrincipalTarget(sp, [
          { displayName: 'KeyDescription', oldValue: '[]', newValue: credentialDescription(credential) },
          ...addedProperties(servicePrincipalProperties(sp)),
        ]),
      ],
    });
    const { payload } = sealEntry(draft, 1, GENESIS_HASH);
    for (const value of [user.passwordHash!, secret.secretText, secret.secretHash, 'Zq8']) {
      expect(payload).not.toContain(value);
    }
    expect(payload).toContain('KeyIdentifier=k1');
  });
});
