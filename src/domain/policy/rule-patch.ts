import type { RuleId } from './default-rules.js';
import type {
  ApprovalSettings,
  EnabledRule,
  NotificationLevel,
  NotificationRecipientType,
  PolicyRule,
  RuleCaller,
  RuleLevel,
  RuleOperation,
  RuleTarget,
} from './types.js';
import { ValidationError } from '../shared/errors.js';
import { formatDuration, parseDuration } from '../time/duration.js';
import { checkApprovalSettings } from './approval-settings.js';

/**
 * A rule's `target` as a client may send it back. It is fixed by the rule id (caller, level) and by
 * Elevate (operations `all`, no inheritable or enforced settings), so every property given must
 * equal the stored one; it exists in PATCH bodies because Graph clients echo what they read.
 */
export interface TargetPatch {
  caller?: RuleCaller;
  operations?: RuleOperation[];
  level?: RuleLevel;
  inheritableSettings?: string[];
  enforcedSettings?: string[];
}

interface PatchBase {
  /** If given, must equal the rule id of the path (or, in a policy PATCH, names the rule). */
  id?: string;
  target?: TargetPatch;
}

/**
 * A rule PATCH body after the edge checked its shape and spelled enums canonically. Properties
 * left out keep their stored values (PATCH semantics); `setting` of an approval rule is replaced
 * as a whole, since a half-specified approval chain is a security hazard.
 */
