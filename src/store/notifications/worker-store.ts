import { sql, type Kysely } from 'kysely';
import type { ClaimedDelivery, DeliveryWorkerStore } from '../../app/notifications/ports.js';
import type { NotificationData } from '../../domain/notifications/notification.js';
import { codecs } from '../codecs.js';
import type { Database } from '../schema.js';
import { deliveryFromRow } from './delivery-store.js';

const DUE = ['pending', 'failed'];

/**
 * The delivery worker's statements, over the root connection. Claims are a compare-and-set on the
 * lease (`lease_expires_at <= now`), which alone keeps two workers from taking one delivery on
 * either database. `skipLocked` (PostgreSQL) picks the candidates with `FOR UPDATE SKIP LOCKED`, so
 * concurrent workers take different rows instead of queueing on the same ones; SQLite runs one
 * writer at a time and needs none.
 */
export function deliveryWorkerStore(db: Kysely<Database>, o: { skipLocked: boolean }): DeliveryWorkerStore {
  const held = (id: string, holder: string) =>
    db
      .updateTable('notification_deliveries')
      .where('id', '=', id)
      .where('lease_holder', '=', holder)
      .where('status', 'in', DUE);

  return {
    async claim(holder, now, leaseMs, limit) {
      let candidates = db
        .selectFrom('notification_deliveries')
        .select('id')
        .where('status', 'in', DUE)
        .where('next_attempt_at', '<=', now)
        .where('lease_expires_at', '<=', now)
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(limit);
      if (o.skipLocked) candidates = candidates.forUpdate().skipLocked();
      const claimed = await db
        .updateTable('notification_deliveries')
        .set({
          lease_holder: holder,
          lease_expires_at: codecs.time.encode(now + leaseMs),
          attempts: sql<number>`attempts + 1`,
          last_attempt_at: codecs.time.encode(now),
        })
        .where('id', 'in', candidates)
        .where('status', 'in', DUE)
        .where('lease_expires_at', '<=', now)
        .returningAll()
        .execute();
      if (claimed.length === 0) return [];
      const events = await db
        .selectFrom('notification_events')
        .select(['id', 'data'])
        .where('id', 'in', [...new Set(claimed.map((r) => r.event_id))])
        .execute();
      const data = new Map(events.map((e) => [e.id, codecs.json.decode<NotificationData>(e.data)]));
      return claimed.flatMap((r): ClaimedDelivery[] => {
        const d = deliveryFromRow(r);
        const event = data.get(d.eventId);
        if (event === undefined) return [];
        return [
          {
            id: d.id,
            tenantId: d.tenantId,
            eventId: d.eventId,
            eventType: d.eventType,
            channel: d.channel,
            recipient: d.recipient,
            audience: d.audience,
            attempt: d.attempts,
            data: event,
          },
        ];
      });
    },

    async sent(id, holder, now) {
      const res = await held(id, holder)
        .set({
          status: 'sent',
          sent_at: codecs.time.encode(now),
          last_error: null,
          lease_holder: null,
          lease_expires_at: 0,
        })
        .executeTakeFirst();
      return res.numUpdatedRows === 1n;
    },

    async failed(id, holder, outcome, _now) {
      const res = await held(id, holder)
        .set({
          status: outcome.status,
          next_attempt_at: codecs.time.encode(outcome.nextAttemptAt),
          last_error: outcome.error,
          lease_holder: null,
          lease_expires_at: 0,
        })
        .executeTakeFirst();
      return res.numUpdatedRows === 1n;
    },

    async prune(before, limit) {
      const res = await db
        .deleteFrom('notification_deliveries')
        .where(
          'id',
          'in',
          db
            .selectFrom('notification_deliveries')
            .select('id')
            .where('status', '=', 'sent')
            .where('sent_at', '<', before)
            .orderBy('sent_at')
            .limit(limit),
        )
        .executeTakeFirst();
      await db
        .deleteFrom('notification_events')
        .where('occurred_at', '<', before)
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('notification_deliveries as d')
                .select('d.id')
                .whereRef('d.event_id', '=', 'notification_events.id'),
            ),
          ),
        )
        .execute();
      return Number(res.numDeletedRows);
    },
  };
}
