import type { ResourceRoleDefinition } from './resource-role.js';

const builtIn = (
  id: string,
  roleName: string,
  description: string,
  actions: string[],
  notActions: string[] = [],
): ResourceRoleDefinition =>
  Object.freeze({
    id,
    tenantId: null,
    roleName,
    description,
    roleType: 'BuiltInRole' as const,
    permissions: { actions, notActions, dataActions: [], notDataActions: [] },
    assignableScopes: ['/'],
    createdAt: 0,
    modifiedAt: 0,
    version: 1,
  });

export const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
export const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
export const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
export const USER_ACCESS_ADMINISTRATOR = '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9';

/**
 * Azure's four fundamental built-in roles, with Azure's ids and permissions as "Azure built-in
 * roles" (General/Privileged) lists them (checked 2026-12; descriptions are ours). Frozen: every
 * tenant shares them; they cannot be changed or deleted.
 */
export const BUILT_IN_RESOURCE_ROLES: readonly ResourceRoleDefinition[] = Object.freeze([
  builtIn(OWNER, 'Owner', 'Manages everything on the resource, including who has access to it.', ['*']),
  builtIn(
    CONTRIBUTOR,
    'Contributor',
    'Manages every kind of resource, but may not grant roles or act on the listed privileged operations.',
    ['*'],
    [
      'Microsoft.Authorization/*/Delete',
      'Microsoft.Authorization/*/Write',
      'Microsoft.Authorization/elevateAccess/Action',
      'Microsoft.Blueprint/blueprintAssignments/write',
      'Microsoft.Blueprint/blueprintAssignments/delete',
      'Microsoft.Compute/galleries/share/action',
      'Microsoft.Purview/consents/write',
      'Microsoft.Purview/consents/delete',
      'Microsoft.Resources/deploymentStacks/manageDenySetting/action',
      'Microsoft.Subscription/cancel/action',
      'Microsoft.Subscription/enable/action',
    ],
  ),
  builtIn(READER, 'Reader', 'Reads every resource; changes nothing.', ['*/read']),
  builtIn(USER_ACCESS_ADMINISTRATOR, 'User Access Administrator', 'Manages who has access to resources.', [
    '*/read',
    'Microsoft.Authorization/*',
    'Microsoft.Support/*',
  ]),
]);

const BY_ID = new Map(BUILT_IN_RESOURCE_ROLES.map((r) => [r.id, r] as const));

/** The built-in resource role with this id (any case), or undefined. */
export const findBuiltInResourceRole = (id: string): ResourceRoleDefinition | undefined =>
  BY_ID.get(id.toLowerCase());