export type RulePatch =
  | (PatchBase & {
      '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule';
      isExpirationRequired?: boolean;
      maximumDuration?: string;
    })
  | (PatchBase & {
      '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule';
      enabledRules?: EnabledRule[];
      /** null: back to the server-wide default. */
      elevateMfaMaxAgeMinutes?: number | null;
      /** `@elevate.ticketValidationHookId`; null removes it. */
      ticketValidationHookId?: string | null;
    })
  | (PatchBase & {
      '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule';
      setting?: ApprovalSettings;
    })
  | (PatchBase & {
      '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule';
      isEnabled?: boolean;
      claimValue?: string | null;
    })
  | (PatchBase & {
      '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyNotificationRule';
      notificationType?: 'Email';
      recipientType?: NotificationRecipientType;
      notificationLevel?: NotificationLevel;
      isDefaultRecipientsEnabled?: boolean;
      notificationRecipients?: string[];
    });

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * Bounds on `maximumDuration` per expiration rule. Graph documents none, so Elevate chooses:
 * - activation (`Expiration_EndUser_Assignment`): 5 minutes to 1 day. Entra's portal offers up to
 *   24 h; below 5 minutes an activation could not even be deactivated (`ActiveDurationTooShort`).
 * - admin eligible/active assignments: 1 hour to 3,653 days, the longest duration Elevate parses
 *   (Entra's portal offers 15 days to 1 year; longer caps stay possible for other organisations).
 */
export const DURATION_BOUNDS_MS: Readonly<Record<string, { min: number; max: number }>> = {
  Expiration_EndUser_Assignment: { min: 5 * MINUTE_MS, max: DAY_MS },
  Expiration_Admin_Eligibility: { min: HOUR_MS, max: 3_653 * DAY_MS },
  Expiration_Admin_Assignment: { min: HOUR_MS, max: 3_653 * DAY_MS },
};

/**
 * Which enablement requirements each rule may carry. Ticketing is an activation setting only (the
 * portal offers it nowhere else); admins assigning may be asked for MFA and a justification.
 */
export const ALLOWED_ENABLED_RULES: Readonly<Record<string, readonly EnabledRule[]>> = {
  Enablement_EndUser_Assignment: ['MultiFactorAuthentication', 'Justification', 'Ticketing'],
  Enablement_Admin_Assignment: ['MultiFactorAuthentication', 'Justification'],
  Enablement_Admin_Eligibility: ['MultiFactorAuthentication', 'Justification'],
};

/** Conditional Access authentication context ids are `c1` … `c99`. */
const CLAIM_VALUE = /^c([1-9]|[1-9][0-9])$/;

const invalid = (message: string, target: string) => new ValidationError(message, target);

/**
 * Applies a PATCH to one stored rule and returns the new rule, or throws before anything is
 * written, so a bad body changes nothing. Pure: approvers' existence is checked by the caller.
 *
 * @throws ValidationError (`invalidRequest`, with `target` naming the property) when the
 *   `@odata.type` does not match the rule id, the body's `id` differs from the rule's, the target
 *   differs from the fixed one, or a value is out of bounds.
 */
export function applyRulePatch(current: PolicyRule, patch: RulePatch): PolicyRule {
  if (patch['@odata.type'] !== current['@odata.type']) {
    throw invalid(
      `Rule '${current.id}' is of type '${current['@odata.type']}'; the body must carry that '@odata.type'.`,
      '@odata.type',
    );
  }
  if (patch.id !== undefined && patch.id !== current.id) {
    throw invalid(
      `The body's id '${patch.id.slice(0, 64)}' does not match the rule id '${current.id}'.`,
      'id',
    );
  }
  if (patch.target !== undefined) checkTarget(current.target, patch.target);

  // The two switches pair each stored rule with a patch of the same type (checked above).
  if (current['@odata.type'] === '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule') {
    const p = patch as Extract<RulePatch, { '@odata.type': (typeof current)['@odata.type'] }>;
    const isExpirationRequired = p.isExpirationRequired ?? current.isExpirationRequired;
    if (p.isExpirationRequired === true && p.maximumDuration === undefined) {
      throw invalid('maximumDuration is required when isExpirationRequired is true.', 'maximumDuration');
    }
    if (current.id === 'Expiration_EndUser_Assignment' && !isExpirationRequired) {
      throw invalid(
        'Activations are always time-bound: isExpirationRequired must be true for Expiration_EndUser_Assignment.',
        'isExpirationRequired',
      );
    }
    const maximumDuration =
      p.maximumDuration === undefined
        ? current.maximumDuration
        : checkDuration(current.id, p.maximumDuration);
    return { ...current, isExpirationRequired, maximumDuration };
  }
  if (current['@odata.type'] === '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule') {
    const p = patch as Extract<RulePatch, { '@odata.type': (typeof current)['@odata.type'] }>;
    const next = {
      ...current,
      ...(p.enabledRules === undefined
        ? {}
        : { enabledRules: checkEnabledRules(current.id, p.enabledRules) }),
    };
    const hooked = withTicketHook(current.id, next, p.ticketValidationHookId);
    if (p.elevateMfaMaxAgeMinutes === undefined) return hooked;
    if (current.id !== 'Enablement_EndUser_Assignment') {
      throw invalid(
        `elevateMfaMaxAgeMinutes applies to activation only (Enablement_EndUser_Assignment), not to '${current.id}'.`,
        'elevateMfaMaxAgeMinutes',
      );
    }
    const { elevateMfaMaxAgeMinutes: _old, ...rest } = hooked;
    return p.elevateMfaMaxAgeMinutes === null
      ? rest
      : { ...rest, elevateMfaMaxAgeMinutes: p.elevateMfaMaxAgeMinutes };
  }
  if (current['@odata.type'] === '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule') {
    const p = patch as Extract<RulePatch, { '@odata.type': (typeof current)['@odata.type'] }>;
    if (p.setting === undefined) return { ...current };
    checkApprovalSettings(p.setting);
    return { ...current, setting: p.setting };
  }
  if (current['@odata.type'] === '#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule') {
    const p = patch as Extract<RulePatch, { '@odata.type': (typeof current)['@odata.type'] }>;
    const isEnabled = p.isEnabled ?? current.isEnabled;
    const given = p.claimValue === undefined ? current.claimValue : p.claimValue;
    const claimValue = given === null || given === '' ? null : given.toLowerCase();
    if (claimValue !== null && !CLAIM_VALUE.test(claimValue)) {
      throw invalid(
        `claimValue must be an authentication context id from c1 to c99 (got '${claimValue.slice(0, 16)}').`,
        'claimValue',
      );
    }
    if (isEnabled && claimValue === null) {
      throw invalid('claimValue is required when isEnabled is true.', 'claimValue');
    }
    return { ...current, isEnabled, claimValue };
  }
  const p = patch as Extract<RulePatch, { '@odata.type': (typeof current)['@odata.type'] }>;
  if (p.recipientType !== undefined && p.recipientType !== current.recipientType) {
    throw invalid(
      `Rule '${current.id}' notifies the ${current.recipientType}; recipientType cannot be changed.`,
      'recipientType',
    );
  }
  return {
    ...current,
    notificationLevel: p.notificationLevel ?? current.notificationLevel,
    isDefaultRecipientsEnabled: p.isDefaultRecipientsEnabled ?? current.isDefaultRecipientsEnabled,
    notificationRecipients:
      p.notificationRecipients === undefined
        ? current.notificationRecipients
        : checkRecipients(p.notificationRecipients),
  };
}

/** Sets or removes `@elevate.ticketValidationHookId` (activation only). @throws ValidationError */
function withTicketHook<R extends { ticketValidationHookId?: string }>(
  ruleId: string,
  rule: R,
  hookId: string | null | undefined,
): R {
  if (hookId === undefined) return rule;
  if (ruleId !== 'Enablement_EndUser_Assignment') {
    throw invalid(
      `@elevate.ticketValidationHookId applies to activation only (Enablement_EndUser_Assignment), not to '${ruleId}'.`,
      '@elevate.ticketValidationHookId',
    );
  }
  const { ticketValidationHookId: _old, ...rest } = rule;
  return (hookId === null ? rest : { ...rest, ticketValidationHookId: hookId.toLowerCase() }) as R;
}

function checkTarget(current: RuleTarget, patch: TargetPatch): void {
  const same = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && a.every((value, i) => value.toLowerCase() === b[i]?.toLowerCase());
  const mismatch =
    (patch.caller !== undefined && patch.caller !== current.caller) ||
    (patch.level !== undefined && patch.level !== current.level) ||
    (patch.operations !== undefined &&
      !same([...new Set(patch.operations)].sort(), [...current.operations].sort())) ||
    (patch.inheritableSettings !== undefined &&
      !same(patch.inheritableSettings, current.inheritableSettings)) ||
    (patch.enforcedSettings !== undefined && !same(patch.enforcedSettings, current.enforcedSettings));
  if (mismatch) {
    throw invalid(
      `The target of a rule is fixed by its id (caller ${current.caller}, level ${current.level}, operations ` +
        `${JSON.stringify(current.operations)}); leave it out or send it unchanged.`,
      'target',
    );
  }
}

function checkDuration(ruleId: string, text: string): string {
  const ms = parseDuration(text, 'maximumDuration');
  const bounds = DURATION_BOUNDS_MS[ruleId];
  if (bounds && (ms < bounds.min || ms > bounds.max)) {
    throw invalid(
      `maximumDuration of ${ruleId} must be from ${formatDuration(bounds.min)} to ${formatDuration(bounds.max)} (got ${formatDuration(ms)}).`,
      'maximumDuration',
    );
  }
  return formatDuration(ms);
}

function checkEnabledRules(ruleId: string, rules: EnabledRule[]): EnabledRule[] {
  const allowed = ALLOWED_ENABLED_RULES[ruleId] ?? [];
  const bad = rules.find((rule) => !allowed.includes(rule));
  if (bad !== undefined) {
    throw invalid(
      `${bad} cannot be required by ${ruleId}; allowed: ${allowed.join(', ') || 'none'}.`,
      'enabledRules',
    );
  }
  if (new Set(rules).size !== rules.length)
    throw invalid('enabledRules lists a value twice.', 'enabledRules');
  return [...rules];
}

/** What {@link isEmailAddress} accepts (with its 254-character bound), also stated in documents. */
export const EMAIL_ADDRESS =
  /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** A plain `local@domain.tld` address of at most 254 characters, without spaces or display names. */
export function isEmailAddress(text: string): boolean {
  return text.length <= 254 && EMAIL_ADDRESS.test(text);
}

/** Longest list of extra notification recipients per rule. */
export const MAX_NOTIFICATION_RECIPIENTS = 50;

function checkRecipients(recipients: string[]): string[] {
  if (recipients.length > MAX_NOTIFICATION_RECIPIENTS) {
    throw invalid(
      `notificationRecipients may list at most ${MAX_NOTIFICATION_RECIPIENTS} addresses.`,
      'notificationRecipients',
    );
  }
  const bad = recipients.find((address) => !isEmailAddress(address));
  if (bad !== undefined) {
    throw invalid(`'${bad.slice(0, 64)}' is not an email address.`, 'notificationRecipients');
  }
  const lower = recipients.map((address) => address.toLowerCase());
  if (new Set(lower).size !== lower.length) {
    throw invalid('notificationRecipients lists an address twice.', 'notificationRecipients');
  }
  return [...recipients];
}

/** The 17 rule ids matched case-insensitively, as Graph matches keys in URLs. */
export function canonicalRuleId(ids: readonly RuleId[], text: string): RuleId | undefined {
  const lower = text.toLowerCase();
  return ids.find((id) => id.toLowerCase() === lower);
}
