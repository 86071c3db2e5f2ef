import { subscribes } from '../../domain/notifications/channel-config.js';
import { webhookBody } from '../../domain/notifications/notification.js';
import { PermanentDeliveryError, type NotificationChannel } from './channel.js';
import { webhookSecretContext, type Sealer, type WebhookEndpoint } from './ports.js';

/** One signed call (Standard Webhooks): the id, the time, the exact body, and every valid secret. */
export interface WebhookCall {
  url: string;
  /** `webhook-id`: the delivery's idempotency key. */
  id: string;
  /** `webhook-timestamp`, epoch ms (sent in seconds). */
  timestamp: number;
  body: string;
  /** `whsec_…` secrets to sign with: the current one, and the previous one during a rotation. */
  secrets: string[];
}

/** Posts one call (`jobs/notification-webhook.ts`). Resolves on a 2xx answer within the timeout. */
export interface WebhookTransport {
  post(call: WebhookCall): Promise<void>;
}

/**
 * Webhooks: one delivery per enabled endpoint whose filter includes the event type, whoever the
 * role's rules name (a webhook is the organisation's, not a person's). Each call is signed with
 * the endpoint's secret, and during a rotation also with the previous one, so receivers that know
 * either verify it.
 */
export function makeWebhookChannel(deps: {
  transport: WebhookTransport;
  sealer: Sealer;
}): NotificationChannel {
  return {
    kind: 'webhook',

    async plan(ctx) {
      const endpoints = await ctx.tx.notificationChannels.enabledWebhooks(ctx.tenantId);
      return endpoints
        .filter((w) => subscribes(w.eventTypes, ctx.event.type))
        .map((w) => ({ recipient: w.id, audience: null }));
    },

    async send(d, ctx) {
      const w = await ctx.read(`webhook:${d.tenantId}:${d.recipient}`, (tx) =>
        tx.notificationChannels.webhook(d.tenantId, d.recipient),
      );
      if (w === undefined) throw new PermanentDeliveryError('the webhook endpoint was deleted');
      if (!w.isEnabled) throw new PermanentDeliveryError('the webhook endpoint is turned off');
      await deps.transport.post({
        url: w.url,
        id: d.id,
        timestamp: ctx.now,
        body: webhookBody({ type: d.eventType, data: d.data }),
        secrets: secretsOf(w, ctx.now, deps.sealer),
      });
    },
  };
}

/** The secrets that sign at `now`: the current one, and the previous one until its overlap ends. */
export function secretsOf(w: WebhookEndpoint, now: number, sealer: Sealer): string[] {
  const current = sealer.open(w.sealedSecret, webhookSecretContext(w.id, w.secretVersion));
  const previous =
    w.sealedPreviousSecret !== null && w.previousSecretExpiresAt !== null && now < w.previousSecretExpiresAt
      ? [sealer.open(w.sealedPreviousSecret, webhookSecretContext(w.id, w.secretVersion - 1))]
      : [];
  return [current, ...previous];
}
