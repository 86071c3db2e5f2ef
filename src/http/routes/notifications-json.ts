import { z } from 'zod';
import type { EmailChannelView } from '../../app/notifications/email-settings.js';
import type { WebhookView, WebhookWithSecret } from '../../app/notifications/webhook-settings.js';
import type { ChatChannelView } from '../../app/notifications/chat-settings.js';
import {
  SMTP_HOST_PATTERN,
  SMTP_SECURITY,
  WEBHOOK_SECRET_PATTERN,
  WEBHOOK_URL_PATTERN,
} from '../../domain/notifications/channel-config.js';
import { EMAIL_ADDRESS } from '../../domain/policy/rule-patch.js';
import { DELIVERY_STATUSES, type Delivery } from '../../domain/notifications/delivery.js';
import {
  AUDIENCES,
  CHANNEL_KINDS,
  NOTIFICATION_EVENT_TYPES,
} from '../../domain/notifications/event-types.js';
import { dt, dtOrNull, nonEmpty, str } from '../graph/json.js';

// Request and response shapes of the notification routes (Elevate extension, docs/notifications.md).
// Secrets are write-only: no response schema has a password or a secret, except the one answer
// that hands out a secret Elevate generated.

export const emailChannelJson = z.object({
  isConfigured: z.boolean(),
  isEnabled: z.boolean(),
  host: z.string().nullable(),
  port: z.number().nullable(),
  security: z.enum(SMTP_SECURITY).nullable(),
  username: z.string().nullable(),
  hasPassword: z.boolean(),
  fromAddress: z.string().nullable(),
  fromDisplayName: z.string().nullable(),
  lastModifiedDateTime: z.string().nullable(),
});

export const toEmailChannelJson = (v: EmailChannelView): z.infer<typeof emailChannelJson> => ({
  isConfigured: v.isConfigured,
  isEnabled: v.isEnabled,
  host: v.host,
  port: v.port,
  security: v.security,
  username: v.username,
  hasPassword: v.hasPassword,
  fromAddress: v.fromAddress,
  fromDisplayName: v.fromDisplayName,
  lastModifiedDateTime: dtOrNull(v.lastModifiedAt),
});

/** `PATCH …/notifications/email`: what is given changes; `null` clears an optional setting. */
export const emailPatchBody = z
  .object({
    isEnabled: z.boolean().optional(),
    host: z.string().max(253).regex(SMTP_HOST_PATTERN, 'must be a host name or an IP address').optional(),
    port: z.number().int().min(1).max(65535).optional(),
    security: z.enum(SMTP_SECURITY).optional(),
    username: nonEmpty(256).nullable().optional(),
    password: z.string().min(1).max(512).nullable().optional(),
    fromAddress: z
      .string()
      .max(254)
      .regex(EMAIL_ADDRESS, 'must be an email address such as pim@contoso.com')
      .optional(),
    fromDisplayName: str(128).nullable().optional(),
  })
  .strict();

export const webhookJson = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  eventTypes: z.array(z.enum(NOTIFICATION_EVENT_TYPES)),
  isEnabled: z.boolean(),
  previousSecretExpiresDateTime: z.string().nullable(),
  createdDateTime: z.string(),
  lastModifiedDateTime: z.string(),
});

/** The endpoint, with `secret` only in the answer that generated it. */
export const webhookWithSecretJson = webhookJson.extend({ secret: z.string().optional() });

export const toWebhookJson = (w: WebhookView): z.infer<typeof webhookJson> => ({
  id: w.id,
  url: w.url,
  description: w.description,
  eventTypes: w.eventTypes,
  isEnabled: w.isEnabled,
  previousSecretExpiresDateTime: dtOrNull(w.previousSecretExpiresAt),
  createdDateTime: dt(w.createdAt),
  lastModifiedDateTime: dt(w.modifiedAt),
});

export const toWebhookWithSecretJson = (w: WebhookWithSecret): z.infer<typeof webhookWithSecretJson> => ({
  ...toWebhookJson(w),
  ...(w.secret === undefined ? {} : { secret: w.secret }),
});

