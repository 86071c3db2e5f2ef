import { describe, expect, it } from 'vitest';
import {
  APPLICATION_ADMINISTRATOR,
  AUTHENTICATION_ADMINISTRATOR,
  BUILT_IN_ROLES,
  CLOUD_APPLICATION_ADMINISTRATOR,
  DIRECTORY_READERS,
  GLOBAL_ADMINISTRATOR,
  GLOBAL_READER,
  GROUPS_ADMINISTRATOR,
  HELPDESK_ADMINISTRATOR,
  IDENTITY_GOVERNANCE_ADMINISTRATOR,
  PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
  PRIVILEGED_ROLE_ADMINISTRATOR,
  REPORTS_READER,
  SECURITY_ADMINISTRATOR,
  SECURITY_READER,
  USER_ADMINISTRATOR,
  findBuiltInRole,
  isBuiltInRoleId,
} from './built-in-roles.js';
import { validateRolePermissions } from './role-definition.js';

/** Reference §9, copied by hand: the catalogue must match it exactly. */
const REFERENCE: ReadonlyArray<readonly [string, string]> = [
  ['Global Administrator', '62e90394-69f5-4237-9190-012177145e10'],
  ['Privileged Role Administrator', 'e8611ab8-c189-46e8-94e1-60213ab1f814'],
  ['Privileged Authentication Administrator', '7be44c8a-adaf-4e2a-84d6-ab2649e08a13'],
  ['Security Administrator', '194ae4cb-b126-40b2-bd5b-6091b380977d'],
  ['Security Operator', '5f2222b1-57c3-48ba-8ad5-d4759f1fde6f'],
  ['Security Reader', '5d6b6bb7-de71-4623-b4af-96380a352509'],
  ['Global Reader', 'f2ef992c-3afb-46b9-b7cf-a126ee74c451'],
  ['Exchange Administrator', '29232cdf-9323-42fd-ade2-1d097af3e4de'],
  ['SharePoint Administrator', 'f28a1f50-f6e7-4571-818b-6a12f2af6b6c'],
  ['Teams Administrator', '69091246-20e8-4a56-aa4d-066075b2a7a8'],
  ['User Administrator', 'fe930be7-5e62-47db-91af-98c3a49a38b1'],
  ['Helpdesk Administrator', '729827e3-9c14-49f7-bb1b-9608f156bbb8'],
  ['Password Administrator', '966707d0-3269-4727-9be2-8c3a10f19b9d'],
  ['Authentication Administrator', 'c4e39bd9-1100-46d3-8c65-fb160da0071f'],
  ['Application Administrator', '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3'],
  ['Cloud Application Administrator', '158c047a-c907-4556-b7ef-446551a6b5f7'],
  ['Application Developer', 'cf1c38e5-3621-4004-a7cb-879624dced7c'],
  ['Groups Administrator', 'fdd7a751-b60b-444a-984c-02652fe8fa1c'],
  ['Conditional Access Administrator', 'b1be1c3e-b65d-4f19-8427-f6fa0d97feb9'],
  ['Intune Administrator', '3a2c62db-5318-420d-8d74-23affee5d9d5'],
  ['Hybrid Identity Administrator', '8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2'],
  ['Identity Governance Administrator', '45d8d3c5-c802-45c6-b32a-1d70b5e1e86e'],
  ['Billing Administrator', 'b0f54661-2d74-4c50-afa3-1ec803f12efe'],
  ['License Administrator', '4d6ac14f-3453-41d0-bef9-a3e0c569773a'],
  ['Compliance Administrator', '17315797-102d-40b4-93e0-432062caca18'],
  ['Reports Reader', '4a5d8f65-41da-4de4-8968-e035b65339cf'],
  ['Directory Readers', '88d8e3e3-8f55-4a1e-953a-9b9898b8876b'],
  ['Directory Writers', '9360feb5-f418-4baa-8175-e2a00bac4301'],
  ['Attribute Definition Administrator', '8424c6f0-a189-499e-bbd0-26c1753c96d4'],
  ['Attribute Assignment Administrator', '58a13ea3-c632-46ae-9ee0-9c0d43cd7f3d'],
  ['Cloud Device Administrator', '7698a772-787b-4ac8-901f-60d6b08affd2'],
  ['Domain Name Administrator', '8329153b-31d0-4727-b945-745eb3bc5f31'],
  ['Power Platform Administrator', '11648597-926c-4cf3-9c36-bcebb0ba8dcc'],
  ['Service Support Administrator', 'f023fd81-a637-4b56-95fd-791ac0226033'],
];

