import type { RoleManagementPolicy } from '../../app/ports.js';
import type { ResourcePolicy } from '../../app/policies/resource-policy.js';
import type { PolicyRule } from '../../domain/policy/types.js';
import type { RulePatch } from '../../domain/policy/rule-patch.js';
import { ValidationError } from '../../domain/shared/errors.js';
import { ruleToJson } from '../graph/policy-json.js';
import { GROUP_MEMBERS, policyPatchBody, SINGLE_USER, toRulePatch } from '../graph/policy-request-json.js';
import { armScopePrefix } from './arm-path.js';
import { roleDefinitionArmId } from './arm-json.js';

// Role settings in Azure's shape (ADR 0034). A rule is Graph's rule with `ruleType` for
// `@odata.type` (`RoleManagementPolicyExpirationRule` ↔ `#microsoft.graph.unifiedRoleManagementPolicyExpirationRule`),
// approvers as `{id, description, isBackup, userType}` and empty lists as null. Bodies are turned
// into Graph's shape and checked by Graph's PATCH schema, so both APIs accept exactly the same rules.

const GRAPH_PREFIX = '#microsoft.graph.unified';
const AUTH = '/providers/Microsoft.Authorization';
type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const pascal = (s: string) => `${s.charAt(0).toUpperCase()}${s.slice(1)}`;
const nullIfEmpty = (v: unknown) => (Array.isArray(v) && v.length === 0 ? null : v);

/** One stored rule as Azure returns it. */
export function armRule(rule: PolicyRule): Json {
  const { '@odata.type': type, target, ...rest } = ruleToJson(rule) as Json & { target: Json };
  const out: Json = { ...rest, id: rule.id, ruleType: String(type).replace(GRAPH_PREFIX, '') };
  if ('claimValue' in out && out.claimValue === null) out.claimValue = '';
  if (isObject(out.setting)) {
    const setting = out.setting;
    out.setting = {
      ...setting,
      approvalStages: (setting.approvalStages as Json[]).map((stage) => ({
        ...stage,
        primaryApprovers: (stage.primaryApprovers as Json[]).map(armApprover),
        escalationApprovers: nullIfEmpty((stage.escalationApprovers as Json[]).map(armApprover)),
      })),
    };
  }
  out.target = {
    caller: target.caller,
    operations: (target.operations as string[]).map(pascal),
    level: target.level,
    targetObjects: target.targetObjects ?? null,
    inheritableSettings: nullIfEmpty(target.inheritableSettings),
    enforcedSettings: nullIfEmpty(target.enforcedSettings),
  };
  return out;
}

const armApprover = (a: Json): Json => ({
  id: a['@odata.type'] === SINGLE_USER ? a.userId : a.groupId,
  description: a.description ?? null,
  isBackup: false,
  userType: a['@odata.type'] === SINGLE_USER ? 'User' : 'Group',
});

const policyArmId = (p: ResourcePolicy) =>
  `${armScopePrefix(p.scope)}${AUTH}/roleManagementPolicies/${p.name}`;

const lastModifiedBy = (policy: RoleManagementPolicy) =>
  policy.lastModifiedBy === null
    ? null
    : {
        id: policy.lastModifiedBy.id,
        displayName: policy.lastModifiedBy.displayName,
        type: null,
        email: null,
      };

/** A role's settings at a scope as ARM's `roleManagementPolicies` return them. */
export function armPolicy(p: ResourcePolicy) {
  const rules = p.policy.rules.map(armRule);
  return {
    id: policyArmId(p),
    name: p.name,
    type: 'Microsoft.Authorization/RoleManagementPolicies',
    properties: {
      scope: p.scope,
      displayName: p.policy.displayName,
      description: p.policy.description,
      isOrganizationDefault: p.policy.isOrganizationDefault,
      lastModifiedBy: lastModifiedBy(p.policy),
      lastModifiedDateTime: iso(p.policy.lastModifiedAt),
      rules,
      effectiveRules: rules,
      policyProperties: { scope: { id: p.scope, ...p.scopeInfo } },
      // Elevate: where the rules come from (this scope, one above it, or null for the defaults).
      '@elevate.inheritedFrom': p.own ? null : p.from,
    },
  };
}

