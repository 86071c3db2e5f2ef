import { classify, CONSUMED_EVENT_TYPES } from '../../domain/notifications/classify.js';
import { deliveryId } from '../../domain/notifications/delivery.js';
import type { Clock } from '../../domain/time/clock.js';
import type { DeliveredMessage, OutboxConsumer } from '../outbox/ports.js';
import type { UnitOfWork } from '../ports.js';
import type { NotificationChannel } from './channel.js';
import { defaultRecipients } from './people.js';
import type { NewDelivery, StoredNotification } from './ports.js';
import { resolveNotification } from './resolve.js';

/** The outbox consumer's name: its cursor. Never renamed (a new name would start a new cursor). */
export const FAN_OUT_CONSUMER = 'notifications';

/**
 * The `notifications` outbox consumer: turns each published PIM event into notifications
 * (`classify`), and each notification into per-recipient, per-channel deliveries (`plan` of every
 * channel), written in one transaction with insert-once ids derived from the message, the event
 * type, the channel and the recipient. The relay hands a message over at least once; a repeat
 * writes nothing new, and a crash before commit writes nothing at all, so a fan-out is never lost
 * nor doubled. Sending is the delivery worker's (`worker.ts`).
 */
export function makeNotificationFanOut(deps: {
  uow: UnitOfWork;
  clock: Clock;
  channels: readonly NotificationChannel[];
  publicUrl: string;
  /** Called after a commit that wrote deliveries (the worker's nudge). */
  fannedOut?: (deliveries: number) => void;
}): OutboxConsumer {
  return {
    name: FAN_OUT_CONSUMER,
    accepts: (type) => CONSUMED_EVENT_TYPES.has(type),
    async handle(message: DeliveredMessage) {
      const triggers = classify(message);
      if (triggers.length === 0) return;
      // Most tenants enable no channel: finding that out costs one statement, not a transaction.
      if (!(await deps.uow.read((db) => db.notificationChannels.anyEnabled(message.tenantId)))) return;
      const now = deps.clock.now();
      const written = await deps.uow.run(async (tx) => {
        if (!(await tx.notificationChannels.anyEnabled(message.tenantId))) return 0;
        const notifications: StoredNotification[] = [];
        const deliveries: NewDelivery[] = [];
        for (const trigger of triggers) {
          const resolved = await resolveNotification(tx, message, trigger, deps.publicUrl);
          if (resolved === undefined) continue;
          const { event } = resolved;
          const people = defaultRecipients(tx, {
            tenantId: message.tenantId,
            principal: resolved.principal,
            approverSteps: resolved.approverSteps,
            exceptApprovers: resolved.exceptApprovers,
            at: message.occurredAt,
          });
          const planned: NewDelivery[] = [];
          for (const channel of deps.channels) {
            const ctx = { tx, tenantId: message.tenantId, event, rules: resolved.rules, people };
            for (const p of await channel.plan(ctx)) {
              planned.push({
                id: deliveryId(event.data.eventId, channel.kind, p.recipient),
                tenantId: message.tenantId,
                eventId: event.data.eventId,
                eventType: event.type,
                channel: channel.kind,
                recipient: p.recipient,
                audience: p.audience,
                createdAt: now,
              });
            }
          }
          if (planned.length === 0) continue;
          notifications.push({
            id: event.data.eventId,
            tenantId: message.tenantId,
            messageId: message.id,
            type: event.type,
            occurredAt: message.occurredAt,
            data: event.data,
          });
          deliveries.push(...planned);
        }
        await tx.notificationDeliveries.insertNotifications(notifications);
        return tx.notificationDeliveries.insertDeliveries(deliveries);
      });
      if (written > 0) deps.fannedOut?.(written);
    },
  };
}
