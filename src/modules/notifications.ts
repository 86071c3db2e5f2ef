import { randomUUID } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import type { NotificationChannel } from '../app/notifications/channel.js';
import { makeDeliveryLog } from '../app/notifications/delivery-log.js';
import { makeApprovalLinks } from '../app/notifications/approval-links.js';
import { makeChatChannel } from '../app/notifications/chat-channel.js';
import { makeApprovals } from '../app/pim/approvals.js';
import { approvalLinkPages } from '../http/routes/approval-link-pages.js';
import { makeChatChannelSettings } from '../app/notifications/chat-settings.js';
import { makeEmailChannel } from '../app/notifications/email-channel.js';
import { makeEmailSettings } from '../app/notifications/email-settings.js';
import { makeNotificationFanOut } from '../app/notifications/fan-out.js';
import { makeGovernanceMail } from '../app/notifications/governance-mail.js';
import { makeWebhookChannel } from '../app/notifications/webhook-channel.js';
import { makeWebhookSettings } from '../app/notifications/webhook-settings.js';
import { makeDeliveryWorker, type DeliveryWorkerOptions } from '../app/notifications/worker.js';
import type { OutboxConsumer } from '../app/outbox/ports.js';
import { notificationDeliveryRoutes } from '../http/routes/notifications-deliveries.js';
import { notificationRoutes } from '../http/routes/notifications.js';
import { chatTransport } from '../jobs/notification-chat.js';
import { smtpTransport } from '../jobs/notification-email.js';
import { APPROVAL_LINK_KEY_LABEL } from '../domain/notifications/approval-link.js';
import { webhookTransport } from '../jobs/notification-webhook.js';
import {
  createNotificationWorkerJob,
  DEFAULT_NOTIFICATION_WORKER_INTERVAL_MS,
  type NotificationWorkerJob,
} from '../jobs/notification-worker.js';
import { notificationStores } from '../store/notifications/stores.js';
import { deliveryWorkerStore } from '../store/notifications/worker-store.js';
import type { FeatureModule } from './feature-module.js';
import type { Kernel } from './kernel.js';

/** Notification settings of one instance (the channels themselves are configured through the API). */
export interface NotificationOptions {
  /** Fan-out and delivery on (default). Off: nothing is fanned out or sent; the API still works. */
  enabled?: boolean;
  /** Accept `http://` webhook URLs (default false: https only). `ELEVATE_NOTIFICATIONS_ALLOW_HTTP`. */
  allowHttpWebhooks?: boolean;
  /** Pause between delivery worker runs when nothing nudges it; 0 turns the timer off. Default 1 s. */
  workerIntervalMs?: number;
  /** Retries, lease, batch size and jitter of the worker. */
  worker?: DeliveryWorkerOptions;
  /** How long a webhook receiver may take to answer (default 10 s). */
  webhookTimeoutMs?: number;
  /** How long Slack or Teams may take to answer (default 10 s). */
  chatTimeoutMs?: number;
  /** How long each SMTP step may take (default 15 s). */
  smtpTimeoutMs?: number;
  /** Extra trust for SMTP servers' certificates (a private CA), on top of nothing else. */
  smtpTls?: Pick<ConnectionOptions, 'ca'>;
  /** How long sent deliveries stay in the log (default 30 days); dead ones stay until retried. */
  sentRetentionMs?: number;
}

declare module './kernel.js' {
  interface ElevateOptions {
    /** Notifications: fan-out and delivery worker, webhook URL policy, timeouts. */
    notifications?: NotificationOptions;
  }
}

declare module '../http/services.js' {
  interface Services {
    /** The tenant's email (SMTP) channel. */
    notificationEmail: ReturnType<typeof makeEmailSettings>;
    /** The tenant's webhook endpoints. */
    notificationWebhooks: ReturnType<typeof makeWebhookSettings>;
    /** The tenant's Slack and Teams channels. */
    notificationChatChannels: ReturnType<typeof makeChatChannelSettings>;
    /** Approval links (chat buttons): check, show, decide. */
    approvalLinks: ReturnType<typeof makeApprovalLinks>;
    /** The delivery log and retry of dead deliveries. */
    notificationDeliveries: ReturnType<typeof makeDeliveryLog>;
  }
}

/** The worker job of each kernel, so that the API's retry nudges the worker of its own instance. */
const workers = new WeakMap<Kernel, NotificationWorkerJob>();

