import type { Kysely } from 'kysely';
import type { SetDelivery, SsfDeliveryStore, SsfStreamStore, SsfWorkerStore } from '../../app/ssf/ports.js';
import type { SetClaims } from '../../domain/ssf/set.js';
import type { SetEventType, Stream, StreamStatus } from '../../domain/ssf/stream.js';
import { expectOneRow } from '../cas.js';
import { codecs } from '../codecs.js';
import type { Database } from '../schema.js';
import type { StoreBinder } from '../unit-of-work.js';
import type { SsfDeliveryRow, SsfStreamRow } from './rows.js';
import './rows.js';

/** The stream's configuration columns (the delivery state columns are the worker's). */
const configOf = (s: Stream) => ({
  audience: s.audience,
  endpoint_url: s.endpointUrl,
  authorization_sealed: s.sealedAuthorization,
  events_requested: codecs.json.encode(s.eventsRequested),
  description: s.description,
  status: s.status,
  status_reason: s.statusReason,
  verified_at: codecs.optionalTime.encode(s.verifiedAt),
  modified_at: codecs.time.encode(s.modifiedAt),
  version: s.version,
});

const streamFromRow = (r: SsfStreamRow): Stream => ({
  id: r.id,
  tenantId: r.tenant_id,
  audience: r.audience,
  endpointUrl: r.endpoint_url,
  sealedAuthorization: r.authorization_sealed,
  eventsRequested: codecs.json.decode<string[]>(r.events_requested),
  description: r.description,
  status: r.status as StreamStatus,
  statusReason: r.status_reason,
  verifiedAt: codecs.optionalTime.decode(r.verified_at),
  createdAt: codecs.time.decode(r.created_at),
  modifiedAt: codecs.time.decode(r.modified_at),
  version: Number(r.version),
});

const deliveryToRow = (d: SetDelivery): SsfDeliveryRow => ({
  id: codecs.id.encode(d.id),
  tenant_id: codecs.id.encode(d.tenantId),
  stream_id: codecs.id.encode(d.streamId),
  event_id: d.eventId,
  event_type: d.eventType,
  claims: codecs.json.encode(d.claims),
  status: d.status,
  attempts: d.attempts,
  last_error: d.lastError,
  created_at: codecs.time.encode(d.createdAt),
  sent_at: codecs.optionalTime.encode(d.sentAt),
});

const deliveryFromRow = (r: SsfDeliveryRow): SetDelivery => ({
  id: r.id,
  tenantId: r.tenant_id,
  streamId: r.stream_id,
  eventId: r.event_id,
  eventType: r.event_type as SetEventType,
  claims: codecs.json.decode<SetClaims>(r.claims),
  status: r.status as SetDelivery['status'],
  attempts: Number(r.attempts),
  lastError: r.last_error,
  createdAt: codecs.time.decode(r.created_at),
  sentAt: codecs.optionalTime.decode(r.sent_at),
});

export function ssfStreamStore(db: Kysely<Database>): SsfStreamStore {
  return {
    async list(tenantId) {
      const rows = await db
        .selectFrom('ssf_streams')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(streamFromRow);
    },
    async count(tenantId) {
      const r = await db
        .selectFrom('ssf_streams')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async get(tenantId, id) {
      const r = await db
        .selectFrom('ssf_streams')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id.toLowerCase())
        .executeTakeFirst();
      return r === undefined ? undefined : streamFromRow(r);
    },
    async insert(s) {
      await db
        .insertInto('ssf_streams')
        .values({
          id: codecs.id.encode(s.id),
          tenant_id: codecs.id.encode(s.tenantId),
          ...configOf(s),
          failures: 0,
          retry_at: 0,
          last_error: null,
          lease_holder: null,
          lease_expires_at: 0,
          created_at: codecs.time.encode(s.createdAt),
        })
        .execute();
    },
    async update(s, expectedVersion) {
      const res = await db
        .updateTable('ssf_streams')
        .set(configOf(s))
        .where('id', '=', s.id)
        .where('tenant_id', '=', s.tenantId)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      expectOneRow(res);
    },
    async delete(tenantId, id) {
      await db
        .deleteFrom('ssf_deliveries')
        .where('tenant_id', '=', tenantId)
        .where('stream_id', '=', id)
        .execute();
      const res = await db
        .deleteFrom('ssf_streams')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return res.numDeletedRows === 1n;
    },
  };
}

