import { z } from 'zod';
import type { RoleManagementPolicy } from '../../app/ports.js';
import { policyAssignmentId } from '../../app/policies/assignment-id.js';
import type { ApproverSubject, PolicyRule, RuleTarget } from '../../domain/policy/types.js';
import { POLICY_RULE_ODATA_TYPES as T } from '../../domain/policy/types.js';
import { project, type ExpandItem } from '../../odata/index.js';
import { dtOrNull, selectable, withContext } from './json.js';
import { GROUP_MEMBERS, SINGLE_USER } from './policy-request-json.js';

// Graph JSON for role settings (reference §2.2): policies, their 17 polymorphic rules (each with
// its derived `@odata.type`) and policy assignments, with keys in Graph's order and null-valued
// keys written out. Request bodies are parsed in `policy-request-json.ts`.

const targetJson = z.object({
  caller: z.string(),
  operations: z.array(z.string()),
  level: z.string(),
  inheritableSettings: z.array(z.string()),
  enforcedSettings: z.array(z.string()),
});

const approverJson = z.discriminatedUnion('@odata.type', [
  z.object({ '@odata.type': z.literal(SINGLE_USER), userId: z.string(), description: z.string().nullable() }),
  z.object({
    '@odata.type': z.literal(GROUP_MEMBERS),
    groupId: z.string(),
    description: z.string().nullable(),
  }),
]);

const settingJson = z.object({
  isApprovalRequired: z.boolean(),
  isApprovalRequiredForExtension: z.boolean(),
  isRequestorJustificationRequired: z.boolean(),
  approvalMode: z.string(),
  approvalStages: z.array(
    z.object({
      approvalStageTimeOutInDays: z.number(),
      isApproverJustificationRequired: z.boolean(),
      escalationTimeInMinutes: z.number(),
      isEscalationEnabled: z.boolean(),
      primaryApprovers: z.array(approverJson),
      escalationApprovers: z.array(approverJson),
      '@elevate.approvalsRequired': z.number().optional(),
      '@elevate.approvalStageTimeOutInHours': z.number().optional(),
      '@elevate.reminderBeforeTimeOutInMinutes': z.number().optional(),
      '@elevate.decisionHookId': z.string().optional(),
    }),
  ),
  '@elevate.activationStartsAtApproval': z.boolean().optional(),
});

/** `{ "@elevate.{name}": value }`, or nothing when the extension is not set. */
const annotated = <V>(name: string, value: V | undefined): Record<string, V> =>
  value === undefined ? {} : { [`@elevate.${name}`]: value };

/** A rule type's complete shape: `@odata.type` (its discriminator), `id`, then its properties. */
const variant = <S extends z.ZodRawShape, const K extends string>(type: K, shape: S) =>
  z.object({ '@odata.type': z.literal(type), id: z.string(), ...shape });

const expirationRuleJson = variant(T.expiration, {
  isExpirationRequired: z.boolean(),
  maximumDuration: z.string(),
  target: targetJson,
});
const enablementRuleJson = variant(T.enablement, {
  enabledRules: z.array(z.string()),
  // Elevate's extension, present only when set (docs/pim.md).
  elevateMfaMaxAgeMinutes: z.number().int().optional(),
  '@elevate.ticketValidationHookId': z.string().optional(),
  target: targetJson,
});
const approvalRuleJson = variant(T.approval, { target: targetJson, setting: settingJson });
const authenticationContextRuleJson = variant(T.authenticationContext, {
  isEnabled: z.boolean(),
  claimValue: z.string().nullable(),
  target: targetJson,
});
const notificationRuleJson = variant(T.notification, {
  notificationType: z.string(),
  recipientType: z.string(),
  notificationLevel: z.string(),
  isDefaultRecipientsEnabled: z.boolean(),
  notificationRecipients: z.array(z.string()),
  target: targetJson,
});

/** A rule as `ruleToJson` writes it: complete, discriminated by `@odata.type`. */
export const completeRuleJson = z.discriminatedUnion('@odata.type', [
  expirationRuleJson,
  enablementRuleJson,
  approvalRuleJson,
  authenticationContextRuleJson,
  notificationRuleJson,
]);

/**
 * A rule as responses carry it: rules are always open to a (nested) `$select`, which keeps
 * `@odata.type` and `id` and may drop the rest.
 */
export const ruleJson = z.discriminatedUnion('@odata.type', [
  selectable(expirationRuleJson),
  selectable(enablementRuleJson),
  selectable(approvalRuleJson),
  selectable(authenticationContextRuleJson),
  selectable(notificationRuleJson),
]);