/** Entra's PRIVILEGED label for the roles above (permissions reference). */
const PRIVILEGED = new Set([
  'Global Administrator',
  'Privileged Role Administrator',
  'Privileged Authentication Administrator',
  'Security Administrator',
  'Security Operator',
  'Security Reader',
  'Global Reader',
  'User Administrator',
  'Helpdesk Administrator',
  'Password Administrator',
  'Authentication Administrator',
  'Application Administrator',
  'Cloud Application Administrator',
  'Application Developer',
  'Conditional Access Administrator',
  'Intune Administrator',
  'Hybrid Identity Administrator',
  'Directory Writers',
  'Cloud Device Administrator',
  'Domain Name Administrator',
]);

const BUILT_IN_ACTION = /^microsoft\.[A-Za-z0-9.]+\/[A-Za-z0-9*./]+$/;

describe('BUILT_IN_ROLES', () => {
  it('holds exactly the roles of reference §9, each under its template id', () => {
    expect(BUILT_IN_ROLES).toHaveLength(REFERENCE.length);
    const actual = BUILT_IN_ROLES.map((role) => [role.displayName, role.id] as const);
    expect(new Map(actual)).toEqual(new Map(REFERENCE));
  });

  it('is sorted by display name', () => {
    const names = BUILT_IN_ROLES.map((role) => role.displayName);
    expect(names).toEqual([...names].sort());
  });

  it.each(REFERENCE)('%s has the Graph shape of a built-in role', (displayName, id) => {
    const role = findBuiltInRole(id);
    expect(role).toMatchObject({
      id,
      templateId: id,
      displayName,
      isBuiltIn: true,
      isEnabled: true,
      isPrivileged: PRIVILEGED.has(displayName),
      version: '1',
      resourceScopes: ['/'],
    });
    expect(Object.keys(role!).sort()).toEqual(
      [
        'description',
        'displayName',
        'id',
        'isBuiltIn',
        'isEnabled',
        'isPrivileged',
        'resourceScopes',
        'rolePermissions',
        'templateId',
        'version',
      ].sort(),
    );
    expect(role!.description).toMatch(/^[A-Z][^.]{20,160}\.$/);
    expect(role!.rolePermissions).toHaveLength(1);
    const [permission] = role!.rolePermissions;
    expect(permission!.condition).toBeNull();
    expect(permission!.excludedResourceActions).toEqual([]);
    expect(permission!.allowedResourceActions.length).toBeGreaterThan(0);
    expect(new Set(permission!.allowedResourceActions).size).toBe(permission!.allowedResourceActions.length);
    for (const action of permission!.allowedResourceActions) expect(action).toMatch(BUILT_IN_ACTION);
  });

  it('has distinct descriptions', () => {
    expect(new Set(BUILT_IN_ROLES.map((role) => role.description)).size).toBe(BUILT_IN_ROLES.length);
  });

  it('gives Global Administrator a wildcard over the whole directory', () => {
    const actions = findBuiltInRole(GLOBAL_ADMINISTRATOR)!.rolePermissions[0]!.allowedResourceActions;
    expect(actions).toContain('microsoft.directory/*/allProperties/allTasks');
  });

  it('lets User Administrator create, delete and update users and manage groups', () => {
    const actions = findBuiltInRole(USER_ADMINISTRATOR)!.rolePermissions[0]!.allowedResourceActions;
    expect(actions).toEqual(
      expect.arrayContaining([
        'microsoft.directory/users/create',
        'microsoft.directory/users/delete',
        'microsoft.directory/users/basic/update',
        'microsoft.directory/groups/members/update',
      ]),
    );
  });

  it.each([SECURITY_READER, GLOBAL_READER, DIRECTORY_READERS, REPORTS_READER])(
    'reader role %s only reads',
    (id) => {
      for (const action of findBuiltInRole(id)!.rolePermissions[0]!.allowedResourceActions) {
        expect(action).toMatch(/\/read$/);
      }
    },
  );

  it('keeps directory actions of built-in roles valid for custom roles too', () => {
    for (const role of BUILT_IN_ROLES) {
      const directory = role.rolePermissions[0]!.allowedResourceActions.filter((action) =>
        action.startsWith('microsoft.directory/'),
      );
      if (directory.length === 0) continue;
      expect(() =>
        validateRolePermissions([
          { allowedResourceActions: directory, condition: null, excludedResourceActions: [] },
        ]),
      ).not.toThrow();
    }
  });

  it('cannot be mutated by a caller', () => {
    const role = findBuiltInRole(GLOBAL_ADMINISTRATOR)!;
    expect(Object.isFrozen(BUILT_IN_ROLES)).toBe(true);
    expect(Object.isFrozen(role)).toBe(true);
    expect(Object.isFrozen(role.rolePermissions[0]!.allowedResourceActions)).toBe(true);
    expect(() => {
      (role as { isPrivileged: boolean }).isPrivileged = false;
    }).toThrow(TypeError);
  });
});

