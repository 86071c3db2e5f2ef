import { DELIVERY_STATUSES } from '../../domain/notifications/delivery.js';
import {
  AUDIENCES,
  CHANNEL_KINDS,
  NOTIFICATION_EVENT_TYPES,
} from '../../domain/notifications/event-types.js';
import type { FieldMap } from '../../odata/index.js';

/**
 * `GET /v1.0/elevate/notifications/deliveries`: the properties `$filter`, `$orderby` and `$select`
 * accept, and their columns in `notification_deliveries`. The route parses with it and the store
 * compiles with it, so the two never disagree.
 */
export const deliveryFields: FieldMap = {
  id: { column: 'id', type: 'guid' },
  eventId: { column: 'event_id', type: 'guid' },
  eventType: { column: 'event_type', type: 'enum', values: NOTIFICATION_EVENT_TYPES },
  channel: { column: 'channel', type: 'enum', values: CHANNEL_KINDS },
  recipient: { column: 'recipient', type: 'string', caseInsensitive: true },
  audience: { column: 'audience', type: 'enum', values: AUDIENCES, nullable: true },
  status: { column: 'status', type: 'enum', values: DELIVERY_STATUSES },
  attempts: { column: 'attempts', type: 'int' },
  lastError: { column: 'last_error', type: 'string', nullable: true, filterable: false, sortable: false },
  createdDateTime: { column: 'created_at', type: 'datetime' },
  lastAttemptDateTime: { column: 'last_attempt_at', type: 'datetime', nullable: true },
  nextAttemptDateTime: { column: 'next_attempt_at', type: 'datetime' },
  sentDateTime: { column: 'sent_at', type: 'datetime', nullable: true },
};

/** `GET …/notifications/webhooks`. */
export const webhookFields: FieldMap = {
  id: { column: 'id', type: 'guid' },
  url: { column: 'url', type: 'string', caseInsensitive: true },
  description: { column: 'description', type: 'string', nullable: true, caseInsensitive: true },
  isEnabled: { column: 'is_enabled', type: 'boolean' },
  createdDateTime: { column: 'created_at', type: 'datetime' },
  lastModifiedDateTime: { column: 'modified_at', type: 'datetime' },
  eventTypes: { column: 'event_types', type: 'string', filterable: false, sortable: false },
  previousSecretExpiresDateTime: {
    column: 'previous_secret_expires_at',
    type: 'datetime',
    nullable: true,
    filterable: false,
  },
};

/** `GET …/notifications/chatChannels`. */
export const chatChannelFields: FieldMap = {
  id: { column: 'id', type: 'guid' },
  kind: { column: 'kind', type: 'enum', values: ['slack', 'teams'] },
  displayName: { column: 'display_name', type: 'string', caseInsensitive: true },
  urlHost: { column: 'url_host', type: 'string', caseInsensitive: true },
  isEnabled: { column: 'is_enabled', type: 'boolean' },
  createdDateTime: { column: 'created_at', type: 'datetime' },
  lastModifiedDateTime: { column: 'modified_at', type: 'datetime' },
  eventTypes: { column: 'event_types', type: 'string', filterable: false, sortable: false },
};
