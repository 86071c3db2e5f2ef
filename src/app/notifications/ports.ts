import type { SmtpSecurity } from '../../domain/notifications/channel-config.js';
import type { Delivery, DeliveryStatus } from '../../domain/notifications/delivery.js';
import type {
  Audience,
  ChannelKind,
  ChatKind,
  NotificationEventType,
} from '../../domain/notifications/event-types.js';
import type { NotificationData } from '../../domain/notifications/notification.js';
import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
import type { Page } from '../ports.js';

/** A tenant's email channel as stored: SMTP settings, the password sealed (never returned). */
export interface EmailChannel {
  tenantId: string;
  isEnabled: boolean;
  host: string;
  port: number;
  security: SmtpSecurity;
  username: string | null;
  /** SecretBox text bound to the tenant (`emailPasswordContext`); null without credentials. */
  sealedPassword: string | null;
  fromAddress: string;
  fromDisplayName: string | null;
  createdAt: number;
  modifiedAt: number;
  version: number;
}

/** A webhook endpoint as stored: its signing secrets sealed (never returned). */
export interface WebhookEndpoint {
  id: string;
  tenantId: string;
  url: string;
  description: string | null;
  /** Types it receives; empty = all. */
  eventTypes: NotificationEventType[];
  isEnabled: boolean;
  sealedSecret: string;
  /** The secret before the last rotation, still signing until `previousSecretExpiresAt`. */
  sealedPreviousSecret: string | null;
  previousSecretExpiresAt: number | null;
  /** Bumped by each rotation: binds each sealed secret to its generation. */
  secretVersion: number;
  createdAt: number;
  modifiedAt: number;
  version: number;
}

/** A Slack or Teams channel as stored: its incoming-webhook URL sealed (never returned). */
export interface ChatChannel {
  id: string;
  tenantId: string;
  kind: ChatKind;
  displayName: string;
  /** The incoming-webhook URL, sealed (`chatUrlContext`): whoever has it can post to the channel. */
  sealedUrl: string;
  /** The URL's host, shown instead of the URL. */
  urlHost: string;
  /** Types it receives; empty = all. */
  eventTypes: NotificationEventType[];
  isEnabled: boolean;
  createdAt: number;
  modifiedAt: number;
  version: number;
}

/** One use of an approval link: its id, kept so the link records at most one decision. */
export interface ApprovalLinkUse {
  id: string;
  tenantId: string;
  requestId: string;
  approverId: string;
  usedAt: number;
  expiresAt: number;
}

/** Used approval links, bound to the use case's transaction. */
export interface ApprovalLinkUseStore {
  /** Records a use. @returns false when the link was used before (nothing written) */
  use(u: ApprovalLinkUse): Promise<boolean>;
  wasUsed(id: string): Promise<boolean>;
}

/** The sealing contexts of the channels' secrets: a sealed value copied to another row does not open. */
export const emailPasswordContext = (tenantId: string) => `notification-smtp-password:${tenantId}`;
export const chatUrlContext = (id: string) => `notification-chat-url:${id}`;
export const webhookSecretContext = (id: string, generation: number) =>
  `notification-webhook-secret:${id}:${generation}`;

