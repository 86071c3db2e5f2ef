import { describe, expect, it } from 'vitest';
import { ValidationError } from '../shared/errors.js';
import {
  MAX_ROLE_ACTIONS,
  defineBuiltInRole,
  validateRolePermissions,
  type RolePermission,
} from './role-definition.js';

const perm = (allowed: string[], extra: Partial<RolePermission> = {}): RolePermission => ({
  allowedResourceActions: allowed,
  condition: null,
  excludedResourceActions: [],
  ...extra,
});

const actions = (count: number) =>
  Array.from({ length: count }, (_, i) => `microsoft.directory/users${i}/read`);

describe('validateRolePermissions', () => {
  it.each([
    ['one action', [perm(['microsoft.directory/users/basic/update'])]],
    ['a wildcard', [perm(['microsoft.directory/*/allProperties/read'])]],
    ['dots in a resource', [perm(['microsoft.directory/deletedItems.users/restore'])]],
    [
      'exclusions',
      [
        perm(['microsoft.directory/users/allProperties/allTasks'], {
          excludedResourceActions: ['microsoft.directory/users/delete'],
        }),
      ],
    ],
    [
      'two entries',
      [perm(['microsoft.directory/users/create']), perm(['microsoft.directory/groups/create'])],
    ],
    ['exactly the maximum of actions', [perm(actions(MAX_ROLE_ACTIONS))]],
    ['an action of exactly 200 characters', [perm([`microsoft.directory/${'a'.repeat(180)}`])]],
  ])('accepts %s', (_name, permissions) => {
    expect(() => validateRolePermissions(permissions)).not.toThrow();
  });

  it.each([
    ['no entries', [], /at least one rolePermissions entry/],
    [
      'eleven entries',
      Array.from({ length: 11 }, () => perm(['microsoft.directory/users/create'])),
      /at most 10/,
    ],
    ['no allowed action', [perm([])], /at least one allowed resource action/],
    ['101 actions', [perm(actions(MAX_ROLE_ACTIONS + 1))], /at most 100 actions/],
    [
      '101 actions counting exclusions and entries',
      [perm(actions(60), { excludedResourceActions: actions(20) }), perm(actions(21))],
      /at most 100 actions/,
    ],
    ['a 201-character action', [perm([`microsoft.directory/${'a'.repeat(181)}`])], /at most 200 characters/],
    [
      'another namespace',
      [perm(['microsoft.office365.exchange/allEntities/basic/allTasks'])],
      /not a directory action/,
    ],
    ['no resource', [perm(['microsoft.directory/'])], /not a directory action/],
    ['a hyphen', [perm(['microsoft.directory/users/some-thing'])], /not a directory action/],
    ['whitespace', [perm(['microsoft.directory/users/create '])], /not a directory action/],
    ['an upper-case prefix', [perm(['Microsoft.Directory/users/create'])], /not a directory action/],
    ['a newline', [perm(['microsoft.directory/users/create\n'])], /not a directory action/],
    [
      'a bad excluded action',
      [perm(['microsoft.directory/users/create'], { excludedResourceActions: ['x'] })],
      /not a directory action/,
    ],
    [
      'a condition',
      [perm(['microsoft.directory/users/create'], { condition: '$ResourceIsSelf' })],
      /Conditions are not supported/,
    ],
    ['a non-string action', [perm([42 as unknown as string])], /must be a string/],
  ])('rejects %s', (_name, permissions, message) => {
    const run = () => validateRolePermissions(permissions);
    expect(run).toThrow(ValidationError);
    expect(run).toThrow(message);
  });

  it('names the offending action in the error target', () => {
    try {
      validateRolePermissions([perm(['microsoft.directory/users/create', 'bad'])]);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({
        code: 'invalidRequest',
        target: 'rolePermissions[0].allowedResourceActions[1]',
      });
    }
  });
});

describe('defineBuiltInRole', () => {
  it('builds a frozen Graph-shaped built-in role whose id is its template id', () => {
    const role = defineBuiltInRole('11111111-1111-1111-1111-111111111111', 'Test Role', false, 'Tests.', [
      'microsoft.directory/users/standard/read',
    ]);
    expect(role).toEqual({
      id: '11111111-1111-1111-1111-111111111111',
      displayName: 'Test Role',
      description: 'Tests.',
      isBuiltIn: true,
      isEnabled: true,
      isPrivileged: false,
      templateId: '11111111-1111-1111-1111-111111111111',
      version: '1',
      resourceScopes: ['/'],
      rolePermissions: [
        {
          allowedResourceActions: ['microsoft.directory/users/standard/read'],
          condition: null,
          excludedResourceActions: [],
        },
      ],
    });
    expect(Object.isFrozen(role.rolePermissions[0])).toBe(true);
  });
});
