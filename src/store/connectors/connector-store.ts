import type { Kysely } from 'kysely';
import { connectorFields } from '../../app/connectors/fields.js';
import type { ConnectorStatus, ConnectorStore, ReconcileCounts } from '../../app/connectors/ports.js';
import {
  withSettingDefaults,
  type Connector,
  type ConnectorLogin,
  type ConnectorMapping,
  type ConnectorSettings,
  type ConnectorType,
  type LoginSource,
  type MappingSource,
} from '../../domain/connectors/connector.js';
import { expectOneRow } from '../cas.js';
import { codecs } from '../codecs.js';
import { listPage } from '../list.js';
import type { Database } from '../schema.js';
import { holderQueries } from './holders.js';
import type { ConnectorLoginRow, ConnectorMappingRow, ConnectorRow } from './rows.js';

const toRow = (c: Connector): ConnectorRow => ({
  id: codecs.id.encode(c.id),
  tenant_id: codecs.id.encode(c.tenantId),
  display_name: c.displayName,
  type: c.type,
  settings: codecs.json.encode(c.settings),
  login_source: c.loginSource,
  is_enabled: codecs.bool.encode(c.isEnabled),
  secret_sealed: c.sealedSecret,
  secret_version: c.secretVersion,
  created_at: codecs.time.encode(c.createdAt),
  modified_at: codecs.time.encode(c.modifiedAt),
  version: c.version,
});

const fromRow = (r: ConnectorRow): Connector => ({
  id: r.id,
  tenantId: r.tenant_id,
  displayName: r.display_name,
  type: r.type as ConnectorType,
  settings: withSettingDefaults(codecs.json.decode<ConnectorSettings>(r.settings)),
  loginSource: r.login_source as LoginSource,
  isEnabled: codecs.bool.decode(r.is_enabled),
  sealedSecret: r.secret_sealed,
  secretVersion: Number(r.secret_version),
  createdAt: codecs.time.decode(r.created_at),
  modifiedAt: codecs.time.decode(r.modified_at),
  version: Number(r.version),
});

const mappingFromRow = (r: ConnectorMappingRow): ConnectorMapping => ({
  id: r.id,
  tenantId: r.tenant_id,
  connectorId: r.connector_id,
  source: r.source as MappingSource,
  sourceId: r.source_id,
  directoryScopeId: r.directory_scope_id,
  targetGrant: r.target_grant,
  createdAt: codecs.time.decode(r.created_at),
});

const loginFromRow = (r: ConnectorLoginRow): ConnectorLogin => ({
  tenantId: r.tenant_id,
  connectorId: r.connector_id,
  principalId: r.principal_id,
  login: r.login,
  createdAt: codecs.time.decode(r.created_at),
  modifiedAt: codecs.time.decode(r.modified_at),
});

