/**
 * Row types of the notification tables (migration 0013_notifications), as stored: epoch-ms
 * integers, booleans 0/1, JSON as text, lower-case ids. Added to `Database` here, beside them.
 */
export interface NotificationEmailChannelRow {
  tenant_id: string;
  is_enabled: number;
  host: string;
  port: number;
  security: string;
  username: string | null;
  password_sealed: string | null;
  from_address: string;
  from_display_name: string | null;
  created_at: number;
  modified_at: number;
  version: number;
}

export interface NotificationWebhookRow {
  id: string;
  tenant_id: string;
  url: string;
  description: string | null;
  /** JSON array of event types; `[]` = all. */
  event_types: string;
  is_enabled: number;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: number | null;
  secret_version: number;
  created_at: number;
  modified_at: number;
  version: number;
}

export interface NotificationEventRow {
  id: string;
  tenant_id: string;
  message_id: string;
  type: string;
  occurred_at: number;
  /** JSON: `NotificationData`. */
  data: string;
}

export interface NotificationDeliveryRow {
  id: string;
  tenant_id: string;
  event_id: string;
  event_type: string;
  channel: string;
  recipient: string;
  audience: string | null;
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  lease_holder: string | null;
  lease_expires_at: number;
  created_at: number;
  last_attempt_at: number | null;
  sent_at: number | null;
}

export interface NotificationChatChannelRow {
  id: string;
  tenant_id: string;
  /** `slack` or `teams`. */
  kind: string;
  display_name: string;
  url_sealed: string;
  url_host: string;
  /** JSON array of event types; `[]` = all. */
  event_types: string;
  is_enabled: number;
  created_at: number;
  modified_at: number;
  version: number;
}

export interface ApprovalLinkUseRow {
  id: string;
  tenant_id: string;
  request_id: string;
  approver_id: string;
  used_at: number;
  expires_at: number;
}

declare module '../schema.js' {
  interface Database {
    notification_email_channels: NotificationEmailChannelRow;
    notification_webhooks: NotificationWebhookRow;
    notification_events: NotificationEventRow;
    notification_deliveries: NotificationDeliveryRow;
    notification_chat_channels: NotificationChatChannelRow;
    approval_link_uses: ApprovalLinkUseRow;
  }
}