/** A role's settings at a scope as ARM's `roleManagementPolicyAssignments` return them. */
export function armPolicyAssignment(p: ResourcePolicy) {
  const name = `${p.name}_${p.role.id}`;
  const roleDefinitionId = roleDefinitionArmId(p.scope, p.role.id);
  return {
    id: `${armScopePrefix(p.scope)}${AUTH}/roleManagementPolicyAssignment/${name}`,
    name,
    type: 'Microsoft.Authorization/RoleManagementPolicyAssignment',
    properties: {
      scope: p.scope,
      roleDefinitionId,
      policyId: policyArmId(p),
      effectiveRules: p.policy.rules.map(armRule),
      policyAssignmentProperties: {
        scope: { id: p.scope, ...p.scopeInfo },
        roleDefinition: { id: roleDefinitionId, displayName: p.role.roleName, type: p.role.roleType },
        policy: {
          id: policyArmId(p),
          lastModifiedBy: lastModifiedBy(p.policy),
          lastModifiedDateTime: iso(p.policy.lastModifiedAt),
        },
      },
    },
  };
}

/** An Azure approver as Graph's subject; anything else is left for Graph's schema to refuse. */
function graphApprover(a: unknown): unknown {
  if (!isObject(a)) return a;
  const { id, description, isBackup, userType, ...rest } = a;
  if (isBackup === true || typeof userType !== 'string') return a;
  const d = description === null || description === undefined ? {} : { description };
  if (userType.toLowerCase() === 'user') return { '@odata.type': SINGLE_USER, userId: id, ...d, ...rest };
  if (userType.toLowerCase() === 'group') return { '@odata.type': GROUP_MEMBERS, groupId: id, ...d, ...rest };
  return a;
}

/** Drops the properties Azure sends as null for "nothing here", which Graph's schema spells by omission. */
function withoutNulls(o: Json, keys: readonly string[]): Json {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => !(v === null && keys.includes(k))));
}

/** One Azure rule in Graph's shape (no checking: Graph's schema does that). */
function graphRule(rule: unknown): unknown {
  if (!isObject(rule)) return rule;
  const { ruleType, target, setting, ...rest } = withoutNulls(rule, [
    'exceptionMembers',
    'notificationRecipients',
  ]);
  const out: Json = {
    ...rest,
    '@odata.type': typeof ruleType === 'string' ? `${GRAPH_PREFIX}${ruleType}` : ruleType,
  };
  if (out.claimValue === '') out.claimValue = null;
  if (target !== undefined && target !== null)
    out.target = isObject(target)
      ? withoutNulls(target, ['inheritableSettings', 'enforcedSettings'])
      : target;
  if (setting !== undefined)
    out.setting = !isObject(setting)
      ? setting
      : {
          ...setting,
          approvalStages: Array.isArray(setting.approvalStages)
            ? setting.approvalStages.map((stage: unknown) =>
                !isObject(stage)
                  ? stage
                  : withoutNulls(
                      {
                        ...stage,
                        ...(Array.isArray(stage.primaryApprovers)
                          ? { primaryApprovers: stage.primaryApprovers.map(graphApprover) }
                          : {}),
                        ...(Array.isArray(stage.escalationApprovers)
                          ? { escalationApprovers: stage.escalationApprovers.map(graphApprover) }
                          : {}),
                      },
                      ['escalationApprovers'],
                    ),
              )
            : setting.approvalStages,
        };
  return out;
}

/**
 * The rule changes of `PATCH …/roleManagementPolicies/{name}` (`{"properties":{"rules":[…]}}`),
 * checked exactly as Graph checks `PATCH /policies/roleManagementPolicies/{id}`.
 * @throws ValidationError `InvalidRequestContent`
 */
export function rulePatchesOf(body: unknown): RulePatch[] {
  const rules = isObject(body) && isObject(body.properties) ? body.properties.rules : undefined;
  if (!Array.isArray(rules))
    throw new ValidationError(
      'The body must be {"properties":{"rules":[…]}}.',
      'rules',
      'InvalidRequestContent',
    );
  const parsed = policyPatchBody.safeParse({ rules: rules.map(graphRule) });
  if (!parsed.success)
    throw new ValidationError(
      `The rules are invalid: ${parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.')} ${i.message}`)
        .join('; ')}`,
      'rules',
      'InvalidRequestContent',
    );
  return parsed.data.rules.map(toRulePatch);
}
