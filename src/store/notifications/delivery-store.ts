import type { Kysely } from 'kysely';
import { deliveryFields } from '../../app/notifications/fields.js';
import type { NotificationDeliveryStore } from '../../app/notifications/ports.js';
import type { Delivery, DeliveryStatus } from '../../domain/notifications/delivery.js';
import type { Audience, ChannelKind, NotificationEventType } from '../../domain/notifications/event-types.js';
import { codecs } from '../codecs.js';
import { listPage } from '../list.js';
import type { Database } from '../schema.js';
import type { NotificationDeliveryRow } from './rows.js';

/** Rows per multi-row INSERT: well under both databases' bound-parameter limits. */
const ROWS_PER_INSERT = 200;

export const deliveryFromRow = (r: NotificationDeliveryRow): Delivery => ({
  id: r.id,
  tenantId: r.tenant_id,
  eventId: r.event_id,
  eventType: r.event_type as NotificationEventType,
  channel: r.channel as ChannelKind,
  recipient: r.recipient,
  audience: r.audience as Audience | null,
  status: r.status as DeliveryStatus,
  attempts: codecs.time.decode(r.attempts),
  nextAttemptAt: codecs.time.decode(r.next_attempt_at),
  lastError: r.last_error,
  createdAt: codecs.time.decode(r.created_at),
  lastAttemptAt: codecs.optionalTime.decode(r.last_attempt_at),
  sentAt: codecs.optionalTime.decode(r.sent_at),
});

/** Notifications and the delivery log, bound to one transaction. Inserts are insert-once by id. */
export function notificationDeliveryStore(db: Kysely<Database>): NotificationDeliveryStore {
  return {
    async insertNotifications(list) {
      for (let i = 0; i < list.length; i += ROWS_PER_INSERT) {
        await db
          .insertInto('notification_events')
          .values(
            list.slice(i, i + ROWS_PER_INSERT).map((n) => ({
              id: codecs.id.encode(n.id),
              tenant_id: codecs.id.encode(n.tenantId),
              message_id: codecs.id.encode(n.messageId),
              type: n.type,
              occurred_at: codecs.time.encode(n.occurredAt),
              data: codecs.json.encode(n.data),
            })),
          )
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
      }
    },

    async insertDeliveries(list) {
      let inserted = 0;
      for (let i = 0; i < list.length; i += ROWS_PER_INSERT) {
        const res = await db
          .insertInto('notification_deliveries')
          .values(
            list.slice(i, i + ROWS_PER_INSERT).map((d) => ({
              id: codecs.id.encode(d.id),
              tenant_id: codecs.id.encode(d.tenantId),
              event_id: codecs.id.encode(d.eventId),
              event_type: d.eventType,
              channel: d.channel,
              recipient: d.recipient,
              audience: d.audience,
              status: 'pending',
              attempts: 0,
              next_attempt_at: codecs.time.encode(d.createdAt),
              last_error: null,
              lease_holder: null,
              lease_expires_at: 0,
              created_at: codecs.time.encode(d.createdAt),
              last_attempt_at: null,
              sent_at: null,
            })),
          )
          .onConflict((oc) => oc.column('id').doNothing())
          .executeTakeFirst();
        inserted += Number(res.numInsertedOrUpdatedRows ?? 0n);
      }
      return inserted;
    },

    async list(tenantId, q) {
      const page = await listPage(
        db.selectFrom('notification_deliveries').selectAll().where('tenant_id', '=', tenantId),
        q,
        deliveryFields,
      );
      return { ...page, items: page.items.map(deliveryFromRow) };
    },

    async get(tenantId, id) {
      const r = await db
        .selectFrom('notification_deliveries')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return r && deliveryFromRow(r);
    },

    async requeueDead(tenantId, id, now) {
      const res = await db
        .updateTable('notification_deliveries')
        .set({
          status: 'pending',
          attempts: 0,
          next_attempt_at: codecs.time.encode(now),
          lease_holder: null,
          lease_expires_at: 0,
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('status', '=', 'dead')
        .executeTakeFirst();
      return res.numUpdatedRows === 1n;
    },

    async outcomesSince(tenantId, since) {
      const rows = await db
        .selectFrom('notification_deliveries')
        .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
        .where('tenant_id', '=', tenantId)
        .where('created_at', '>=', codecs.time.encode(since))
        .where('status', 'in', ['sent', 'dead'])
        .groupBy('status')
        .execute();
      const count = (status: string) => Number(rows.find((r) => r.status === status)?.n ?? 0);
      return { sent: count('sent'), dead: count('dead') };
    },
  };
}