const eventTypes = z.array(z.enum(NOTIFICATION_EVENT_TYPES)).max(NOTIFICATION_EVENT_TYPES.length * 2);
const webhookUrl = z.string().max(2048).regex(WEBHOOK_URL_PATTERN, 'must be an absolute https:// URL');
const webhookSecret = z
  .string()
  .max(200)
  .regex(WEBHOOK_SECRET_PATTERN, "must be 'whsec_' followed by base64 of 24 to 64 random bytes");

export const createWebhookBody = z
  .object({
    url: webhookUrl,
    description: str(256).nullable().optional(),
    eventTypes: eventTypes.optional(),
    isEnabled: z.boolean().optional(),
    secret: webhookSecret.optional(),
  })
  .strict();

export const updateWebhookBody = z
  .object({
    url: webhookUrl.optional(),
    description: str(256).nullable().optional(),
    eventTypes: eventTypes.optional(),
    isEnabled: z.boolean().optional(),
  })
  .strict();

export const chatChannelJson = z.object({
  id: z.string(),
  kind: z.enum(['slack', 'teams']),
  displayName: z.string(),
  /** The incoming-webhook URL's host; the URL itself is never returned. */
  urlHost: z.string(),
  eventTypes: z.array(z.enum(NOTIFICATION_EVENT_TYPES)),
  isEnabled: z.boolean(),
  createdDateTime: z.string(),
  lastModifiedDateTime: z.string(),
});

export const toChatChannelJson = (c: ChatChannelView): z.infer<typeof chatChannelJson> => ({
  id: c.id,
  kind: c.kind,
  displayName: c.displayName,
  urlHost: c.urlHost,
  eventTypes: c.eventTypes,
  isEnabled: c.isEnabled,
  createdDateTime: dt(c.createdAt),
  lastModifiedDateTime: dt(c.modifiedAt),
});

/** A chat channel's display name: one line, not blank (checked again, trimmed, by the use case). */
const chatDisplayName = z
  .string()
  .min(1)
  .max(128)
  .regex(
    // eslint-disable-next-line no-control-regex
    /^[^\u0000-\u001f\u007f]*[^\s\u0000-\u001f\u007f][^\u0000-\u001f\u007f]*$/,
    'must be one line, not empty or only spaces',
  );

export const createChatChannelBody = z
  .object({
    kind: z.enum(['slack', 'teams']),
    displayName: chatDisplayName,
    url: webhookUrl,
    eventTypes: eventTypes.optional(),
    isEnabled: z.boolean().optional(),
  })
  .strict();

export const updateChatChannelBody = z
  .object({
    displayName: chatDisplayName.optional(),
    url: webhookUrl.optional(),
    eventTypes: eventTypes.optional(),
    isEnabled: z.boolean().optional(),
  })
  .strict();

export const rotateSecretBody = z
  .object({
    secret: webhookSecret.optional(),
    previousSecretValidMinutes: z.number().int().min(0).max(10_080).optional(),
  })
  .strict();

export const deliveryJson = z.object({
  id: z.string(),
  eventId: z.string(),
  eventType: z.enum(NOTIFICATION_EVENT_TYPES),
  channel: z.enum(CHANNEL_KINDS),
  recipient: z.string(),
  audience: z.enum(AUDIENCES).nullable(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number(),
  lastError: z.string().nullable(),
  createdDateTime: z.string(),
  lastAttemptDateTime: z.string().nullable(),
  /** When it is tried next; null once sent or dead. */
  nextAttemptDateTime: z.string().nullable(),
  sentDateTime: z.string().nullable(),
});

export const toDeliveryJson = (d: Delivery): z.infer<typeof deliveryJson> => ({
  id: d.id,
  eventId: d.eventId,
  eventType: d.eventType,
  channel: d.channel,
  recipient: d.recipient,
  audience: d.audience,
  status: d.status,
  attempts: d.attempts,
  lastError: d.lastError,
  createdDateTime: dt(d.createdAt),
  lastAttemptDateTime: dtOrNull(d.lastAttemptAt),
  nextAttemptDateTime: d.status === 'pending' || d.status === 'failed' ? dt(d.nextAttemptAt) : null,
  sentDateTime: dtOrNull(d.sentAt),
});
