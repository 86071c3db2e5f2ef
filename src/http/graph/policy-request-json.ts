import { z } from 'zod';
import { MAX_APPROVALS_REQUIRED, MAX_STAGE_TIMEOUT_DAYS } from '../../domain/policy/approval-settings.js';
import {
  EMAIL_ADDRESS,
  MAX_NOTIFICATION_RECIPIENTS,
  type RulePatch,
  type TargetPatch,
} from '../../domain/policy/rule-patch.js';
import {
  DEFAULT_REMINDER_MINUTES,
  type ApprovalSettings,
  type ApproverSubject,
} from '../../domain/policy/types.js';
import { defaultPolicyRules, RULE_IDS } from '../../domain/policy/default-rules.js';
import { POLICY_RULE_ODATA_TYPES as T } from '../../domain/policy/types.js';
import { guid } from './ids.js';
import { documentedEnum, DURATION_PATTERN, str } from './json.js';

// PATCH bodies for role settings (reference §2.1): strict (unknown properties → 400), every string
// and list bounded, enums and type names read in any case and handed on in canonical spelling.
// Responses have their own schemas in `policy-json.ts` (STYLE.md: never one schema for both).

/** A Graph enum read in any case and returned in its canonical spelling. */
const ci = <const V extends readonly string[]>(values: V) =>
  z
    .string()
    .max(64)
    .transform((text, ctx) => {
      const found = values.find((value): value is V[number] => value.toLowerCase() === text.toLowerCase());
      if (found === undefined) {
        ctx.addIssue({ code: 'custom', message: `must be one of ${values.join(', ')} (any case)` });
        return z.NEVER;
      }
      return found;
    })
    .meta(documentedEnum(values));

