import type { AuditActivity } from '../audit/activities.js';
import type { TargetResource } from '../audit/entry.js';
import { addedProperties, updatedProperties, type PropertyValue } from '../audit/targets.js';
import type { DomainEvent } from '../events/domain-event.js';
import type { EmailSettings } from './channel-config.js';
import type { NotificationEventType } from './event-types.js';

const activity = (code: string, activityDisplayName: string, operationType: AuditActivity['operationType']) =>
  ({
    code,
    activityDisplayName,
    category: 'RoleManagement',
    operationType,
    loggedByService: 'Privileged Identity Management',
  }) as const satisfies AuditActivity;

/** Elevate's own activities (Entra configures notifications per role only); codes never change. */
export const NOTIFICATION_ACTIVITIES = {
  emailChannelUpdate: activity(
    'notifications.emailChannel.update',
    'Update notification email channel',
    'Update',
  ),
  emailChannelDelete: activity(
    'notifications.emailChannel.delete',
    'Remove notification email channel',
    'Delete',
  ),
  webhookCreate: activity('notifications.webhook.create', 'Add notification webhook', 'Add'),
  webhookUpdate: activity('notifications.webhook.update', 'Update notification webhook', 'Update'),
  webhookDelete: activity('notifications.webhook.delete', 'Remove notification webhook', 'Delete'),
  webhookRotateSecret: activity(
    'notifications.webhook.rotateSecret',
    'Rotate notification webhook secret',
    'Update',
  ),
  deliveryRetry: activity('notifications.delivery.retry', 'Retry notification delivery', 'Update'),
  chatChannelCreate: activity('notifications.chatChannel.create', 'Add notification chat channel', 'Add'),
  chatChannelUpdate: activity(
    'notifications.chatChannel.update',
    'Update notification chat channel',
    'Update',
  ),
  chatChannelDelete: activity(
    'notifications.chatChannel.delete',
    'Remove notification chat channel',
    'Delete',
  ),
} as const;

/** The email channel as its audit entries list it: never the password, only whether one is set. */
export interface EmailChannelState extends EmailSettings {
  isEnabled: boolean;
  hasPassword: boolean;
}

const emailProperties = (s: EmailChannelState | null): PropertyValue[] =>
  s === null
    ? []
    : [
        ['IsEnabled', s.isEnabled],
        ['Host', s.host],
        ['Port', s.port],
        ['Security', s.security],
        ['Username', s.username],
        ['HasPassword', s.hasPassword],
        ['FromAddress', s.fromAddress],
        ['FromDisplayName', s.fromDisplayName],
      ];

const emailTarget = (tenantId: string, modified: TargetResource['modifiedProperties']): TargetResource => ({
  id: tenantId,
  displayName: 'notification email channel',
  type: 'Other',
  userPrincipalName: null,
  modifiedProperties: modified,
});

/**
 * The email channel was configured or changed. A new password shows as changed (`Password` in
 * the summary), never its value. Audit only: channel changes are not published.
 */
export function emailChannelChanged(
  tenantId: string,
  before: EmailChannelState | null,
  after: EmailChannelState,
  passwordChanged: boolean,
): DomainEvent {
  const modified =
    before === null
      ? addedProperties(emailProperties(after))
      : updatedProperties(
          emailProperties(before),
          emailProperties(after),
          passwordChanged ? ['Password'] : [],
        );
  return {
    type: 'notifications.emailChannelChanged',
    audit: [
      { activity: NOTIFICATION_ACTIVITIES.emailChannelUpdate, targets: [emailTarget(tenantId, modified)] },
    ],
  };
}

export const emailChannelRemoved = (tenantId: string): DomainEvent => ({
  type: 'notifications.emailChannelRemoved',
  audit: [{ activity: NOTIFICATION_ACTIVITIES.emailChannelDelete, targets: [emailTarget(tenantId, [])] }],
});

/** A webhook endpoint as its audit entries list it (never its secrets). */
export interface WebhookState {
  id: string;
  url: string;
  description: string | null;
  eventTypes: readonly NotificationEventType[];
  isEnabled: boolean;
}

