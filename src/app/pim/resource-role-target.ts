import { PIM_RESOURCE_RULES } from '../../domain/resources/permissions.js';
import { defaultPolicyRules } from '../../domain/policy/default-rules.js';
import { isWithin, scopeAndAncestors } from '../../domain/resources/scope-path.js';
import { BadRequestError } from '../../domain/shared/errors.js';
import { findResourceRole } from '../resources/find-role.js';
import { scopeExists } from '../resources/find-scope.js';
import type { TargetAdapter } from './targets.js';

/** The `scopeType` of a resource role's policy (`RoleManagementPolicy.scopeType`). */
export const RESOURCE_POLICY_SCOPE_TYPE = 'Resource';

/**
 * Resource roles on the scope hierarchy (ADR 0029): a role definition (Azure's built-ins or a
 * tenant's custom role) at a registered scope within the role's `assignableScopes`. The role id
 * stands where a directory role's id stands and the scope path where a directory scope stands.
 * A schedule at a scope covers every scope below it, so an activation at a scope is backed by an
 * eligibility there or above (`coveringScopes`). Policy is per role and scope, inherited from the
 * nearest scope above that has one, else the defaults.
 */
export const resourceRoleTarget: TargetAdapter = {
  async lookup(tx, tenantId, roleId, scopeId) {
    const role = await findResourceRole(tx, tenantId, roleId);
    if (!role) throw new BadRequestError('RoleDefinitionDoesNotExist', 'The role definition does not exist.');
    if (!(await scopeExists(tx, tenantId, scopeId)))
      throw new BadRequestError(
        'ResourceScopeNotFound',
        `The scope '${scopeId.slice(0, 200)}' is not a registered resource.`,
      );
    if (!role.assignableScopes.some((a) => isWithin(scopeId, a)))
      throw new BadRequestError(
        'RoleDefinitionNotAssignableAtScope',
        `The role '${role.roleName}' may only be granted at or below its assignable scopes.`,
      );
    return { id: role.id, displayName: role.roleName };
  },
  async rules(tx, tenantId, role, scopeId) {
    for (const scope of scopeAndAncestors(scopeId)) {
      const policy = await tx.policies.forRole(tenantId, RESOURCE_POLICY_SCOPE_TYPE, scope, role.id);
      if (policy) return policy.rules;
    }
    return defaultPolicyRules();
  },
  checkPrincipal(principal) {
    if (principal.type === 'group' && !principal.isAssignableToRole) {
      throw new BadRequestError(
        'Request_BadRequest',
        'Only role-assignable groups (isAssignableToRole) can be eligible for or hold roles.',
      );
    }
  },
  onboard: async () => undefined,
  permissions: PIM_RESOURCE_RULES,
  adminRequirement: async () => null,
  scheduleId: (requestId) => requestId,
  coveringScopes: scopeAndAncestors,
};