export function connectorStore(db: Kysely<Database>): ConnectorStore {
  return {
    ...holderQueries(db),

    async list(tenantId, q) {
      const page = await listPage(
        db.selectFrom('connectors').selectAll().where('tenant_id', '=', tenantId),
        q,
        connectorFields,
      );
      return { ...page, items: page.items.map(fromRow) };
    },

    async statuses(connectorIds) {
      const out = new Map<string, ConnectorStatus>();
      if (connectorIds.length === 0) return out;
      const rows = await db
        .selectFrom('connector_leases')
        .selectAll()
        .where(
          'connector_id',
          'in',
          connectorIds.map((id) => codecs.id.encode(id)),
        )
        .where('last_run_at', 'is not', null)
        .execute();
      for (const r of rows)
        out.set(codecs.id.decode(r.connector_id), {
          lastRunAt: r.last_run_at === null ? null : codecs.time.decode(r.last_run_at),
          lastSuccessAt: r.last_success_at === null ? null : codecs.time.decode(r.last_success_at),
          failures: Number(r.failures),
          lastError: r.last_error,
          lastResult: r.last_result === null ? null : codecs.json.decode<ReconcileCounts>(r.last_result),
        });
      return out;
    },

    async get(tenantId, id) {
      const r = await db
        .selectFrom('connectors')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id.toLowerCase())
        .executeTakeFirst();
      return r && fromRow(r);
    },

    async count(tenantId) {
      const r = await db
        .selectFrom('connectors')
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async insert(c) {
      await db.insertInto('connectors').values(toRow(c)).execute();
    },

    async update(c, expectedVersion) {
      const { id, tenant_id, created_at: _c, ...values } = toRow(c);
      const res = await db
        .updateTable('connectors')
        .set(values)
        .where('id', '=', id)
        .where('tenant_id', '=', tenant_id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      expectOneRow(res);
    },

    async delete(tenantId, id) {
      await db
        .deleteFrom('connector_mappings')
        .where('tenant_id', '=', tenantId)
        .where('connector_id', '=', id)
        .execute();
      await db
        .deleteFrom('connector_logins')
        .where('tenant_id', '=', tenantId)
        .where('connector_id', '=', id)
        .execute();
      const res = await db
        .deleteFrom('connectors')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return res.numDeletedRows === 1n;
    },

    async allEnabled() {
      const rows = await db.selectFrom('connectors').selectAll().where('is_enabled', '=', 1).execute();
      return rows.map(fromRow);
    },

    async mappings(tenantId, connectorId) {
      const rows = await db
        .selectFrom('connector_mappings')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('connector_id', '=', connectorId.toLowerCase())
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(mappingFromRow);
    },

    async mapping(tenantId, connectorId, id) {
      const r = await db
        .selectFrom('connector_mappings')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('connector_id', '=', connectorId.toLowerCase())
        .where('id', '=', id.toLowerCase())
        .executeTakeFirst();
      return r && mappingFromRow(r);
    },

    async insertMapping(m) {
      await db
        .insertInto('connector_mappings')
        .values({
          id: codecs.id.encode(m.id),
          tenant_id: codecs.id.encode(m.tenantId),
          connector_id: codecs.id.encode(m.connectorId),
          source: m.source,
          source_id: m.sourceId,
          directory_scope_id: m.directoryScopeId,
          target_grant: m.targetGrant,
          created_at: codecs.time.encode(m.createdAt),
        })
        .execute();
    },

    async deleteMapping(tenantId, connectorId, id) {
      const res = await db
        .deleteFrom('connector_mappings')
        .where('tenant_id', '=', tenantId)
        .where('connector_id', '=', connectorId)
        .where('id', '=', id)
        .executeTakeFirst();
      return res.numDeletedRows === 1n;
    },

    async logins(tenantId, connectorId, among) {
      if (among?.length === 0) return [];
      const rows = await db
        .selectFrom('connector_logins')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('connector_id', '=', connectorId.toLowerCase())
        .$if(among !== undefined, (q) => q.where('principal_id', 'in', among!))
        .orderBy('created_at')
        .orderBy('principal_id')
        .execute();
      return rows.map(loginFromRow);
    },

    async login(tenantId, connectorId, principalId) {
      const r = await db
        .selectFrom('connector_logins')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('connector_id', '=', connectorId.toLowerCase())
        .where('principal_id', '=', principalId.toLowerCase())
        .executeTakeFirst();
      return r && loginFromRow(r);
    },

    async loginNamed(tenantId, connectorId, login) {
      const r = await db
        .selectFrom('connector_logins')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('connector_id', '=', connectorId.toLowerCase())
        .where('login', '=', login)
        .executeTakeFirst();
      return r && loginFromRow(r);
    },

    async putLogin(l) {
      const row: ConnectorLoginRow = {
        tenant_id: codecs.id.encode(l.tenantId),
        connector_id: codecs.id.encode(l.connectorId),
        principal_id: codecs.id.encode(l.principalId),
        login: l.login,
        created_at: codecs.time.encode(l.createdAt),
        modified_at: codecs.time.encode(l.modifiedAt),
      };
      await db
        .insertInto('connector_logins')
        .values(row)
        .onConflict((oc) =>
          oc
            .columns(['connector_id', 'principal_id'])
            .doUpdateSet({ login: row.login, modified_at: row.modified_at }),
        )
        .execute();
    },

    async deleteLogin(tenantId, connectorId, principalId) {
      const res = await db
        .deleteFrom('connector_logins')
        .where('tenant_id', '=', tenantId)
        .where('connector_id', '=', connectorId.toLowerCase())
        .where('principal_id', '=', principalId.toLowerCase())
        .executeTakeFirst();
      return res.numDeletedRows === 1n;
    },

    async scheduleEnd(tenantId, scheduleId) {
      const r = await db
        .selectFrom('pim_schedules')
        .select('end_at')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', scheduleId)
        .executeTakeFirst();
      return r?.end_at === null || r?.end_at === undefined ? null : codecs.time.decode(r.end_at);
    },

    async requestedAt(tenantId, requestId) {
      const r = await db
        .selectFrom('pim_schedule_requests')
        .select('created_at')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', requestId)
        .executeTakeFirst();
      return r === undefined ? null : codecs.time.decode(r.created_at);
    },
  };
}
