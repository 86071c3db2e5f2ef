import type { RuleId } from '../policy/default-rules.js';
import type { NotificationRule, PolicyRule } from '../policy/types.js';
import { ruleFor } from '../pim/policy-checks.js';
import type { Audience, NotificationEventType } from './event-types.js';

/** Which trio of `Notification_*` rules governs an event: assigning eligibility, assigning active, activating. */
export type RuleGroup = 'eligibility' | 'assignment' | 'activation';

/** One of the nine `Notification_*` rule ids. */
export type NotificationRuleId = Extract<RuleId, `Notification_${string}`>;

/** The nine rules (reference §2.3), by group and audience. */
export const NOTIFICATION_RULE_IDS: {
  readonly [G in RuleGroup]: { readonly [A in Audience]: NotificationRuleId };
} = {
  eligibility: {
    admin: 'Notification_Admin_Admin_Eligibility',
    requestor: 'Notification_Requestor_Admin_Eligibility',
    approver: 'Notification_Approver_Admin_Eligibility',
  },
  assignment: {
    admin: 'Notification_Admin_Admin_Assignment',
    requestor: 'Notification_Requestor_Admin_Assignment',
    approver: 'Notification_Approver_Admin_Assignment',
  },
  activation: {
    admin: 'Notification_Admin_EndUser_Assignment',
    requestor: 'Notification_Requestor_EndUser_Assignment',
    approver: 'Notification_Approver_EndUser_Assignment',
  },
};

/** Who hears about one event type by email, and which of those messages are critical. */
export interface Hearing {
  group: RuleGroup;
  audiences: readonly Audience[];
  /**
   * Audiences for whom the message asks for action; only these are sent when the rule's
   * `notificationLevel` is `Critical`.
   */
  critical: readonly Audience[];
}

const hear = (group: RuleGroup, audiences: Audience[], critical: Audience[] = []): Hearing => ({
  group,
  audiences,
  critical,
});

/**
 * Who hears what, in one place (docs/notifications.md shows it). The default recipients of each
 * audience: **requestor** = the principal (a group's user members; a service principal has no
 * mailbox); **approver** = the approvers of the request's stage (named users, members of named
 * groups, or when the stage names nobody the holders of Privileged Role Administrator and Global
 * Administrator), never the requestor; **admin** = the holders of Privileged Role Administrator and
 * Global Administrator. The approver rules of the two administrator groups govern approval of
 * extensions and renewals, which Elevate does not ask for yet: no event here uses them.
 */
export const WHO_HEARS: { readonly [T in NotificationEventType]: Hearing } = {
  'eligibility.granted': hear('eligibility', ['admin', 'requestor']),
  'eligibility.updated': hear('eligibility', ['admin', 'requestor']),
  'eligibility.removed': hear('eligibility', ['admin', 'requestor']),
  'eligibility.expired': hear('eligibility', ['admin', 'requestor']),
  'assignment.granted': hear('assignment', ['admin', 'requestor']),
  'assignment.updated': hear('assignment', ['admin', 'requestor']),
  'assignment.removed': hear('assignment', ['admin', 'requestor']),
  'assignment.expired': hear('assignment', ['admin', 'requestor']),
  'activation.requested': hear('activation', ['approver'], ['approver']),
  // The approvers who have not decided yet, shortly before the stage times out.
  'activation.reminder': hear('activation', ['approver'], ['approver']),
  // The stage's escalation approvers, who may decide from now on.
  'activation.escalated': hear('activation', ['approver'], ['approver']),
  'activation.approved': hear('activation', ['requestor', 'approver']),
  'activation.denied': hear('activation', ['requestor', 'approver']),
  'activation.timedOut': hear('activation', ['requestor', 'approver']),
  'activation.canceled': hear('activation', ['approver']),
  'activation.failed': hear('activation', ['requestor', 'approver']),
  'activation.activated': hear('activation', ['admin', 'requestor']),
  'activation.ended': hear('activation', ['requestor']),
  // The holder, while there is still time to extend, renew or finish the work.
  'activation.endingSoon': hear('activation', ['requestor'], ['requestor']),
  'eligibility.expiringSoon': hear('eligibility', ['requestor'], ['requestor']),
  'assignment.expiringSoon': hear('assignment', ['requestor'], ['requestor']),
};

/** One person who may hear: their address, or null when they have none (then they are skipped). */
export interface Person {
  id: string;
  email: string | null;
}

/** One email recipient of an event, and the audience its message is written for. */
export interface PlannedRecipient {
  address: string;
  audience: Audience;
}

/** Most email recipients one event gets (defaults and extra addresses together). */
export const MAX_RECIPIENTS_PER_EVENT = 500;

/** Plain addresses only: no display names, no header folding, bounded. */
const ADDRESS = /^[^@\s<>,;"]{1,64}@[^@\s<>,;"]{1,189}$/;
export const isEmailAddress = (v: string): boolean => ADDRESS.test(v);

/** The rule that decides for one audience, and whether it lets this event through. */
function ruleOf(
  rules: readonly PolicyRule[],
  eventType: NotificationEventType,
  audience: Audience,
): NotificationRule | undefined {
  const h = WHO_HEARS[eventType];
  if (!h.audiences.includes(audience)) return undefined;
  const rule = ruleFor(rules, NOTIFICATION_RULE_IDS[h.group][audience]);
  if (rule === undefined || rule.notificationLevel === 'None') return undefined;
  if (rule.notificationLevel === 'Critical' && !h.critical.includes(audience)) return undefined;
  return rule;
}

/** The audiences whose default recipients must be looked up for this event (the others are not read). */
export function audiencesWithDefaults(
  eventType: NotificationEventType,
  rules: readonly PolicyRule[],
): Audience[] {
  return WHO_HEARS[eventType].audiences.filter(
    (a) => ruleOf(rules, eventType, a)?.isDefaultRecipientsEnabled === true,
  );
}

/** Earlier wins when one address is in several audiences: the most personal message. */
const PRIORITY: readonly Audience[] = ['requestor', 'approver', 'admin'];

/**
 * The email recipients of an event under the role's notification rules: for each audience that
 * hears it, the rule's default recipients (when `isDefaultRecipientsEnabled`) and its extra
 * `notificationRecipients`, unless its `notificationLevel` is `None`, or `Critical` and the message
 * asks nothing of them. Each address gets one message, written for its most personal audience
 * (requestor, then approver, then administrator); addresses are compared case-insensitively;
 * malformed ones are skipped; at most {@link MAX_RECIPIENTS_PER_EVENT}.
 */
export function planRecipients(
  eventType: NotificationEventType,
  rules: readonly PolicyRule[],
  defaults: Partial<Record<Audience, readonly Person[]>>,
): PlannedRecipient[] {
  const chosen = new Map<string, PlannedRecipient>();
  for (const audience of PRIORITY) {
    const rule = ruleOf(rules, eventType, audience);
    if (rule === undefined) continue;
    const people = rule.isDefaultRecipientsEnabled ? (defaults[audience] ?? []) : [];
    const addresses = [
      ...people.flatMap((p) => (p.email === null ? [] : [p.email])),
      ...rule.notificationRecipients,
    ];
    for (const raw of addresses) {
      const address = raw.trim();
      if (!isEmailAddress(address)) continue;
      const key = address.toLowerCase();
      if (!chosen.has(key) && chosen.size < MAX_RECIPIENTS_PER_EVENT) chosen.set(key, { address, audience });
    }
  }
  return [...chosen.values()];
}
