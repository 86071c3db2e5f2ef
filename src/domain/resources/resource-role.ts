import { ValidationError } from '../shared/errors.js';
import { checkActionPattern } from './action-pattern.js';
import { checkScopePath } from './scope-path.js';

/** Azure RBAC's `permissions` entry of a role definition. */
export interface ResourceRolePermissions {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

/**
 * A role on the resource hierarchy, in Azure RBAC's shape. Built-in ones keep Azure's ids (so
 * scripts written for Azure name them unchanged) and live in code; custom ones are stored.
 */
export interface ResourceRoleDefinition {
  /** A GUID. */
  id: string;
  tenantId: string | null;
  roleName: string;
  description: string;
  roleType: 'BuiltInRole' | 'CustomRole';
  permissions: ResourceRolePermissions;
  /** Scopes at or below which the role may be granted. */
  assignableScopes: string[];
  createdAt: number;
  modifiedAt: number;
  version: number;
}

export const MAX_ROLE_NAME_LENGTH = 128;
export const MAX_ROLE_DESCRIPTION_LENGTH = 1024;
export const MAX_PATTERNS = 200;
export const MAX_ASSIGNABLE_SCOPES = 50;

/** @throws ValidationError (`InvalidActionPattern`, `InvalidResourceScope`, bounds) */
export function checkRoleDefinitionInput(input: {
  roleName: string;
  description: string;
  permissions: ResourceRolePermissions;
  assignableScopes: string[];
}): {
  roleName: string;
  description: string;
  permissions: ResourceRolePermissions;
  assignableScopes: string[];
} {
  const roleName = input.roleName.trim();
  // eslint-disable-next-line no-control-regex
  if (roleName === '' || roleName.length > MAX_ROLE_NAME_LENGTH || /[\u0000-\u001f]/.test(roleName))
    throw new ValidationError(
      `roleName must be 1 to ${MAX_ROLE_NAME_LENGTH} printable characters.`,
      'roleName',
    );
  if (input.description.length > MAX_ROLE_DESCRIPTION_LENGTH)
    throw new ValidationError(
      `description must be at most ${MAX_ROLE_DESCRIPTION_LENGTH} characters.`,
      'description',
    );
  const p = input.permissions;
  const lists = {
    actions: p.actions,
    notActions: p.notActions,
    dataActions: p.dataActions,
    notDataActions: p.notDataActions,
  };
  for (const [field, list] of Object.entries(lists)) {
    if (list.length > MAX_PATTERNS)
      throw new ValidationError(`${field} holds at most ${MAX_PATTERNS} patterns.`, field);
    for (const pattern of list) checkActionPattern(pattern, field);
  }
  if (input.assignableScopes.length === 0 || input.assignableScopes.length > MAX_ASSIGNABLE_SCOPES)
    throw new ValidationError(
      `assignableScopes must list 1 to ${MAX_ASSIGNABLE_SCOPES} scopes.`,
      'assignableScopes',
    );
  const assignableScopes = [...new Set(input.assignableScopes.map(checkScopePath))];
  return {
    roleName,
    description: input.description,
    permissions: {
      actions: [...p.actions],
      notActions: [...p.notActions],
      dataActions: [...p.dataActions],
      notDataActions: [...p.notDataActions],
    },
    assignableScopes,
  };
}