/** `@odata.type` of a nested complex value: `#microsoft.graph.x` or `microsoft.graph.x`, any case. */
const annotation = (name: string) =>
  z
    .string()
    .max(128)
    .refine((text) => text.replace(/^#/, '').toLowerCase() === name.toLowerCase(), `must be #${name}`)
    .meta(documentedEnum([`#${name}`]))
    .optional();

/** Canonical `@odata.type` by its lower-cased name without `#`, for discriminated unions. */
function canonicalType(types: readonly string[]) {
  const byName = new Map(types.map((type) => [type.replace(/^#/, '').toLowerCase(), type]));
  return (value: unknown): unknown => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const given = (value as Record<string, unknown>)['@odata.type'];
    if (typeof given !== 'string' || given.length > 128) return value;
    const type = byName.get(given.replace(/^#/, '').toLowerCase());
    return type === undefined ? value : { ...value, '@odata.type': type };
  };
}

export const SINGLE_USER = '#microsoft.graph.singleUser';
export const GROUP_MEMBERS = '#microsoft.graph.groupMembers';

const approverBody = z.preprocess(
  canonicalType([SINGLE_USER, GROUP_MEMBERS]),
  z.discriminatedUnion('@odata.type', [
    z
      .object({
        '@odata.type': z.literal(SINGLE_USER),
        userId: guid,
        description: str(1024).nullable().optional(),
      })
      .strict(),
    z
      .object({
        '@odata.type': z.literal(GROUP_MEMBERS),
        groupId: guid,
        description: str(1024).nullable().optional(),
      })
      .strict(),
  ]),
);

const stageBody = z
  .object({
    '@odata.type': annotation('microsoft.graph.unifiedApprovalStage'),
    approvalStageTimeOutInDays: z.number().int().meta({ minimum: 1, maximum: MAX_STAGE_TIMEOUT_DAYS }),
    isApproverJustificationRequired: z.boolean(),
    // Less than the stage's timeout in minutes, and at least 1 with escalation (description).
    escalationTimeInMinutes: z.number().int().meta({ minimum: 0 }).optional(),
    isEscalationEnabled: z.boolean().optional(),
    primaryApprovers: z.array(approverBody).max(50),
    escalationApprovers: z.array(approverBody).max(50).optional(),
    '@elevate.approvalsRequired': z
      .number()
      .int()
      .meta({
        minimum: 1,
        maximum: MAX_APPROVALS_REQUIRED,
        description: 'Elevate: approvals the stage needs (N of M; default 1). One deny ends the stage.',
      })
      .optional(),
    '@elevate.approvalStageTimeOutInHours': z
      .number()
      .int()
      .meta({
        minimum: 1,
        maximum: MAX_STAGE_TIMEOUT_DAYS * 24,
        description:
          'Elevate: the stage times out after this many hours, replacing approvalStageTimeOutInDays.',
      })
      .optional(),
    '@elevate.reminderBeforeTimeOutInMinutes': z
      .number()
      .int()
      .meta({
        minimum: 0,
        description: `Elevate: remind the pending approvers this long before the stage times out (0 = never; default ${DEFAULT_REMINDER_MINUTES}, at most half the timeout).`,
      })
      .optional(),
    '@elevate.decisionHookId': guid.optional().meta({
      description:
        'Elevate: a decision hook (/elevate/decisionHooks) asked when the stage starts; approve or deny counts as one decision, anything else leaves the stage to its approvers.',
    }),
  })
  .strict();

const settingBody = z
  .object({
    '@odata.type': annotation('microsoft.graph.approvalSettings'),
    isApprovalRequired: z.boolean(),
    isApprovalRequiredForExtension: z.boolean(),
    isRequestorJustificationRequired: z.boolean(),
    approvalMode: ci(['SingleStage', 'Serial', 'Parallel', 'NoApproval']),
    approvalStages: z.array(stageBody).max(2),
    '@elevate.activationStartsAtApproval': z
      .boolean()
      .meta({
        description:
          "Elevate: the activation's duration counts from the final approval (default true), capped by the eligibility's end; false counts it from the requested start.",
      })
      .optional(),
  })
  .strict();

const targetBody = z
  .object({
    '@odata.type': annotation('microsoft.graph.unifiedRoleManagementPolicyRuleTarget'),
    caller: ci(['None', 'Admin', 'EndUser']).optional(),
    operations: z
      .array(ci(['all', 'activate', 'deactivate', 'assign', 'update', 'remove', 'extend', 'renew']))
      .max(8)
      .optional(),
    level: ci(['Eligibility', 'Assignment']).optional(),
    inheritableSettings: z.array(str(64)).max(10).optional(),
    enforcedSettings: z.array(str(64)).max(10).optional(),
    targetObjects: z.array(z.never()).max(0).nullable().optional(),
  })
  .strict();

/** Each rule id's `@odata.type` (the set of rules is fixed; reference §2.4). */
const DEFAULT_RULE_TYPES: ReadonlyMap<string, string> = new Map(
  defaultPolicyRules().map((rule) => [rule.id, rule['@odata.type']]),
);

/**
 * What every rule body has: its `id`, documented as the ids of rules of this type (so the document
 * pairs ids and types as the use case does), and its `target`, which is fixed by the rule: clients
 * may echo it back unchanged, so it is accepted but documented read-only.
 */
const common = (type: string) => ({
  id: str(64)
    .meta(documentedEnum(RULE_IDS.filter((id) => DEFAULT_RULE_TYPES.get(id) === type)))
    .optional(),
  target: targetBody
    .optional()
    .meta({ readOnly: true, description: "The rule's fixed target; if sent, it must be the one read." }),
});

/**
 * One rule in a PATCH body (`…/rules/{ruleId}`, or an element of a policy's `rules`). The derived
 * `@odata.type` is required, as Graph requires it, and chooses the shape; properties of other rule
 * types are unknown properties (400). Whether the type fits the rule id is the use case's check;
 * in a policy's `rules` the `id` is required too (`idRequired`, documented; the use case refuses).
 */
const rulePatchOf = (idRequired: boolean) => {
  const required = { required: idRequired ? ['@odata.type', 'id'] : ['@odata.type'] };
  return z.preprocess(
    canonicalType(Object.values(T)),
    z.discriminatedUnion('@odata.type', [
      z
        .object({
          '@odata.type': z.literal(T.expiration),
          ...common(T.expiration),
          isExpirationRequired: z.boolean().optional(),
          maximumDuration: str(64).meta({ pattern: DURATION_PATTERN }).optional(),
        })
        .strict()
        .meta(required),
      z
        .object({
          '@odata.type': z.literal(T.enablement),
          ...common(T.enablement),
          enabledRules: z
            .array(ci(['MultiFactorAuthentication', 'Justification', 'Ticketing']))
            .max(10)
            .meta({ uniqueItems: true })
            .optional(),
          /** Elevate's extension: minutes within which the activation's MFA must have been done. */
          elevateMfaMaxAgeMinutes: z.number().int().min(1).max(1440).nullable().optional(),
          '@elevate.ticketValidationHookId': guid.nullable().optional().meta({
            description:
              'Elevate: a decision hook (/elevate/decisionHooks) that must confirm each ticket while Ticketing is required (activation only); null removes it.',
          }),
        })
        .strict()
        .meta(required),
      z
        .object({
          '@odata.type': z.literal(T.approval),
          ...common(T.approval),
          setting: settingBody.optional(),
        })
        .strict()
        .meta(required),
      z
        .object({
          '@odata.type': z.literal(T.authenticationContext),
          ...common(T.authenticationContext),
          isEnabled: z.boolean().optional(),
          claimValue: str(16).meta({ pattern: '^[cC](?:[1-9]|[1-9][0-9])$' }).nullable().optional(),
        })
        .strict()
        .meta(required),
      z
        .object({
          '@odata.type': z.literal(T.notification),
          ...common(T.notification),
          notificationType: ci(['Email']).optional(),
          // Fixed by the rule (its id says whom it notifies): echoed back unchanged or left out.
          recipientType: ci(['Requestor', 'Approver', 'Admin']).optional().meta({ readOnly: true }),
          notificationLevel: ci(['None', 'Critical', 'All']).optional(),
          isDefaultRecipientsEnabled: z.boolean().optional(),
          notificationRecipients: z
            .array(str(254).meta({ pattern: EMAIL_ADDRESS.source }))
            .max(MAX_NOTIFICATION_RECIPIENTS)
            .meta({ uniqueItems: true })
            .optional(),
        })
        .strict()
        .meta(required),
    ]),
  );
};

/** A rule PATCH body of `…/rules/{ruleId}`. */
export const rulePatchBody = rulePatchOf(false);

/**
 * What a rule PATCH must also meet that a JSON schema cannot state (relations between fields, or
 * with the rule named): refused with 400 `invalidRequest` naming the property. The OpenAPI
 * document carries it as the operations' description.
 */
export const RULE_RELATIONS =
  'Also refused (400 `invalidRequest`): a rule id given twice in one PATCH; a `maximumDuration` ' +
  "outside the rule's bounds (activation `Expiration_EndUser_Assignment` PT5M to P1D, assignments " +
  'PT1H to P3653D), or missing while `isExpirationRequired` is true (always true for activation); ' +
  '`enabledRules` a rule does not take (Ticketing is for activation only); `isEnabled` without a ' +
  '`claimValue`; an `approvalMode` with the wrong number of `approvalStages` (SingleStage and ' +
  'Parallel 1, Serial 2, NoApproval 0 or 1) or NoApproval with `isApprovalRequired` or ' +
  '`isApprovalRequiredForExtension`; an `escalationTimeInMinutes` not below the stage timeout, or ' +
  '0 with escalation enabled, which also needs `escalationApprovers`; an `@elevate.approvalsRequired` ' +
  'above the number of named users when a stage names only users; an ' +
  '`@elevate.reminderBeforeTimeOutInMinutes` not below the stage timeout; `elevateMfaMaxAgeMinutes` on ' +
  'another rule than activation; a `claimValue` that names no authentication context of the tenant; ' +
  'an `@elevate.ticketValidationHookId` on another rule than activation, or an ' +
  '`@elevate.ticketValidationHookId` / `@elevate.decisionHookId` that names no decision hook of the tenant.';

/** `PATCH /policies/roleManagementPolicies/{id}`: only `rules` may change. */
export const policyPatchBody = z
  .object({
    '@odata.type': annotation('microsoft.graph.unifiedRoleManagementPolicy'),
    rules: z.array(rulePatchOf(true)).min(1).max(17),
  })
  .strict();

/** `{ [key]: value }`, or nothing when the value was not sent (the domain's optional extensions). */
const optional = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

/** The parsed `setting` as the domain stores it: escalation defaults filled, null descriptions dropped. */
export function toApprovalSettings(setting: z.output<typeof settingBody>): ApprovalSettings {
  const approver = (a: z.output<typeof approverBody>): ApproverSubject => {
    const description =
      a.description === null || a.description === undefined ? {} : { description: a.description };
    return a['@odata.type'] === SINGLE_USER
      ? { '@odata.type': SINGLE_USER, userId: a.userId, ...description }
      : { '@odata.type': GROUP_MEMBERS, groupId: a.groupId, ...description };
  };
  return {
    isApprovalRequired: setting.isApprovalRequired,
    isApprovalRequiredForExtension: setting.isApprovalRequiredForExtension,
    isRequestorJustificationRequired: setting.isRequestorJustificationRequired,
    approvalMode: setting.approvalMode,
    approvalStages: setting.approvalStages.map((stage) => ({
      approvalStageTimeOutInDays: stage.approvalStageTimeOutInDays,
      isApproverJustificationRequired: stage.isApproverJustificationRequired,
      escalationTimeInMinutes: stage.escalationTimeInMinutes ?? 0,
      isEscalationEnabled: stage.isEscalationEnabled ?? false,
      primaryApprovers: stage.primaryApprovers.map(approver),
      escalationApprovers: (stage.escalationApprovers ?? []).map(approver),
      ...optional('approvalsRequired', stage['@elevate.approvalsRequired']),
      ...optional('approvalStageTimeOutInHours', stage['@elevate.approvalStageTimeOutInHours']),
      ...optional('reminderBeforeTimeOutInMinutes', stage['@elevate.reminderBeforeTimeOutInMinutes']),
      ...optional('decisionHookId', stage['@elevate.decisionHookId']),
    })),
    ...optional('activationStartsAtApproval', setting['@elevate.activationStartsAtApproval']),
  };
}

/**
 * A parsed rule body as the use case takes it: the target without its annotations, the approval
 * setting with defaults filled in.
 */
export function toRulePatch(body: z.output<typeof rulePatchBody>): RulePatch {
  const { target, ...rest } = body;
  const targetPatch: TargetPatch | undefined = target && {
    ...(target.caller === undefined ? {} : { caller: target.caller }),
    ...(target.operations === undefined ? {} : { operations: target.operations }),
    ...(target.level === undefined ? {} : { level: target.level }),
    ...(target.inheritableSettings === undefined ? {} : { inheritableSettings: target.inheritableSettings }),
    ...(target.enforcedSettings === undefined ? {} : { enforcedSettings: target.enforcedSettings }),
  };
  const withTarget = targetPatch === undefined ? {} : { target: targetPatch };
  if (rest['@odata.type'] === T.approval) {
    const { setting, ...approval } = rest;
    return {
      ...approval,
      ...withTarget,
      ...(setting === undefined ? {} : { setting: toApprovalSettings(setting) }),
    };
  }
  if (rest['@odata.type'] === T.enablement) {
    const { '@elevate.ticketValidationHookId': hookId, ...enablement } = rest;
    return {
      ...enablement,
      ...withTarget,
      ...(hookId === undefined ? {} : { ticketValidationHookId: hookId }),
    };
  }
  return { ...rest, ...withTarget };
}
