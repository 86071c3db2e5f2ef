import { createHash } from 'node:crypto';
import { BUILT_IN_RESOURCE_ROLES } from '../../domain/resources/built-in-resource-roles.js';
import { defaultPolicyRules } from '../../domain/policy/default-rules.js';
import type { ResourceRoleDefinition } from '../../domain/resources/resource-role.js';
import { isWithin, scopeAndAncestors } from '../../domain/resources/scope-path.js';
import type { QueryOptions } from '../../odata/index.js';
import type { RoleManagementPolicy, Stores } from '../ports.js';
import { RESOURCE_POLICY_SCOPE_TYPE } from '../pim/resource-role-target.js';

/**
 * A resource role's settings at one scope (ADR 0034): the policy stored at that scope if there is
 * one, else the one it inherits (the nearest scope above with a policy), else Entra's defaults.
 * `policy.id` is the stored id when `own`, else the name the policy will be stored under when it is
 * first changed at this scope.
 */
export interface ResourcePolicy {
  /** ARM's name of the policy: a GUID derived from the tenant, the scope and the role. */
  name: string;
  scope: string;
  /** The scope's registered name and type (the root's are `Root`, `root`). */
  scopeInfo: { displayName: string; type: string };
  role: ResourceRoleDefinition;
  policy: RoleManagementPolicy;
  /** Whether the policy is stored at this very scope. */
  own: boolean;
  /** The scope the rules come from; null for the defaults. */
  from: string | null;
}

/**
 * The stable name of a role's policy at a scope, as ARM names policies (a GUID): the first 128 bits
 * of SHA-256 over tenant, scope and role, shaped as a version-5-like UUID. Derived, not stored, so
 * a scope shows a name for every role before any policy is written there.
 */
export function resourcePolicyName(tenantId: string, scope: string, roleId: string): string {
  const h = createHash('sha256').update(`${tenantId}\n${scope}\n${roleId}`).digest('hex');
  const variant = ((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const ALL_CUSTOM: QueryOptions = { expand: [], orderBy: [], top: 1000, skip: 0, count: false };

/** The roles that may be granted at a scope: built-ins and custom roles assignable at or above it. */
export async function rolesAssignableAt(
  tx: Stores,
  tenantId: string,
  scope: string,
): Promise<ResourceRoleDefinition[]> {
  const custom = await tx.resourceRoles.list(tenantId, ALL_CUSTOM);
  return [...BUILT_IN_RESOURCE_ROLES, ...custom.items].filter((r) =>
    r.assignableScopes.some((a) => isWithin(scope, a)),
  );
}

/** One role's settings at a scope (see {@link ResourcePolicy}). */
export async function resourcePolicyAt(
  tx: Stores,
  tenantId: string,
  scope: string,
  scopeInfo: ResourcePolicy['scopeInfo'],
  role: ResourceRoleDefinition,
): Promise<ResourcePolicy> {
  const name = resourcePolicyName(tenantId, scope, role.id);
  for (const at of scopeAndAncestors(scope)) {
    const stored = await tx.policies.forRole(tenantId, RESOURCE_POLICY_SCOPE_TYPE, at, role.id);
    if (stored === undefined) continue;
    if (at === scope) return { name, scope, scopeInfo, role, policy: stored, own: true, from: at };
    return {
      name,
      scope,
      scopeInfo,
      role,
      policy: fresh(tenantId, name, scope, role, stored.rules),
      own: false,
      from: at,
    };
  }
  return {
    name,
    scope,
    scopeInfo,
    role,
    policy: fresh(tenantId, name, scope, role, defaultPolicyRules()),
    own: false,
    from: null,
  };
}

const fresh = (
  tenantId: string,
  id: string,
  scope: string,
  role: ResourceRoleDefinition,
  rules: RoleManagementPolicy['rules'],
): RoleManagementPolicy => ({
  id,
  tenantId,
  scopeId: scope,
  scopeType: RESOURCE_POLICY_SCOPE_TYPE,
  roleDefinitionId: role.id,
  displayName: role.roleName,
  description: role.roleName,
  isOrganizationDefault: false,
  rules: structuredClone(rules),
  lastModifiedAt: null,
  lastModifiedBy: null,
  version: 0,
});
