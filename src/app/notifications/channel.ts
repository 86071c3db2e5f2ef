import type { Audience, ChannelKind } from '../../domain/notifications/event-types.js';
import type { NotificationEvent } from '../../domain/notifications/notification.js';
import type { PolicyRule } from '../../domain/policy/types.js';
import type { Person } from '../../domain/notifications/audience.js';
import type { Stores } from '../ports.js';
import type { ClaimedDelivery } from './ports.js';

/** What a channel reads to decide who gets one notification, inside the fan-out's transaction. */
export interface PlanContext {
  tx: Stores;
  tenantId: string;
  event: NotificationEvent;
  /** The role's policy rules (its nine `Notification_*` rules decide who hears). */
  rules: readonly PolicyRule[];
  /** The default recipients of an audience, looked up on first use (see `people.ts`). */
  people(audience: Audience): Promise<Person[]>;
}

/** One delivery a channel wants: to whom (an address, an endpoint id) and for which audience. */
export interface PlannedDelivery {
  recipient: string;
  audience: Audience | null;
}

/** What a channel may use while sending, outside any transaction. */
export interface SendContext {
  now: number;
  /**
   * Reads in a short transaction of its own, once per `key` in a worker run (a tenant's channel
   * settings are read once for the many deliveries of a run, not once each).
   */
  read<T>(key: string, load: (tx: Stores) => Promise<T>): Promise<T>;
}

/**
 * A way out for notifications (email, webhooks; Slack and Teams next): who gets a notification on
 * it (`plan`, inside the fan-out's transaction) and how one delivery is sent (`send`, outside any
 * transaction, retried by the worker). Adding a channel is one object and its kind in
 * `CHANNEL_KINDS`; the fan-out, the worker, the log and the retry API are shared.
 */
export interface NotificationChannel {
  readonly kind: ChannelKind;
  plan(ctx: PlanContext): Promise<PlannedDelivery[]>;
  /**
   * Sends one delivery. Resolving means delivered. Rejecting means "try again later" (back-off),
   * unless the error is a {@link PermanentDeliveryError} (nothing to send to): then it is dead at once.
   */
  send(delivery: ClaimedDelivery, ctx: SendContext): Promise<void>;
}

/** A delivery that can never succeed as things stand (its endpoint was deleted, its channel turned off). */
export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}
