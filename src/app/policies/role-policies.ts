import { RULE_IDS } from '../../domain/policy/default-rules.js';
import type { TargetResource } from '../../domain/audit/entry.js';
import type { PolicyRule } from '../../domain/policy/types.js';
import {
  BadRequestError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import type { FilterNode, QueryOptions as CollectionQuery } from '../../odata/index.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import { DIRECTORY_RULES } from '../../domain/directory/permissions.js';
import type { Page, RoleManagementPolicy, Stores, UnitOfWork } from '../ports.js';
import { allApprovers } from '../../domain/policy/approval-settings.js';
import { parsePolicyAssignmentId } from './assignment-id.js';
import { makeChange } from '../events/change.js';
import { ROLE_SETTING_UPDATE, policyUpdated } from '../../domain/policy/policy-events.js';
import { applyRulePatch, canonicalRuleId, type RulePatch } from '../../domain/policy/rule-patch.js';
import { requireScopeFilter, scopeOfFilter } from './scope-filter.js';
import { GROUP_POLICY_RULES } from '../../domain/pim/permissions.js';
import { isGuid } from '../../domain/shared/ids.js';
import { onboardGroup } from './group-policy.js';
import { retryOnConflict } from '../pim/retry.js';
import { RESOURCE_POLICY_SCOPE_TYPE } from '../pim/resource-role-target.js';
import { findResourceRole } from '../resources/find-role.js';
import { ROOT_SCOPE } from '../../domain/resources/scope-path.js';
import { resourcePolicyAt, rolesAssignableAt, type ResourcePolicy } from './resource-policy.js';
import { memberGroupsAt } from '../directory/member-groups.js';

const policyNotFound = () =>
  new NotFoundError('The role management policy does not exist.', 'Request_ResourceNotFound');
const ruleNotFound = () =>
  new NotFoundError('The role management policy rule does not exist.', 'Request_ResourceNotFound');
const assignmentNotFound = () =>
  new NotFoundError('The role management policy assignment does not exist.', 'Request_ResourceNotFound');

/**
 * Role settings (`/policies/roleManagementPolicies`, `/roleManagementPolicyAssignments`): read by
 * role readers, changed by role administrators only (DESIGN.md invariant 8). Policies of another
 * tenant are indistinguishable from missing ones (404).
 */
export function makeRolePolicies(deps: { uow: UnitOfWork; clock: Clock; newId: () => string }) {
  const change = makeChange(deps);

  /**
   * The caller's policy by id, after the permission check of its scope (a group's settings have
   * their own permissions, {@link GROUP_POLICY_RULES}); an unknown id is checked like a directory
   * role's. @throws ForbiddenError, NotFoundError
   */
  const load = async (
    tx: Stores,
    caller: Caller,
    id: string,
    mode: 'read' | 'write',
    now: number,
  ): Promise<RoleManagementPolicy> => {
    const policy = await tx.policies.get(caller.tenantId, id);
    if (mode === 'read') await authorizeRead(tx, caller, policy, now);
    else await authorizeFor(tx, caller, policy, mode, now);
    if (!policy) throw policyNotFound();
    return policy;
  };

  /**
   * Applies rule PATCHes to one policy in one transaction with compare-and-set on `version`:
   * everything is validated before anything is written, so a bad body changes nothing, and a
   * concurrent writer makes this one fail with `ConflictError` rather than be overwritten. The
   * change is audited (`Update role setting in PIM`) in the same transaction; a refusal for lack
   * of privilege is audited as a failure.
   */
  const write = (
    caller: Caller,
    policyId: string,
    patches: { ruleId: string; patch: RulePatch }[],
    find: (tx: Stores, now: number) => Promise<{ policy: RoleManagementPolicy; isNew: boolean }> = async (
      tx,
      now,
    ) => ({ policy: await load(tx, caller, policyId, 'write', now), isNew: false }),
  ) =>
    change(caller, {
      attempt: {
        activity: ROLE_SETTING_UPDATE,
        targets: [
          {
            id: policyId.slice(0, 200),
            displayName: null,
            type: 'Policy',
            userPrincipalName: null,
            modifiedProperties: [],
          },
        ] satisfies TargetResource[],
      },
      check: async (tx, now) => {
        const { policy: before, isNew } = await find(tx, now);
        const rules = [...before.rules];
        for (const { ruleId, patch } of patches) {
          const at = rules.findIndex((rule) => rule.id === ruleId);
          const current = rules[at];
          if (current === undefined) throw ruleNotFound();
          const next = applyRulePatch(current, patch);
          await checkApproversExist(tx, caller.tenantId, next);
          await checkContextExists(tx, caller.tenantId, current, next);
          await checkHooksExist(tx, caller.tenantId, current, next);
          rules[at] = next;
        }
        return { before, rules, isNew };
      },
      apply: async ({ tx, now, record }, { before, rules, isNew }) => {
        const after: RoleManagementPolicy = {
          ...before,
          rules,
          lastModifiedAt: now,
          lastModifiedBy: { id: caller.id, displayName: await displayNameOf(tx, caller) },
          version: before.version + 1,
        };
        // A resource role's first own settings at a scope are written here (ADR 0034); the
        // deterministic id makes a concurrent first write collide on the primary key.
        if (isNew) await tx.policies.insert(after);
        else await tx.policies.update(after, before.version);
        const roleName =
          before.scopeType === RESOURCE_POLICY_SCOPE_TYPE
            ? ((await findResourceRole(tx, caller.tenantId, before.roleDefinitionId))?.roleName ?? null)
            : ((await tx.roleDefinitions.get(caller.tenantId, before.roleDefinitionId))?.displayName ?? null);
        record(policyUpdated(before, after, roleName));
        return after;
      },
    });

  /** @throws NotFoundError, ForbiddenError */
  const get = (caller: Caller, id: string): Promise<RoleManagementPolicy> =>
    deps.uow.run(async (tx) => load(tx, caller, id, 'read', deps.clock.now()));

  /**
   * Reads one scope's settings after the permission check of that scope. A group that exists but
   * has no settings yet is onboarded to PIM by this first read of its settings (its `member` and
   * `owner` policies created with the defaults, reference §4), so an administrator can set them
   * before its first request. @throws ForbiddenError
   */
  const forScope = <T>(
    caller: Caller,
    q: CollectionQuery,
    idField: 'id' | 'policyId',
    read: (tx: Stores, filter: CollectionQuery['filter']) => Promise<T>,
  ) => {
    const filter = requireScopeFilter(q.filter);
    const scope = scopeOfFilter(filter);
    return retryOnConflict(() =>
      deps.uow.run(async (tx) => {
        const readable = await readablePolicies(tx, caller, scope, deps.clock.now());
        if (scope?.scopeType === 'Group' && isGuid(scope.scopeId)) {
          const groupId = scope.scopeId.toLowerCase();
          if (await tx.groups.get(caller.tenantId, groupId)) await onboardGroup(tx, caller.tenantId, groupId);
        }
        if (readable === 'all') return read(tx, filter);
        // Resolved after onboarding, so that a group's first read by an eligible member finds its policies.
        const ids = await policyIdsOf(tx, caller.tenantId, scope, readable);
        return read(tx, onlyPolicies(filter, idField, ids));
      }),
    );
  };

  return {
    /** @throws ODataError('invalidFilter') without a scope filter; ForbiddenError */
    async list(caller: Caller, q: CollectionQuery): Promise<Page<RoleManagementPolicy>> {
      return forScope(caller, q, 'id', (tx, filter) => tx.policies.list(caller.tenantId, { ...q, filter }));
    },

    get,

    /** One rule, found by its id in any case. @throws NotFoundError, ForbiddenError */
    async getRule(caller: Caller, policyId: string, ruleId: string): Promise<PolicyRule> {
      const policy = await get(caller, policyId);
      const id = canonicalRuleId(RULE_IDS, ruleId);
      const rule = policy.rules.find((candidate) => candidate.id === id);
      if (!rule) throw ruleNotFound();
      return rule;
    },

    /**
     * `PATCH …/rules/{ruleId}`.
     * @throws ValidationError (bad value, wrong `@odata.type`, `id` or `target`), BadRequestError
     *   (`Request_BadRequest`: an approver does not exist), NotFoundError, ForbiddenError,
     *   ConflictError (a concurrent write won).
     */
    async updateRule(caller: Caller, policyId: string, ruleId: string, patch: RulePatch): Promise<void> {
      // An unknown rule id still goes through `write`, so that 403 and the policy's 404 come first.
      const id = canonicalRuleId(RULE_IDS, ruleId) ?? ruleId;
      await write(caller, policyId, [{ ruleId: id, patch }]);
    },

    /**
     * `PATCH /policies/roleManagementPolicies/{id}` with `{ rules: [...] }`: several rules at once,
     * all or nothing; each element must carry its `id`, once.
     * @throws as {@link updateRule}
     */
    async updateRules(caller: Caller, policyId: string, patches: RulePatch[]): Promise<RoleManagementPolicy> {
      return write(caller, policyId, resolvePatches(patches));
    },

    /**
     * A resource role's settings at each role assignable at a registered scope (ARM
     * `roleManagementPolicies` / `roleManagementPolicyAssignments` at a scope, ADR 0034): its own
     * policy, else the one it inherits, else the defaults. @throws ForbiddenError, NotFoundError
     */
    async listForResource(caller: Caller, scope: string): Promise<ResourcePolicy[]> {
      return deps.uow.run(async (tx) => {
        await authorizeFor(tx, caller, undefined, 'read', deps.clock.now());
        const info = await requireScope(tx, caller.tenantId, scope);
        const roles = await rolesAssignableAt(tx, caller.tenantId, scope);
        const out: ResourcePolicy[] = [];
        for (const role of roles) out.push(await resourcePolicyAt(tx, caller.tenantId, scope, info, role));
        return out;
      });
    },

    /** One resource role's settings at a scope, by ARM name. @throws ForbiddenError, NotFoundError */
    async getForResource(caller: Caller, scope: string, name: string): Promise<ResourcePolicy> {
      return deps.uow.run(async (tx) => {
        await authorizeFor(tx, caller, undefined, 'read', deps.clock.now());
        return findResourcePolicy(tx, caller.tenantId, scope, name);
      });
    },

    /**
     * ARM's `PATCH {scope}/…/roleManagementPolicies/{name}`: the same rule changes as
     * {@link updateRules}, all or nothing, on the role's settings at this scope. A scope that
     * inherited its settings gets its own on this first change, starting from the inherited rules.
     * @throws as {@link updateRules}
     */
    async updateForResource(
      caller: Caller,
      scope: string,
      name: string,
      patches: RulePatch[],
    ): Promise<ResourcePolicy> {
      const resolved = resolvePatches(patches);
      const after = await write(caller, name, resolved, async (tx, now) => {
        await authorizeFor(tx, caller, undefined, 'write', now);
        const found = await findResourcePolicy(tx, caller.tenantId, scope, name);
        return { policy: found.policy, isNew: !found.own };
      });
      return deps.uow.run(async (tx) => findResourcePolicy(tx, caller.tenantId, scope, after.id));
    },

    /** @throws ODataError('invalidFilter') without a scope filter; ForbiddenError */
    async listAssignments(caller: Caller, q: CollectionQuery): Promise<Page<RoleManagementPolicy>> {
      return forScope(caller, q, 'policyId', (tx, filter) =>
        tx.policies.listAssignments(caller.tenantId, { ...q, filter }),
      );
    },

    /**
     * The assignment `{policyId}_{roleDefinitionId}` (the role's GUID lower-cased at the edge), as
     * its policy. @throws NotFoundError, ForbiddenError
     */
    async getAssignment(caller: Caller, id: string): Promise<RoleManagementPolicy> {
      return deps.uow.run(async (tx) => {
        const parts = parsePolicyAssignmentId(id);
        const policy = parts && (await tx.policies.get(caller.tenantId, parts.policyId));
        await authorizeRead(tx, caller, policy ?? undefined, deps.clock.now());
        if (!policy || policy.roleDefinitionId !== parts?.roleDefinitionId) {
          throw assignmentNotFound();
        }
        return policy;
      });
    },
  };
}

/** Each PATCHed rule with its canonical id; each must carry its `id`, once. @throws ValidationError */
function resolvePatches(patches: RulePatch[]): { ruleId: string; patch: RulePatch }[] {
  const seen = new Set<string>();
  return patches.map((patch, i) => {
    const ruleId = patch.id === undefined ? undefined : canonicalRuleId(RULE_IDS, patch.id);
    if (ruleId === undefined) {
      throw new ValidationError(`rules[${i}] needs the id of one of the policy's rules.`, `rules.${i}.id`);
    }
    if (seen.has(ruleId)) throw new ValidationError(`Rule '${ruleId}' is given twice.`, `rules.${i}.id`);
    seen.add(ruleId);
    return { ruleId, patch: { ...patch, id: ruleId } };
  });
}

/** The registered scope's name and type. @throws NotFoundError `ResourceScopeNotFound` */
async function requireScope(
  tx: Stores,
  tenantId: string,
  scope: string,
): Promise<ResourcePolicy['scopeInfo']> {
  if (scope === ROOT_SCOPE) return { displayName: 'Root', type: 'root' };
  const found = await tx.resourceScopes.get(tenantId, scope);
  if (found === undefined)
    throw new NotFoundError(
      `The scope '${scope.slice(0, 200)}' is not a registered resource.`,
      'ResourceScopeNotFound',
    );
  return { displayName: found.displayName, type: found.type };
}

/** A resource role's settings at a scope by ARM name. @throws NotFoundError */
async function findResourcePolicy(
  tx: Stores,
  tenantId: string,
  scope: string,
  name: string,
): Promise<ResourcePolicy> {
  const info = await requireScope(tx, tenantId, scope);
  const wanted = name.toLowerCase();
  for (const role of await rolesAssignableAt(tx, tenantId, scope)) {
    const policy = await resourcePolicyAt(tx, tenantId, scope, info, role);
    if (policy.name === wanted || (policy.own && policy.policy.id === name)) return policy;
  }
  throw new NotFoundError(
    `The role management policy '${name.slice(0, 80)}' does not exist at this scope.`,
    'RoleManagementPolicyNotFound',
  );
}

/**
 * Role settings are read and changed with the directory policy permissions, except a group's
 * (`scopeType: Group`), which have their own; changing a role-assignable group's also needs a
 * role administrator. @throws ForbiddenError
 */
async function authorizeFor(
  tx: Stores,
  caller: Caller,
  scope: { scopeType: string; scopeId: string } | undefined,
  mode: 'read' | 'write',
  now: number,
): Promise<void> {
  if (scope?.scopeType !== 'Group') {
    await authorize(
      tx,
      caller,
      mode === 'read' ? DIRECTORY_RULES.readPolicies : DIRECTORY_RULES.writePolicies,
      now,
    );
    return;
  }
  await authorize(tx, caller, GROUP_POLICY_RULES[mode], now);
  if (mode === 'write' && (await tx.groups.get(caller.tenantId, scope.scopeId))?.isAssignableToRole) {
    await authorize(tx, caller, DIRECTORY_RULES.writeRoleAssignableGroups, now);
  }
}

/**
 * What of a scope's role settings the caller may read: all of them with the read permission;
 * otherwise (a user) the settings of what they hold or may activate through PIM there, directly or
 * through a group they are a member of now — a directory role's at the tenant scope, a group's
 * `member` or `owner` access — so that a requester learns a role's limits before asking (as Entra
 * shows them to eligible users). Someone with none of these is refused as before.
 * @throws ForbiddenError
 */
async function readablePolicies(
  tx: Stores,
  caller: Caller,
  scope: { scopeType: string; scopeId: string } | undefined,
  now: number,
): Promise<'all' | string[]> {
  try {
    await authorizeFor(tx, caller, scope, 'read', now);
    return 'all';
  } catch (err) {
    if (!(err instanceof ForbiddenError) || caller.kind !== 'user' || scope === undefined) throw err;
    const roles = await heldOrEligibleAt(tx, caller, scope, now);
    if (roles.length === 0) throw err;
    return roles;
  }
}

/** The role ids (a group's access ids) the user holds or may activate through PIM at the scope. */
async function heldOrEligibleAt(
  tx: Stores,
  caller: Caller,
  scope: { scopeType: string; scopeId: string },
  now: number,
): Promise<string[]> {
  const principals = [caller.id, ...(await memberGroupsAt(tx, caller.tenantId, caller.id, now))];
  if (scope.scopeType === 'DirectoryRole' && scope.scopeId === '/')
    return tx.schedules.heldOrEligibleRoleIds(caller.tenantId, principals, now);
  if (scope.scopeType !== 'Group' || !isGuid(scope.scopeId)) return [];
  const groupId = scope.scopeId.toLowerCase();
  const held = await Promise.all(
    ['member', 'owner'].map(async (accessId) => {
      const eligible = await tx.schedules.eligibilities(
        caller.tenantId,
        principals,
        accessId,
        [groupId],
        now,
      );
      const active = await tx.schedules.activeGroupIds(caller.tenantId, caller.id, accessId, now);
      return eligible.length > 0 || active.includes(groupId) ? [accessId] : [];
    }),
  );
  return held.flat();
}

/** A policy read by id: the read permission, or the caller holds or may activate its role. @throws ForbiddenError */
async function authorizeRead(
  tx: Stores,
  caller: Caller,
  policy: RoleManagementPolicy | undefined,
  now: number,
): Promise<void> {
  const readable = await readablePolicies(tx, caller, policy, now);
  if (readable !== 'all' && !readable.includes(policy?.roleDefinitionId ?? '')) throw new ForbiddenError();
}

/** The ids of the scope's policies of these roles. */
async function policyIdsOf(
  tx: Stores,
  tenantId: string,
  scope: { scopeType: string; scopeId: string } | undefined,
  roles: string[],
): Promise<string[]> {
  if (scope === undefined) return [];
  const scopeId = scope.scopeType === 'Group' ? scope.scopeId.toLowerCase() : scope.scopeId;
  const found = await Promise.all(
    roles.map((role) => tx.policies.forRole(tenantId, scope.scopeType, scopeId, role)),
  );
  return found.flatMap((p) => (p ? [p.id] : []));
}

/** `filter and {idField} in (…)`: the collection narrowed to these policies (none when the list is empty). */
function onlyPolicies(filter: FilterNode, idField: string, ids: string[]): FilterNode {
  const position = 0;
  const values = (ids.length > 0 ? ids : ['']).map((value) => ({ kind: 'string' as const, value, position }));
  return {
    kind: 'and',
    left: filter,
    right: { kind: 'in', target: { kind: 'path', segments: [idField], position }, values, position },
    position,
  };
}

/** Approvers named in an approval rule must be users or groups of the caller's tenant. */
async function checkApproversExist(tx: Stores, tenantId: string, rule: PolicyRule): Promise<void> {
  if (rule['@odata.type'] !== '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule') return;
  for (const approver of allApprovers(rule.setting)) {
    const found =
      approver['@odata.type'] === '#microsoft.graph.singleUser'
        ? await tx.users.get(tenantId, approver.userId)
        : await tx.groups.get(tenantId, approver.groupId);
    if (!found) {
      const [kind, id] =
        approver['@odata.type'] === '#microsoft.graph.singleUser'
          ? ['user', approver.userId]
          : ['group', approver.groupId];
      throw new BadRequestError(
        'Request_BadRequest',
        `The approver ${kind} '${id}' does not exist in this tenant.`,
      );
    }
  }
}

/**
 * An authentication-context rule may name only a context the tenant defines (ADR 0021): naming an
 * unknown one would make the role impossible to activate. Checked when the claim value changes or
 * the rule is turned on, so a context deleted later does not block unrelated edits.
 */
async function checkContextExists(
  tx: Stores,
  tenantId: string,
  before: PolicyRule,
  after: PolicyRule,
): Promise<void> {
  if (after['@odata.type'] !== '#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule')
    return;
  if (before['@odata.type'] !== after['@odata.type'] || after.claimValue === null) return;
  const changed = before.claimValue !== after.claimValue || (after.isEnabled && !before.isEnabled);
  if (!changed) return;
  if ((await tx.authenticationContexts.get(tenantId, after.claimValue)) === undefined) {
    throw new ValidationError(
      `claimValue '${after.claimValue}' names no authentication context of this tenant; define it under /identity/conditionalAccess/authenticationContextClassReferences first.`,
      'claimValue',
    );
  }
}

/** The decision hooks a rule names (ticket validation, approval stages). */
function hooksOf(rule: PolicyRule): { id: string; target: string }[] {
  if (rule['@odata.type'] === '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule')
    return rule.ticketValidationHookId === undefined
      ? []
      : [{ id: rule.ticketValidationHookId, target: '@elevate.ticketValidationHookId' }];
  if (rule['@odata.type'] === '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule')
    return rule.setting.approvalStages.flatMap((stage, i) =>
      stage.decisionHookId === undefined
        ? []
        : [{ id: stage.decisionHookId, target: `setting.approvalStages.${i}.@elevate.decisionHookId` }],
    );
  return [];
}

/**
 * A rule may name only decision hooks of the tenant (ADR 0025). Checked for hooks the change newly
 * names, so a hook deleted later does not block unrelated edits of the same rule.
 */
async function checkHooksExist(tx: Stores, tenantId: string, before: PolicyRule, after: PolicyRule) {
  const had = new Set(hooksOf(before).map((h) => h.id));
  for (const hook of hooksOf(after)) {
    if (had.has(hook.id)) continue;
    if ((await tx.decisionHooks.get(tenantId, hook.id)) === undefined) {
      throw new ValidationError(
        `'${hook.id}' names no decision hook of this tenant; create it under /elevate/decisionHooks first.`,
        hook.target,
      );
    }
  }
}

/** `lastModifiedBy.displayName`: the user's or the application's display name, if it still exists. */
async function displayNameOf(tx: Stores, caller: Caller): Promise<string | null> {
  const principal =
    caller.kind === 'user'
      ? await tx.users.get(caller.tenantId, caller.id)
      : await tx.servicePrincipals.get(caller.tenantId, caller.id);
  return principal?.displayName ?? null;
}
