import type { PolicyRule } from '../../domain/policy/types.js';
import type { ResourceType } from '../../domain/pim/types.js';
import { BadRequestError } from '../../domain/shared/errors.js';
import type { Stores } from '../ports.js';
import type { PrincipalRef } from './principals.js';

/** What a request grants (a directory role, a group, a resource role), as the engine needs it. */
export interface PimTarget {
  id: string;
  displayName: string | null;
}

/**
 * Everything about one resource type that the PIM engine does not share: how its target is found,
 * which policy governs it at a scope, and which principals may hold it. The actions, their
 * evaluation, the slot's compare-and-set, events and the outbox are the same for every type.
 */
export interface TargetAdapter {
  /** The target if it exists and may be granted. @throws BadRequestError (`RoleNotFound`, …) */
  lookup(tx: Stores, tenantId: string, targetId: string): Promise<PimTarget>;
  /** The policy rules for the target at the scope (none when it has no policy). */
  rules(tx: Stores, tenantId: string, target: PimTarget, scopeId: string): Promise<PolicyRule[]>;
  /** Refuses a principal that may not be eligible for or hold it. @throws BadRequestError */
  checkPrincipal(principal: PrincipalRef): void;
}

/** Directory roles at a directory scope: Entra's template ids, one policy per role (tenant-wide). */
const directoryRole: TargetAdapter = {
  async lookup(tx, tenantId, roleDefinitionId) {
    const role = await tx.roleDefinitions.get(tenantId, roleDefinitionId);
    if (!role || !role.isEnabled) {
      throw new BadRequestError('RoleNotFound', 'The role definition does not exist or is disabled.');
    }
    return { id: role.id, displayName: role.displayName };
  },
  async rules(tx, tenantId, role) {
    return (await tx.policies.forRole(tenantId, 'DirectoryRole', '/', role.id))?.rules ?? [];
  },
  checkPrincipal(principal) {
    if (principal.type === 'group' && !principal.isAssignableToRole) {
      throw new BadRequestError(
        'Request_BadRequest',
        'Only role-assignable groups (isAssignableToRole) can be eligible for or hold roles.',
      );
    }
  },
};

/** One adapter per resource type; the compiler rejects a type without one. */
export const TARGETS: { readonly [R in ResourceType]: TargetAdapter } = { directoryRole };