describe('role id constants', () => {
  it.each([
    ['GLOBAL_ADMINISTRATOR', GLOBAL_ADMINISTRATOR, 'Global Administrator'],
    ['PRIVILEGED_ROLE_ADMINISTRATOR', PRIVILEGED_ROLE_ADMINISTRATOR, 'Privileged Role Administrator'],
    ['USER_ADMINISTRATOR', USER_ADMINISTRATOR, 'User Administrator'],
    ['GROUPS_ADMINISTRATOR', GROUPS_ADMINISTRATOR, 'Groups Administrator'],
    ['APPLICATION_ADMINISTRATOR', APPLICATION_ADMINISTRATOR, 'Application Administrator'],
    ['CLOUD_APPLICATION_ADMINISTRATOR', CLOUD_APPLICATION_ADMINISTRATOR, 'Cloud Application Administrator'],
    ['SECURITY_ADMINISTRATOR', SECURITY_ADMINISTRATOR, 'Security Administrator'],
    ['SECURITY_READER', SECURITY_READER, 'Security Reader'],
    ['GLOBAL_READER', GLOBAL_READER, 'Global Reader'],
    ['DIRECTORY_READERS', DIRECTORY_READERS, 'Directory Readers'],
    [
      'IDENTITY_GOVERNANCE_ADMINISTRATOR',
      IDENTITY_GOVERNANCE_ADMINISTRATOR,
      'Identity Governance Administrator',
    ],
    [
      'PRIVILEGED_AUTHENTICATION_ADMINISTRATOR',
      PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
      'Privileged Authentication Administrator',
    ],
    ['AUTHENTICATION_ADMINISTRATOR', AUTHENTICATION_ADMINISTRATOR, 'Authentication Administrator'],
    ['HELPDESK_ADMINISTRATOR', HELPDESK_ADMINISTRATOR, 'Helpdesk Administrator'],
    ['REPORTS_READER', REPORTS_READER, 'Reports Reader'],
  ])('%s names %s (%s)', (_name, id, displayName) => {
    expect(findBuiltInRole(id)?.displayName).toBe(displayName);
  });
});

describe('findBuiltInRole / isBuiltInRoleId', () => {
  it('compares ids case-insensitively, as Graph compares GUIDs', () => {
    expect(findBuiltInRole(GLOBAL_ADMINISTRATOR.toUpperCase())?.id).toBe(GLOBAL_ADMINISTRATOR);
    expect(isBuiltInRoleId(GLOBAL_ADMINISTRATOR.toUpperCase())).toBe(true);
  });

  it.each(['', '00000000-0000-0000-0000-000000000000', 'Global Administrator', `${GLOBAL_ADMINISTRATOR} `])(
    'finds nothing for %j',
    (id) => {
      expect(findBuiltInRole(id)).toBeUndefined();
      expect(isBuiltInRoleId(id)).toBe(false);
    },
  );
});