/** The SMTP transport of this instance (timeouts and extra trust from the options). */
function smtpOf(k: Kernel) {
  const n = k.options.notifications ?? {};
  return smtpTransport({
    ...(n.smtpTimeoutMs === undefined ? {} : { timeoutMs: n.smtpTimeoutMs }),
    ...(n.smtpTls === undefined ? {} : { tls: n.smtpTls }),
  });
}

/** The channels of this instance, in the order deliveries are planned. */
function channelsOf(k: Kernel): NotificationChannel[] {
  const n = k.options.notifications ?? {};
  return [
    makeEmailChannel({ transport: smtpOf(k), sealer: k.box }),
    makeWebhookChannel({
      transport: webhookTransport({
        fetch: k.outbound,
        ...(n.webhookTimeoutMs === undefined ? {} : { timeoutMs: n.webhookTimeoutMs }),
      }),
      sealer: k.box,
    }),
    ...(['slack', 'teams'] as const).map((kind) =>
      makeChatChannel({
        kind,
        transport: chatTransport({
          fetch: k.outbound,
          ...(n.chatTimeoutMs === undefined ? {} : { timeoutMs: n.chatTimeoutMs }),
        }),
        sealer: k.box,
        publicUrl: k.options.publicUrl,
        linkKey: k.box.derive(APPROVAL_LINK_KEY_LABEL),
      }),
    ),
  ];
}

/**
 * The `notifications` outbox consumer (fan-out) and the delivery worker job of one instance. The
 * composition root registers the consumer with the relay and starts the job; with notifications
 * turned off there is neither.
 */
export function wireNotifications(
  k: Kernel,
): { fanOut: OutboxConsumer; governanceMail: OutboxConsumer; worker: NotificationWorkerJob } | undefined {
  const n = k.options.notifications ?? {};
  if (n.enabled === false) return undefined;
  const channels = channelsOf(k);
  const store = deliveryWorkerStore(k.db.kysely, { skipLocked: k.db.dialect === 'postgres' });
  const worker = createNotificationWorkerJob({
    worker: makeDeliveryWorker({
      store,
      channels,
      uow: k.uow,
      clock: k.clock,
      replicaId: randomUUID(),
      ...(n.worker === undefined ? {} : { options: n.worker }),
    }),
    store,
    clock: k.clock,
    intervalMs: n.workerIntervalMs ?? DEFAULT_NOTIFICATION_WORKER_INTERVAL_MS,
    ...(n.sentRetentionMs === undefined ? {} : { sentRetentionMs: n.sentRetentionMs }),
    onError: (err) => {
      if (k.options.logger) k.options.logger.warn({ err }, 'notification delivery failed');
    },
  });
  workers.set(k, worker);
  const fanOut = makeNotificationFanOut({
    uow: k.uow,
    clock: k.clock,
    channels,
    publicUrl: k.options.publicUrl,
    fannedOut: () => worker.nudge(),
  });
  const governanceMail = makeGovernanceMail({
    uow: k.uow,
    transport: smtpOf(k),
    sealer: k.box,
    publicUrl: k.options.publicUrl,
  });
  return { fanOut, governanceMail, worker };
}

/** Notifications: channels (email, webhooks), the delivery log, and the fan-out and worker (`wireNotifications`). */
export const notificationsModule = {
  name: 'notifications',
  stores: notificationStores,
  services: (k) => ({
    notificationEmail: makeEmailSettings({ uow: k.uow, clock: k.clock, sealer: k.box }),
    notificationWebhooks: makeWebhookSettings({
      uow: k.uow,
      clock: k.clock,
      newId: k.newId,
      sealer: k.box,
      allowHttp: k.options.notifications?.allowHttpWebhooks === true,
    }),
    notificationChatChannels: makeChatChannelSettings({
      uow: k.uow,
      clock: k.clock,
      newId: k.newId,
      sealer: k.box,
      allowHttp: k.options.notifications?.allowHttpWebhooks === true,
    }),
    approvalLinks: makeApprovalLinks({
      uow: k.uow,
      clock: k.clock,
      linkKey: k.box.derive(APPROVAL_LINK_KEY_LABEL),
      approvals: makeApprovals(k),
      sealer: k.box,
    }),
    notificationDeliveries: makeDeliveryLog({
      uow: k.uow,
      clock: k.clock,
      requeued: () => workers.get(k)?.nudge(),
    }),
  }),
  routes: [
    { plugin: notificationRoutes, prefix: '/v1.0' },
    { plugin: notificationDeliveryRoutes, prefix: '/v1.0' },
    { plugin: approvalLinkPages },
  ],
} satisfies FeatureModule;