/**
 * A single rule response (`…/rules/{ruleId}`): each rule type with its `@odata.context` (one object
 * per type, so the document's `oneOf` has a member that a body can match; an `allOf` of a
 * context-only object and the rule allowed nothing, both being closed).
 */
export const ruleEntityJson = z.discriminatedUnion('@odata.type', [
  withContext(selectable(expirationRuleJson)),
  withContext(selectable(enablementRuleJson)),
  withContext(selectable(approvalRuleJson)),
  withContext(selectable(authenticationContextRuleJson)),
  withContext(selectable(notificationRuleJson)),
]);

/**
 * `unifiedRoleManagementPolicy`, complete: its properties, then the navigations `rules` and
 * `effectiveRules` (only with `$expand`; with a nested `$select` also their own context).
 */
export const policyJson = z.object({
  id: z.string(),
  displayName: z.string(),
  description: z.string(),
  isOrganizationDefault: z.boolean(),
  scopeId: z.string(),
  scopeType: z.string(),
  lastModifiedDateTime: z.string().nullable(),
  lastModifiedBy: z.object({ displayName: z.string().nullable(), id: z.string().nullable() }),
  'rules@odata.context': z.string().optional(),
  rules: z.array(ruleJson).optional(),
  'effectiveRules@odata.context': z.string().optional(),
  effectiveRules: z.array(ruleJson).optional(),
});

/** `unifiedRoleManagementPolicyAssignment`, complete; the policy (only with `$expand`) as selected. */
export const policyAssignmentJson = z.object({
  id: z.string(),
  policyId: z.string(),
  scopeId: z.string(),
  scopeType: z.string(),
  roleDefinitionId: z.string(),
  policy: selectable(policyJson).optional(),
});

function targetToJson(t: RuleTarget) {
  return {
    caller: t.caller,
    operations: t.operations,
    level: t.level,
    inheritableSettings: t.inheritableSettings,
    enforcedSettings: t.enforcedSettings,
  };
}

function approverToJson(a: ApproverSubject) {
  return a['@odata.type'] === SINGLE_USER
    ? { '@odata.type': a['@odata.type'], userId: a.userId, description: a.description ?? null }
    : { '@odata.type': a['@odata.type'], groupId: a.groupId, description: a.description ?? null };
}

/**
 * A rule in Graph's shape and key order, `@odata.type` first. `target.targetObjects` is a
 * navigation property in Graph and is not returned, like in Graph's own responses.
 */
export function ruleToJson(rule: PolicyRule): z.input<typeof completeRuleJson> {
  const head = { id: rule.id };
  switch (rule['@odata.type']) {
    case T.expiration:
      return {
        '@odata.type': rule['@odata.type'],
        ...head,
        isExpirationRequired: rule.isExpirationRequired,
        maximumDuration: rule.maximumDuration,
        target: targetToJson(rule.target),
      };
    case T.enablement:
      return {
        '@odata.type': rule['@odata.type'],
        ...head,
        enabledRules: rule.enabledRules,
        ...(rule.elevateMfaMaxAgeMinutes === undefined
          ? {}
          : { elevateMfaMaxAgeMinutes: rule.elevateMfaMaxAgeMinutes }),
        ...annotated('ticketValidationHookId', rule.ticketValidationHookId),
        target: targetToJson(rule.target),
      };
    case T.approval:
      return {
        '@odata.type': rule['@odata.type'],
        ...head,
        target: targetToJson(rule.target),
        setting: {
          isApprovalRequired: rule.setting.isApprovalRequired,
          isApprovalRequiredForExtension: rule.setting.isApprovalRequiredForExtension,
          isRequestorJustificationRequired: rule.setting.isRequestorJustificationRequired,
          approvalMode: rule.setting.approvalMode,
          approvalStages: rule.setting.approvalStages.map((stage) => ({
            approvalStageTimeOutInDays: stage.approvalStageTimeOutInDays,
            isApproverJustificationRequired: stage.isApproverJustificationRequired,
            escalationTimeInMinutes: stage.escalationTimeInMinutes,
            isEscalationEnabled: stage.isEscalationEnabled,
            primaryApprovers: stage.primaryApprovers.map(approverToJson),
            escalationApprovers: stage.escalationApprovers.map(approverToJson),
            // Elevate's extensions, written only when set (Graph's shape stays exact otherwise).
            ...annotated('approvalsRequired', stage.approvalsRequired),
            ...annotated('approvalStageTimeOutInHours', stage.approvalStageTimeOutInHours),
            ...annotated('reminderBeforeTimeOutInMinutes', stage.reminderBeforeTimeOutInMinutes),
            ...annotated('decisionHookId', stage.decisionHookId),
          })),
          ...annotated('activationStartsAtApproval', rule.setting.activationStartsAtApproval),
        },
      };
    case T.authenticationContext:
      return {
        '@odata.type': rule['@odata.type'],
        ...head,
        isEnabled: rule.isEnabled,
        claimValue: rule.claimValue,
        target: targetToJson(rule.target),
      };
    case T.notification:
      return {
        '@odata.type': rule['@odata.type'],
        ...head,
        notificationType: rule.notificationType,
        recipientType: rule.recipientType,
        notificationLevel: rule.notificationLevel,
        isDefaultRecipientsEnabled: rule.isDefaultRecipientsEnabled,
        notificationRecipients: rule.notificationRecipients,
        target: targetToJson(rule.target),
      };
  }
}

