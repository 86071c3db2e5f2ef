import { RULE_IDS } from '../../domain/policy/default-rules.js';
import type { TargetResource } from '../../domain/audit/entry.js';
import type { PolicyRule } from '../../domain/policy/types.js';
import { BadRequestError, NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
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
    await authorizeFor(tx, caller, policy, mode, now);
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
  const write = (caller: Caller, policyId: string, patches: { ruleId: string; patch: RulePatch }[]) =>
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
        const before = await load(tx, caller, policyId, 'write', now);
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
        return { before, rules };
      },
      apply: async ({ tx, now, record }, { before, rules }) => {
        const after: RoleManagementPolicy = {
          ...before,
          rules,
          lastModifiedAt: now,
          lastModifiedBy: { id: caller.id, displayName: await displayNameOf(tx, caller) },
          version: before.version + 1,
        };
        await tx.policies.update(after, before.version);
        const role = await tx.roleDefinitions.get(caller.tenantId, before.roleDefinitionId);
        record(policyUpdated(before, after, role?.displayName ?? null));
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
    read: (tx: Stores, filter: CollectionQuery['filter']) => Promise<T>,
  ) => {
    const filter = requireScopeFilter(q.filter);
    const scope = scopeOfFilter(filter);
    return retryOnConflict(() =>
      deps.uow.run(async (tx) => {
        await authorizeFor(tx, caller, scope, 'read', deps.clock.now());
        if (scope?.scopeType === 'Group' && isGuid(scope.scopeId)) {
          const groupId = scope.scopeId.toLowerCase();
          if (await tx.groups.get(caller.tenantId, groupId)) await onboardGroup(tx, caller.tenantId, groupId);
        }
        return read(tx, filter);
      }),
    );
  };

  return {
    /** @throws ODataError('invalidFilter') without a scope filter; ForbiddenError */
    async list(caller: Caller, q: CollectionQuery): Promise<Page<RoleManagementPolicy>> {
      return forScope(caller, q, (tx, filter) => tx.policies.list(caller.tenantId, { ...q, filter }));
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
      const seen = new Set<string>();
      const resolved = patches.map((patch, i) => {
        const ruleId = patch.id === undefined ? undefined : canonicalRuleId(RULE_IDS, patch.id);
        if (ruleId === undefined) {
          throw new ValidationError(
            `rules[${i}] needs the id of one of the policy's rules.`,
            `rules.${i}.id`,
          );
        }
        if (seen.has(ruleId)) throw new ValidationError(`Rule '${ruleId}' is given twice.`, `rules.${i}.id`);
        seen.add(ruleId);
        return { ruleId, patch: { ...patch, id: ruleId } };
      });
      return write(caller, policyId, resolved);
    },

    /** @throws ODataError('invalidFilter') without a scope filter; ForbiddenError */
    async listAssignments(caller: Caller, q: CollectionQuery): Promise<Page<RoleManagementPolicy>> {
      return forScope(caller, q, (tx, filter) =>
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
        await authorizeFor(tx, caller, policy ?? undefined, 'read', deps.clock.now());
        if (!policy || policy.roleDefinitionId !== parts?.roleDefinitionId) {
          throw assignmentNotFound();
        }
        return policy;
      });
    },
  };
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