export function ssfDeliveryStore(db: Kysely<Database>): SsfDeliveryStore {
  return {
    async insertNew(ds) {
      if (ds.length === 0) return 0;
      const res = await db
        .insertInto('ssf_deliveries')
        .values(ds.map(deliveryToRow))
        .onConflict((oc) => oc.columns(['stream_id', 'event_id', 'event_type']).doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0n);
    },
  };
}

/** The delivery worker's statements; the lease is a compare-and-set on the stream row. */
export function ssfWorkerStore(db: Kysely<Database>): SsfWorkerStore {
  return {
    async due(now, limit) {
      const rows = await db
        .selectFrom('ssf_streams')
        .select(['id', 'tenant_id', 'endpoint_url', 'authorization_sealed', 'failures'])
        .where('status', '=', 'enabled')
        .where('retry_at', '<=', now)
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('ssf_deliveries')
              .select('ssf_deliveries.id')
              .whereRef('ssf_deliveries.stream_id', '=', 'ssf_streams.id')
              .where('ssf_deliveries.status', '=', 'pending'),
          ),
        )
        .orderBy('retry_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        tenantId: r.tenant_id,
        endpointUrl: r.endpoint_url,
        sealedAuthorization: r.authorization_sealed,
        failures: Number(r.failures),
      }));
    },
    async claim(streamId, holder, now, leaseMs) {
      const res = await db
        .updateTable('ssf_streams')
        .set({ lease_holder: holder, lease_expires_at: codecs.time.encode(now + leaseMs) })
        .where('id', '=', streamId)
        .where((eb) =>
          eb.or([
            eb('lease_holder', '=', holder),
            eb('lease_holder', 'is', null),
            eb('lease_expires_at', '<=', now),
          ]),
        )
        .executeTakeFirst();
      return res.numUpdatedRows === 1n;
    },
    async release(streamId, holder) {
      await db
        .updateTable('ssf_streams')
        .set({ lease_holder: null, lease_expires_at: 0 })
        .where('id', '=', streamId)
        .where('lease_holder', '=', holder)
        .execute();
    },
    async pending(streamId, limit) {
      const rows = await db
        .selectFrom('ssf_deliveries')
        .selectAll()
        .where('stream_id', '=', streamId)
        .where('status', '=', 'pending')
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(deliveryFromRow);
    },
    async markSent(id, now, attempts) {
      await db
        .updateTable('ssf_deliveries')
        .set({ status: 'sent', sent_at: codecs.time.encode(now), attempts, last_error: null })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .execute();
    },
    async markFailed(id, attempts, error) {
      await db
        .updateTable('ssf_deliveries')
        .set({ status: 'failed', attempts, last_error: error })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .execute();
    },
    async markAttempt(id, attempts, error) {
      await db
        .updateTable('ssf_deliveries')
        .set({ attempts, last_error: error })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .execute();
    },
    async prune(before, limit) {
      const old = db
        .selectFrom('ssf_deliveries')
        .select('id')
        .where('status', 'in', ['sent', 'failed'])
        .where('created_at', '<', before)
        .orderBy('created_at')
        .limit(limit);
      const res = await db.deleteFrom('ssf_deliveries').where('id', 'in', old).executeTakeFirst();
      return Number(res.numDeletedRows);
    },
    async setBackoff(streamId, failures, retryAt, error) {
      await db
        .updateTable('ssf_streams')
        .set({ failures, retry_at: codecs.time.encode(retryAt), last_error: error })
        .where('id', '=', streamId)
        .execute();
    },
  };
}

/** The Shared Signals stores of the unit of work (see `app/ssf/ports.ts`). */
export const ssfStores: StoreBinder = (db) => ({
  ssfStreams: ssfStreamStore(db),
  ssfDeliveries: ssfDeliveryStore(db),
});
