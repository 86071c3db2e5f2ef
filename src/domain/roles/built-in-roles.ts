import { IDENTITY_ROLES } from './built-in-roles-identity.js';
import { SERVICE_ROLES } from './built-in-roles-services.js';
import type { RoleDefinition } from './role-definition.js';

export * from './built-in-role-ids.js';
// The catalogue's consumers (seeding, custom roles) need the shape and its validation too.
export { validateRolePermissions } from './role-definition.js';
export type { RoleDefinition, RolePermission } from './role-definition.js';

/**
 * Every built-in directory role Elevate ships (reference §9), sorted by display name so listings
 * page stably. Entries keep Entra's template ids (`id === templateId`), so Graph clients written for
 * Entra find the roles they know; they are frozen, because every caller shares them. Seeded into the
 * store at startup and never edited through the API.
 */
export const BUILT_IN_ROLES: readonly RoleDefinition[] = Object.freeze(
  [...IDENTITY_ROLES, ...SERVICE_ROLES].sort((a, b) => (a.displayName < b.displayName ? -1 : 1)),
);

const BY_ID: ReadonlyMap<string, RoleDefinition> = new Map(
  BUILT_IN_ROLES.map((role) => [role.id, role] as const),
);

/**
 * The built-in role with this id, or `undefined`. Ids are compared case-insensitively, as Graph
 * compares GUIDs, so `62E90394-…` finds Global Administrator.
 */
export function findBuiltInRole(roleId: string): RoleDefinition | undefined {
  return BY_ID.get(roleId.toLowerCase());
}

/** Whether the id names a built-in role: such roles cannot be created, changed or deleted. */
export function isBuiltInRoleId(roleId: string): boolean {
  return BY_ID.has(roleId.toLowerCase());
}