/** Properties a nested `$select` on rules may name (the union over the five rule types). */
export const RULE_PROPERTIES = [
  'id',
  'target',
  'isExpirationRequired',
  'maximumDuration',
  'enabledRules',
  'setting',
  'isEnabled',
  'claimValue',
  'notificationType',
  'recipientType',
  'notificationLevel',
  'isDefaultRecipientsEnabled',
  'notificationRecipients',
] as const;

/** Rules with a nested `$select` applied (`id` and `@odata.type` always stay). */
export const rulesToJson = (rules: readonly PolicyRule[], select?: readonly string[]) =>
  // `project` always keeps `@odata.type` (an annotation), which the union needs.
  rules.map((rule) => project(ruleToJson(rule), select) as z.input<typeof ruleJson>);

/**
 * A policy with `rules`/`effectiveRules` when expanded. `effectiveRules` are the rules themselves:
 * Elevate has no inherited settings yet. With a nested `$select`, Graph also annotates the
 * navigation with its own context (`rules@odata.context`), which `navContext` provides.
 */
export function policyToJson(
  p: RoleManagementPolicy,
  expand: readonly ExpandItem[] = [],
  navContext?: (policyId: string, item: ExpandItem) => string,
) {
  const json: z.input<typeof policyJson> = {
    id: p.id,
    displayName: p.displayName,
    description: p.description,
    isOrganizationDefault: p.isOrganizationDefault,
    scopeId: p.scopeId,
    scopeType: p.scopeType,
    lastModifiedDateTime: dtOrNull(p.lastModifiedAt),
    lastModifiedBy: {
      displayName: p.lastModifiedBy?.displayName ?? null,
      id: p.lastModifiedBy?.id ?? null,
    },
  };
  for (const item of expand) {
    const name = item.name === 'effectiveRules' ? 'effectiveRules' : 'rules';
    if (item.select && navContext) json[`${name}@odata.context`] = navContext(p.id, item);
    json[name] = rulesToJson(p.rules, item.select);
  }
  return json;
}

/** A policy assignment (`id` = `{policyId}_{roleDefinitionId}`), with its policy when expanded. */
export function policyAssignmentToJson(p: RoleManagementPolicy, expand: readonly ExpandItem[] = []) {
  const json: z.input<typeof policyAssignmentJson> = {
    id: policyAssignmentId(p.id, p.roleDefinitionId),
    policyId: p.id,
    scopeId: p.scopeId,
    scopeType: p.scopeType,
    roleDefinitionId: p.roleDefinitionId,
  };
  const policy = expand.find((item) => item.name === 'policy');
  if (policy) {
    const nested = policy.expand ?? [];
    const select = policy.select && [...policy.select, ...nested.map((item) => item.name)];
    json.policy = project(policyToJson(p, nested), select) as typeof json.policy;
  }
  return json;
}

/**
 * The `@odata.context` suffix for `$select`/`$expand`, as Graph writes it: selected properties,
 * then each expansion with its own nested options, e.g. `(rules())`, `(displayName,rules(id))`,
 * `(policy(rules()))`. Empty when neither option is given.
 */
export function contextSuffix(select: readonly string[] | undefined, expand: readonly ExpandItem[]): string {
  const inner = (sel: readonly string[] | undefined, exp: readonly ExpandItem[]): string => {
    const expanded = new Set(exp.map((item) => item.name));
    return [
      ...(sel ?? []).filter((name) => !expanded.has(name)),
      ...exp.map((item) => `${item.name}(${inner(item.select, item.expand ?? [])})`),
    ].join(',');
  };
  const text = inner(select, expand);
  return text === '' ? '' : `(${text})`;
}
