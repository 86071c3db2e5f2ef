import type { Kysely } from 'kysely';
import { targetGrantFields } from '../../app/connectors/fields.js';
import type { ConnectorLeaseStore, ReconcileCounts, TargetGrantStore } from '../../app/connectors/ports.js';
import type { TargetGrantRecord } from '../../domain/connectors/grant.js';
import { expectOneRow } from '../cas.js';
import { codecs } from '../codecs.js';
import { listPage } from '../list.js';
import type { Database } from '../schema.js';
import type { ConnectorGrantRow } from './rows.js';

const toRow = (r: TargetGrantRecord): ConnectorGrantRow => ({
  id: codecs.id.encode(r.id),
  tenant_id: codecs.id.encode(r.tenantId),
  connector_id: codecs.id.encode(r.connectorId),
  mapping_id: codecs.id.encode(r.mappingId),
  principal_id: codecs.id.encode(r.principalId),
  login: r.login,
  target: r.target,
  state: r.state,
  adopted: codecs.bool.encode(r.adopted),
  schedule_id: r.scheduleId,
  requested_at: codecs.optionalTime.encode(r.requestedAt),
  approved_at: codecs.optionalTime.encode(r.approvedAt),
  effective_at: codecs.optionalTime.encode(r.effectiveAt),
  ended_at: codecs.optionalTime.encode(r.endedAt),
  revoked_at: codecs.optionalTime.encode(r.revokedAt),
  created_at: codecs.time.encode(r.createdAt),
  version: r.version,
});

const fromRow = (r: ConnectorGrantRow): TargetGrantRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  connectorId: r.connector_id,
  mappingId: r.mapping_id,
  principalId: r.principal_id,
  login: r.login,
  target: r.target,
  state: r.state as TargetGrantRecord['state'],
  adopted: codecs.bool.decode(r.adopted),
  scheduleId: r.schedule_id,
  requestedAt: codecs.optionalTime.decode(r.requested_at),
  approvedAt: codecs.optionalTime.decode(r.approved_at),
  effectiveAt: codecs.optionalTime.decode(r.effective_at),
  endedAt: codecs.optionalTime.decode(r.ended_at),
  revokedAt: codecs.optionalTime.decode(r.revoked_at),
  createdAt: codecs.time.decode(r.created_at),
  version: Number(r.version),
});

export function targetGrantStore(db: Kysely<Database>): TargetGrantStore {
  return {
    async owned(tenantId, connectorId, among) {
      const owned = () =>
        db
          .selectFrom('connector_grants')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('connector_id', '=', connectorId)
          .where('state', 'in', ['granting', 'granted'])
          .orderBy('created_at')
          .orderBy('id');
      if (among === undefined) return (await owned().execute()).map(fromRow);
      // One query per index (by principal, by login): an `or` of both reads every record of the
      // connector on SQLite, which then prefers the (connector, state) index.
      const byPrincipal =
        among.principalIds.length === 0
          ? []
          : await owned().where('principal_id', 'in', among.principalIds).execute();
      const byLogin =
        among.logins.length === 0 ? [] : await owned().where('login', 'in', among.logins).execute();
      const rows = new Map([...byPrincipal, ...byLogin].map((r) => [r.id, r]));
      return [...rows.values()]
        .map(fromRow)
        .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },

    async list(tenantId, connectorId, q) {
      const page = await listPage(
        db
          .selectFrom('connector_grants')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('connector_id', '=', connectorId.toLowerCase()),
        q.orderBy.length === 0
          ? { ...q, orderBy: [{ field: 'createdDateTime', column: 'created_at', direction: 'desc' }] }
          : q,
        targetGrantFields,
      );
      return { ...page, items: page.items.map(fromRow) };
    },

    async ofSchedule(tenantId, scheduleId) {
      const rows = await db
        .selectFrom('connector_grants')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('schedule_id', '=', scheduleId.toLowerCase())
        .orderBy('created_at')
        .orderBy('id')
        .limit(100)
        .execute();
      return rows.map(fromRow);
    },

    async insert(r) {
      await db.insertInto('connector_grants').values(toRow(r)).execute();
    },

    async update(r, expectedVersion) {
      const { id, tenant_id, created_at: _c, ...values } = toRow(r);
      const res = await db
        .updateTable('connector_grants')
        .set(values)
        .where('id', '=', id)
        .where('tenant_id', '=', tenant_id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      expectOneRow(res);
    },
  };
}

/** Longest error text kept as a connector's last error. */
const MAX_STATUS_ERROR = 1_000;

/** Leases by compare-and-set on the holder and expiry (like the outbox relay's consumers). */
export function connectorLeaseStore(db: Kysely<Database>): ConnectorLeaseStore {
  return {
    async claim(connectorId, holder, now, leaseMs) {
      const take = () =>
        db
          .updateTable('connector_leases')
          .set({ lease_holder: holder, lease_expires_at: codecs.time.encode(now + leaseMs) })
          .where('connector_id', '=', connectorId)
          .where((eb) =>
            eb.or([
              eb('lease_holder', '=', holder),
              eb('lease_holder', 'is', null),
              eb('lease_expires_at', '<=', now),
            ]),
          )
          .executeTakeFirst();
      if ((await take()).numUpdatedRows === 1n) return true;
      await db
        .insertInto('connector_leases')
        .values({
          connector_id: connectorId,
          lease_holder: null,
          lease_expires_at: 0,
          last_run_at: null,
          last_success_at: null,
          last_error: null,
          failures: 0,
          last_result: null,
        })
        .onConflict((oc) => oc.column('connector_id').doNothing())
        .execute();
      return (await take()).numUpdatedRows === 1n;
    },

    async release(connectorId, holder, outcome) {
      const counts = (c: ReconcileCounts | null) =>
        c === null
          ? null
          : codecs.json.encode({
              granted: c.granted,
              revoked: c.revoked,
              driftRepaired: c.driftRepaired,
              unmanaged: c.unmanaged,
            });
      const at = outcome === undefined ? undefined : codecs.time.encode(outcome.at);
      await db
        .updateTable('connector_leases')
        .set((eb) => ({
          lease_holder: null,
          lease_expires_at: 0,
          ...(outcome === undefined || at === undefined
            ? {}
            : 'result' in outcome
              ? {
                  last_run_at: at,
                  last_success_at: at,
                  last_error: null,
                  failures: 0,
                  last_result: counts(outcome.result),
                }
              : {
                  last_run_at: at,
                  last_error: outcome.error.slice(0, MAX_STATUS_ERROR),
                  failures: eb('failures', '+', 1),
                  last_result: counts(outcome.partial),
                }),
        }))
        .where('connector_id', '=', connectorId)
        .where('lease_holder', '=', holder)
        .execute();
    },
  };
}
