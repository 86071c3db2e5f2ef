/**
 * The notification event catalogue (docs/events.md, a JSON Schema per type in docs/events/): what
 * Elevate tells people and systems about, named once. Webhooks carry these names in `type`; email
 * templates and the who-hears-what table are keyed by them, so a type missing from either does not
 * compile. Names never change once shipped: a breaking change gets a new name.
 */
export const NOTIFICATION_EVENT_TYPES = [
  'eligibility.granted',
  'eligibility.updated',
  'eligibility.removed',
  'eligibility.expired',
  'assignment.granted',
  'assignment.updated',
  'assignment.removed',
  'assignment.expired',
  'activation.requested',
  'activation.reminder',
  'activation.escalated',
  'activation.approved',
  'activation.denied',
  'activation.timedOut',
  'activation.canceled',
  'activation.failed',
  'activation.activated',
  'activation.ended',
  'activation.endingSoon',
  'eligibility.expiringSoon',
  'assignment.expiringSoon',
] as const;

export type NotificationEventType = (typeof NOTIFICATION_EVENT_TYPES)[number];

/** The catalogue's version, sent as `version` in every webhook body. Additive changes keep it. */
export const EVENT_CATALOGUE_VERSION = 1;

const TYPES: ReadonlySet<string> = new Set(NOTIFICATION_EVENT_TYPES);

export const isNotificationEventType = (value: string): value is NotificationEventType => TYPES.has(value);

/** The channels a notification can leave by; a new channel adds its kind here. */
export const CHANNEL_KINDS = ['email', 'webhook', 'slack', 'teams'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** The chat platforms Elevate posts to through incoming webhooks. */
export const CHAT_KINDS = ['slack', 'teams'] as const;
export type ChatKind = (typeof CHAT_KINDS)[number];

/** Who a message is written for; webhooks have no audience (they get every event they subscribe to). */
export const AUDIENCES = ['requestor', 'approver', 'admin'] as const;
export type Audience = (typeof AUDIENCES)[number];

/** Why an activation ended, or a schedule was removed, when the event type alone does not say. */
export type EndReason = 'deactivated' | 'expired' | 'revoked' | 'canceled' | 'removed';
