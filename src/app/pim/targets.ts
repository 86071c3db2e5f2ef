import type { Requirement } from '../../domain/authorization/requirement.js';
import { DIRECTORY_RULES } from '../../domain/directory/permissions.js';
import { PIM_GROUP_RULES, PIM_RULES } from '../../domain/pim/permissions.js';
import type { PolicyRule } from '../../domain/policy/types.js';
import { GROUP_ACCESS_IDS, type ResourceType, type ScheduleKind } from '../../domain/pim/types.js';
import { BadRequestError } from '../../domain/shared/errors.js';
import type { Stores } from '../ports.js';
import { checkUnitScopeExists } from '../administrative-units/scope.js';
import { onboardGroup } from '../policies/group-policy.js';
import { defaultPolicyRules } from '../../domain/policy/default-rules.js';
import type { PrincipalRef } from './principals.js';
import { resourceRoleTarget } from './resource-role-target.js';

/** What a request grants (a directory role, a group, a resource role), as the engine needs it. */
export interface PimTarget {
  id: string;
  displayName: string | null;
}

/**
 * Everything about one resource type that the PIM engine does not share: how its target is found,
 * which policy governs it at a scope, which principals may hold it, who administers it, and how
 * its schedules are named. The actions, their evaluation, the slot's compare-and-set, events and
 * the outbox are the same for every type.
 */
export interface TargetAdapter {
  /**
   * The target at the scope if it exists and may be granted.
   * @throws BadRequestError (`RoleNotFound`, `GroupNotFound`, `InvalidAccessId`)
   */
  lookup(tx: Stores, tenantId: string, targetId: string, scopeId: string): Promise<PimTarget>;
  /** The policy rules for the target at the scope (none when it has no policy). Reads only. */
  rules(tx: Stores, tenantId: string, target: PimTarget, scopeId: string): Promise<PolicyRule[]>;
  /**
   * Called once a request is accepted and about to be written (never for `isValidationOnly` or a
   * refusal): a group is onboarded to PIM (its member and owner policies created) here.
   */
  onboard(tx: Stores, tenantId: string, scopeId: string): Promise<void>;
  /** Refuses a principal that may not be eligible for or hold it at the scope. @throws BadRequestError */
  checkPrincipal(principal: PrincipalRef, scopeId: string): void;
  /** Who may administer (`write`) the type's schedules and read everyone's (`read`). */
  permissions: Record<'write' | 'read', Record<ScheduleKind, Requirement>>;
  /**
   * What an administrator needs on top of `permissions.write` for this target, if anything: a
   * role-assignable group confers directory roles, so only role administrators may change who
   * is (or may become) its member or owner.
   */
  adminRequirement(
    tx: Stores,
    tenantId: string,
    targetId: string,
    scopeId: string,
  ): Promise<Requirement | null>;
  /** The id of a schedule a request creates. */
  scheduleId(requestId: string, targetId: string, scopeId: string): string;
  /**
   * The scopes whose eligibilities back an activation at `scopeId`: the scope itself, and for a
   * type on a hierarchy every scope above it (inheritance).
   */
  coveringScopes(scopeId: string): string[];
}

const onlyItself = (scopeId: string): string[] => [scopeId];

/** Directory roles at a directory scope: Entra's template ids, one policy per role (tenant-wide). */
const directoryRole: TargetAdapter = {
  async lookup(tx, tenantId, roleDefinitionId, scopeId) {
    const role = await tx.roleDefinitions.get(tenantId, roleDefinitionId);
    if (!role || !role.isEnabled) {
      throw new BadRequestError('RoleNotFound', 'The role definition does not exist or is disabled.');
    }
    await checkUnitScopeExists(tx, tenantId, scopeId);
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
  onboard: async () => undefined,
  permissions: PIM_RULES,
  adminRequirement: async () => null,
  scheduleId: (requestId) => requestId,
  coveringScopes: onlyItself,
};

const isAccessId = (id: string): boolean => (GROUP_ACCESS_IDS as readonly string[]).includes(id);

/**
 * PIM for Groups (reference §4): membership (`member`) or ownership (`owner`) of a group. The
 * access id stands where a role id stands and the group id where a directory scope stands; each
 * group has one policy per access id (`scopeType: Group`), created when the group is onboarded.
 * Schedules are named as Graph names them, `{groupId}_{accessId}_{requestId}`.
 */
const group: TargetAdapter = {
  async lookup(tx, tenantId, accessId, groupId) {
    if (!isAccessId(accessId)) {
      throw new BadRequestError('InvalidAccessId', "accessId must be 'member' or 'owner'.");
    }
    const found = await tx.groups.get(tenantId, groupId);
    if (!found) throw new BadRequestError('GroupNotFound', 'The group does not exist.');
    return { id: accessId, displayName: `${found.displayName} (${accessId})` };
  },
  async rules(tx, tenantId, target, groupId) {
    // Before onboarding, a group is governed by the defaults its policies will be created with.
    const policy = await tx.policies.forRole(tenantId, 'Group', groupId, target.id);
    return policy?.rules ?? defaultPolicyRules();
  },
  async onboard(tx, tenantId, groupId) {
    await onboardGroup(tx, tenantId, groupId);
  },
  checkPrincipal(principal, groupId) {
    if (principal.id === groupId) {
      throw new BadRequestError('Request_BadRequest', 'A group cannot be a member or owner of itself.');
    }
  },
  permissions: PIM_GROUP_RULES,
  async adminRequirement(tx, tenantId, _accessId, groupId) {
    const found = await tx.groups.get(tenantId, groupId);
    return found?.isAssignableToRole === true ? DIRECTORY_RULES.writeRoleAssignableGroups : null;
  },
  scheduleId: (requestId, accessId, groupId) => `${groupId}_${accessId}_${requestId}`,
  coveringScopes: onlyItself,
};

/** One adapter per resource type; the compiler rejects a type without one. */
export const TARGETS: { readonly [R in ResourceType]: TargetAdapter } = {
  directoryRole,
  group,
  resourceRole: resourceRoleTarget,
};