/** Encrypts channel secrets at rest (the data key's SecretBox). */
export interface Sealer {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

/** Channel configuration, bound to the use case's transaction. */
export interface NotificationChannelStore {
  email(tenantId: string): Promise<EmailChannel | undefined>;
  /** Inserts (`expectedVersion` null) or updates by compare-and-set. @throws ConflictError */
  saveEmail(c: EmailChannel, expectedVersion: number | null): Promise<void>;
  deleteEmail(tenantId: string): Promise<boolean>;
  webhooks(tenantId: string, q: CollectionQuery): Promise<Page<WebhookEndpoint>>;
  /** The enabled endpoints of a tenant (fan-out); at most a few hundred. */
  enabledWebhooks(tenantId: string): Promise<WebhookEndpoint[]>;
  webhook(tenantId: string, id: string): Promise<WebhookEndpoint | undefined>;
  insertWebhook(w: WebhookEndpoint): Promise<void>;
  /** Compare-and-set on `version`. @throws ConflictError */
  updateWebhook(w: WebhookEndpoint, expectedVersion: number): Promise<void>;
  deleteWebhook(tenantId: string, id: string): Promise<boolean>;
  chatChannels(tenantId: string, q: CollectionQuery): Promise<Page<ChatChannel>>;
  /** The enabled Slack or Teams channels of a tenant (fan-out). */
  enabledChatChannels(tenantId: string, kind: ChatKind): Promise<ChatChannel[]>;
  chatChannel(tenantId: string, id: string): Promise<ChatChannel | undefined>;
  insertChatChannel(c: ChatChannel): Promise<void>;
  /** Compare-and-set on `version`. @throws ConflictError */
  updateChatChannel(c: ChatChannel, expectedVersion: number): Promise<void>;
  deleteChatChannel(tenantId: string, id: string): Promise<boolean>;
  /** Whether the tenant has any enabled channel (email, webhook, Slack, Teams): else fan-out writes nothing. */
  anyEnabled(tenantId: string): Promise<boolean>;
}

/** A notification as stored once for all its deliveries. */
export interface StoredNotification {
  id: string;
  tenantId: string;
  messageId: string;
  type: NotificationEventType;
  occurredAt: number;
  data: NotificationData;
}

/** A delivery the fan-out writes. */
export type NewDelivery = Pick<
  Delivery,
  'id' | 'tenantId' | 'eventId' | 'eventType' | 'channel' | 'recipient' | 'audience' | 'createdAt'
>;

/** Notifications and their deliveries, bound to the use case's transaction. */
export interface NotificationDeliveryStore {
  /** Inserts the notifications that do not exist yet (by id); existing ones are left as they are. */
  insertNotifications(n: readonly StoredNotification[]): Promise<void>;
  /** Inserts the deliveries that do not exist yet (by id). @returns how many were new */
  insertDeliveries(d: readonly NewDelivery[]): Promise<number>;
  list(tenantId: string, q: CollectionQuery): Promise<Page<Delivery>>;
  get(tenantId: string, id: string): Promise<Delivery | undefined>;
  /**
   * Puts a dead delivery back (`pending`, attempts 0, due at `now`) by compare-and-set on its status.
   * @returns false when it is not dead (any more)
   */
  requeueDead(tenantId: string, id: string, now: number): Promise<boolean>;
  /** How many deliveries created at or after `since` were sent, and how many ended dead. */
  outcomesSince(tenantId: string, since: number): Promise<{ sent: number; dead: number }>;
}

/** A directory user as notifications need them. */
export interface Mailbox {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail: string | null;
  accountEnabled: boolean;
}

/** Directory reads of the fan-out, bound to its transaction. */
export interface NotificationDirectory {
  /**
   * Users holding any of the roles at `now` at the tenant scope: direct assignments and PIM
   * assignments whose window holds, each directly or through a group (direct user members).
   */
  roleHolders(tenantId: string, roleDefinitionIds: readonly string[], now: number): Promise<string[]>;
  /** Direct user members of the groups. */
  userMembers(tenantId: string, groupIds: readonly string[]): Promise<string[]>;
  /** The users with these ids (missing ones are left out). */
  mailboxes(tenantId: string, userIds: readonly string[]): Promise<Mailbox[]>;
}

declare module '../ports.js' {
  interface Stores {
    /** Email channel and webhook endpoints per tenant. */
    notificationChannels: NotificationChannelStore;
    /** Notifications fanned out, and the delivery log. */
    notificationDeliveries: NotificationDeliveryStore;
    /** Who holds which roles, who is in which group, and their mailboxes. */
    notificationDirectory: NotificationDirectory;
    /** Approval links that recorded a decision (single use). */
    approvalLinkUses: ApprovalLinkUseStore;
  }
}

/** A delivery claimed by one worker, with what it needs to send it. */
export interface ClaimedDelivery {
  id: string;
  tenantId: string;
  eventId: string;
  eventType: NotificationEventType;
  channel: ChannelKind;
  recipient: string;
  audience: Audience | null;
  /** This attempt's number (1 on the first). */
  attempt: number;
  data: NotificationData;
}

/**
 * The delivery worker's side of the log, over the root connection (never a use case's
 * transaction): each method is one statement. A delivery is claimed by compare-and-set on its
 * lease (on PostgreSQL the candidates are picked with `FOR UPDATE SKIP LOCKED`, so replicas take
 * different ones), so any number of workers may run at once and each delivery goes to one.
 */
export interface DeliveryWorkerStore {
  /**
   * Claims up to `limit` deliveries due at `now` (pending or failed, next attempt reached, lease
   * free or lapsed), oldest due first: leases them to `holder` until `now + leaseMs` and counts the
   * attempt (so a worker that dies mid-send still uses one up).
   */
  claim(holder: string, now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]>;
  /** Marks it sent, if `holder` still holds it. @returns false when the lease was lost */
  sent(id: string, holder: string, now: number): Promise<boolean>;
  /** Records a failed attempt (failed with its next time, or dead), if `holder` still holds it. */
  failed(
    id: string,
    holder: string,
    outcome: { status: Extract<DeliveryStatus, 'failed' | 'dead'>; nextAttemptAt: number; error: string },
    now: number,
  ): Promise<boolean>;
  /** Deletes sent deliveries (and notifications left without deliveries) sent before `before`. */
  prune(before: number, limit: number): Promise<number>;
}
