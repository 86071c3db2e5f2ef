import { ValidationError } from '../shared/errors.js';

/**
 * One `unifiedRolePermission`, in Graph's JSON shape so the HTTP layer can return it as is.
 * `condition` is `null` on every built-in role Elevate ships and is refused on custom roles.
 */
export interface RolePermission {
  allowedResourceActions: string[];
  condition: string | null;
  excludedResourceActions: string[];
}

/**
 * A `unifiedRoleDefinition` as Graph returns it. Built-in roles keep Entra's template ids
 * (`id === templateId`) so that scripts written for Entra PIM work unchanged against Elevate.
 */
export interface RoleDefinition {
  id: string;
  displayName: string;
  description: string;
  isBuiltIn: boolean;
  isEnabled: boolean;
  /** Entra's PRIVILEGED label: the role can lead to elevation of privilege if misused. */
  isPrivileged: boolean;
  templateId: string;
  version: string;
  /** Deprecated in Graph but still serialized; always `["/"]` here. */
  resourceScopes: string[];
  rolePermissions: RolePermission[];
}

/** Most actions (allowed plus excluded, over all permission entries) a custom role may list. */
export const MAX_ROLE_ACTIONS = 100;

/** Longest single action string a custom role may list. */
export const MAX_ROLE_ACTION_LENGTH = 200;

/** Most `rolePermissions` entries a custom role may have (Entra uses exactly one). */
export const MAX_ROLE_PERMISSION_ENTRIES = 10;

/**
 * Custom roles may only grant directory actions (as in Entra), spelled
 * `microsoft.directory/<resource>[/<property>]/<verb>`.
 */
export const CUSTOM_ROLE_ACTION = /^microsoft\.directory\/[A-Za-z0-9*./]+$/;

/**
 * Checks the `rolePermissions` of a custom role before it is stored, because a custom role's
 * actions end up in authorization decisions and in every response that expands the role:
 * - 1 to {@link MAX_ROLE_PERMISSION_ENTRIES} entries and at least one allowed action overall;
 * - every action matches `^microsoft\.directory/[A-Za-z0-9*./]+$` and has at most
 *   {@link MAX_ROLE_ACTION_LENGTH} characters;
 * - at most {@link MAX_ROLE_ACTIONS} actions in total (allowed plus excluded);
 * - `condition` is `null`: Graph does not support conditions on custom roles, and a condition
 *   Elevate cannot evaluate must not be stored as if it restricted anything.
 *
 * @param target the request field reported in the error; defaults to `rolePermissions`.
 * @throws ValidationError (`invalidRequest`) naming the first offending entry or action.
 */
export function validateRolePermissions(
  permissions: readonly RolePermission[],
  target = 'rolePermissions',
): void {
  if (!isList(permissions) || permissions.length === 0) {
    throw new ValidationError('A custom role needs at least one rolePermissions entry.', target);
  }
  if (permissions.length > MAX_ROLE_PERMISSION_ENTRIES) {
    throw new ValidationError(
      `A custom role may have at most ${MAX_ROLE_PERMISSION_ENTRIES} rolePermissions entries.`,
      target,
    );
  }
  let total = 0;
  let allowed = 0;
  permissions.forEach((permission, index) => {
    const at = `${target}[${index}]`;
    if (permission.condition !== null && permission.condition !== undefined) {
      throw new ValidationError('Conditions are not supported on custom roles; use null.', `${at}.condition`);
    }
    const lists = [
      ['allowedResourceActions', permission.allowedResourceActions],
      ['excludedResourceActions', permission.excludedResourceActions ?? []],
    ] as const;
    for (const [name, actions] of lists) {
      if (!isList(actions)) throw new ValidationError(`${name} must be an array.`, `${at}.${name}`);
      total += actions.length;
      if (total > MAX_ROLE_ACTIONS) {
        throw new ValidationError(`A custom role may list at most ${MAX_ROLE_ACTIONS} actions.`, target);
      }
      actions.forEach((action, i) => checkAction(action, `${at}.${name}[${i}]`));
    }
    allowed += permission.allowedResourceActions.length;
  });
  if (allowed === 0) {
    throw new ValidationError('A custom role needs at least one allowed resource action.', target);
  }
}

/** `Array.isArray` without its narrowing, which turns a readonly array into `any[]`. */
function isList(value: unknown): boolean {
  return Array.isArray(value);
}

function checkAction(action: unknown, target: string): void {
  if (typeof action !== 'string' || action.length > MAX_ROLE_ACTION_LENGTH) {
    throw new ValidationError(
      `An action must be a string of at most ${MAX_ROLE_ACTION_LENGTH} characters.`,
      target,
    );
  }
  if (!CUSTOM_ROLE_ACTION.test(action)) {
    throw new ValidationError(
      `${JSON.stringify(action)} is not a directory action such as microsoft.directory/users/basic/update.`,
      target,
    );
  }
}

/**
 * Builds one entry of the built-in catalogue in Graph's shape, frozen, so that the shared catalogue
 * cannot be changed by a caller that mutates what it was handed. For the catalogue files only:
 * custom roles are built by their use case after {@link validateRolePermissions}.
 */
export function defineBuiltInRole(
  id: string,
  displayName: string,
  isPrivileged: boolean,
  description: string,
  allowedResourceActions: readonly string[],
): RoleDefinition {
  return deepFreeze({
    id,
    displayName,
    description,
    isBuiltIn: true,
    isEnabled: true,
    isPrivileged,
    templateId: id,
    version: '1',
    resourceScopes: ['/'],
    rolePermissions: [
      { allowedResourceActions: [...allowedResourceActions], condition: null, excludedResourceActions: [] },
    ],
  });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