/** The URL without its query: a receiver may put a token there, and the audit log is kept for years. */
const auditedUrl = (url: string): string => {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}${u.search === '' ? '' : '?…'}`;
  } catch {
    return '';
  }
};

const webhookProperties = (w: WebhookState): PropertyValue[] => [
  ['Url', auditedUrl(w.url)],
  ['Description', w.description],
  ['EventTypes', [...w.eventTypes]],
  ['IsEnabled', w.isEnabled],
];

const webhookTarget = (
  w: Pick<WebhookState, 'id' | 'url'>,
  modified: TargetResource['modifiedProperties'],
) => ({
  id: w.id,
  displayName: auditedUrl(w.url),
  type: 'Other' as const,
  userPrincipalName: null,
  modifiedProperties: modified,
});

export const webhookCreated = (w: WebhookState): DomainEvent => ({
  type: 'notifications.webhookCreated',
  audit: [
    {
      activity: NOTIFICATION_ACTIVITIES.webhookCreate,
      targets: [webhookTarget(w, addedProperties(webhookProperties(w)))],
    },
  ],
});

export const webhookUpdated = (before: WebhookState, after: WebhookState): DomainEvent => ({
  type: 'notifications.webhookUpdated',
  audit: [
    {
      activity: NOTIFICATION_ACTIVITIES.webhookUpdate,
      targets: [webhookTarget(after, updatedProperties(webhookProperties(before), webhookProperties(after)))],
    },
  ],
});

export const webhookDeleted = (w: WebhookState): DomainEvent => ({
  type: 'notifications.webhookDeleted',
  audit: [{ activity: NOTIFICATION_ACTIVITIES.webhookDelete, targets: [webhookTarget(w, [])] }],
});

/** A new signing secret; the previous one stays valid until `previousValidUntil` (ISO), or not at all. */
export const webhookSecretRotated = (w: WebhookState, previousValidUntil: string | null): DomainEvent => ({
  type: 'notifications.webhookSecretRotated',
  audit: [
    {
      activity: NOTIFICATION_ACTIVITIES.webhookRotateSecret,
      targets: [webhookTarget(w, [])],
      additionalDetails: [{ key: 'PreviousSecretValidUntil', value: previousValidUntil ?? 'revoked now' }],
    },
  ],
});

/** An operator put a dead delivery back in the queue. */
export const deliveryRetried = (d: {
  id: string;
  eventType: string;
  channel: string;
  recipient: string;
  attempts: number;
  lastError: string | null;
}): DomainEvent => ({
  type: 'notifications.deliveryRetried',
  audit: [
    {
      activity: NOTIFICATION_ACTIVITIES.deliveryRetry,
      targets: [
        {
          id: d.id,
          displayName: `${d.channel} delivery of ${d.eventType}`,
          type: 'Other',
          userPrincipalName: null,
          modifiedProperties: [],
        },
      ],
      additionalDetails: [
        { key: 'Channel', value: d.channel },
        { key: 'Recipient', value: d.recipient },
        { key: 'PreviousAttempts', value: String(d.attempts) },
        { key: 'LastError', value: (d.lastError ?? '').slice(0, 500) },
      ],
    },
  ],
});

/** A Slack or Teams channel as its audit entries list it: the URL's host only (the URL is its credential). */
export interface ChatChannelState {
  id: string;
  kind: string;
  displayName: string;
  urlHost: string;
  eventTypes: readonly NotificationEventType[];
  isEnabled: boolean;
}

const chatProperties = (c: ChatChannelState): PropertyValue[] => [
  ['Kind', c.kind],
  ['DisplayName', c.displayName],
  ['UrlHost', c.urlHost],
  ['EventTypes', [...c.eventTypes]],
  ['IsEnabled', c.isEnabled],
];

const chatTarget = (c: ChatChannelState, modified: TargetResource['modifiedProperties']): TargetResource => ({
  id: c.id,
  displayName: `${c.kind} channel ${c.displayName}`.slice(0, 200),
  type: 'Other',
  userPrincipalName: null,
  modifiedProperties: modified,
});

export const chatChannelCreated = (c: ChatChannelState): DomainEvent => ({
  type: 'notifications.chatChannelCreated',
  audit: [
    {
      activity: NOTIFICATION_ACTIVITIES.chatChannelCreate,
      targets: [chatTarget(c, addedProperties(chatProperties(c)))],
    },
  ],
});

/** A changed URL shows as `Url` changed (and its host, if that changed), never the URL itself. */
export const chatChannelUpdated = (
  before: ChatChannelState,
  after: ChatChannelState,
  urlChanged: boolean,
): DomainEvent => ({
  type: 'notifications.chatChannelUpdated',
  audit: [
    {
      activity: NOTIFICATION_ACTIVITIES.chatChannelUpdate,
      targets: [
        chatTarget(
          after,
          updatedProperties(chatProperties(before), chatProperties(after), urlChanged ? ['Url'] : []),
        ),
      ],
    },
  ],
});

export const chatChannelDeleted = (c: ChatChannelState): DomainEvent => ({
  type: 'notifications.chatChannelDeleted',
  audit: [{ activity: NOTIFICATION_ACTIVITIES.chatChannelDelete, targets: [chatTarget(c, [])] }],
});
