import { sql, type Kysely } from 'kysely';
import { connectorFields } from '../../app/connectors/fields.js';
import type { ConnectorStore, SourceHolder } from '../../app/connectors/ports.js';
import type {
  Connector,
  ConnectorMapping,
  ConnectorSettings,
  ConnectorType,
  LoginSource,
  MappingSource,
} from '../../domain/connectors/connector.js';
import { expectOneRow } from '../cas.js';
import { codecs } from '../codecs.js';
import { listPage } from '../list.js';
import type { Database } from '../schema.js';
import type { ConnectorMappingRow, ConnectorRow } from './rows.js';

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
  settings: codecs.json.decode<ConnectorSettings>(r.settings),
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

/** Rows of `pim_schedules` that hold at `now`. */
const holdingAt = (now: number) => sql<boolean>`start_at <= ${now} and (end_at is null or end_at > ${now})`;

export function connectorStore(db: Kysely<Database>): ConnectorStore {
  /** PIM schedules (assignment kind) holding `roleId` at `scopeId` now: principal, schedule, since. */
  async function pimHolders(
    tenantId: string,
    resourceType: string,
    roleId: string,
    scopeId: string,
    now: number,
  ) {
    return db
      .selectFrom('pim_schedules')
      .select(['id', 'principal_id', 'principal_type', 'start_at', 'created_at', 'created_using'])
      .where('tenant_id', '=', tenantId)
      .where('kind', '=', 'assignment')
      .where('resource_type', '=', resourceType)
      .where('role_definition_id', '=', roleId)
      .where('directory_scope_id', '=', scopeId)
      .where(holdingAt(now))
      .execute();
  }

  /** Users who are members of the group at `now`: standing members and active PIM members. */
  async function groupMembers(
    tenantId: string,
    groupId: string,
    now: number,
  ): Promise<Omit<SourceHolder, 'userPrincipalName'>[]> {
    const standing = await db
      .selectFrom('group_members')
      .select('member_id')
      .where('tenant_id', '=', tenantId)
      .where('group_id', '=', groupId)
      .where('member_type', '=', 'user')
      .execute();
    const pim = await pimHolders(tenantId, 'group', 'member', groupId, now);
    return [
      ...standing.map((r) => ({ principalId: r.member_id, scheduleId: null, requestId: null, since: null })),
      ...pim
        .filter((r) => r.principal_type === 'user')
        .map((r) => ({
          principalId: r.principal_id,
          scheduleId: r.id,
          requestId: r.created_using,
          since: Math.max(codecs.time.decode(r.start_at), codecs.time.decode(r.created_at)),
        })),
    ];
  }

  return {
    async list(tenantId, q) {
      const page = await listPage(
        db.selectFrom('connectors').selectAll().where('tenant_id', '=', tenantId),
        q,
        connectorFields,
      );
      return { ...page, items: page.items.map(fromRow) };
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

    async holders(m, now) {
      const found: Omit<SourceHolder, 'userPrincipalName'>[] = [];
      if (m.source === 'group') {
        found.push(...(await groupMembers(m.tenantId, m.sourceId, now)));
      } else {
        const direct = await db
          .selectFrom('role_assignments')
          .select(['principal_id', 'principal_type'])
          .where('tenant_id', '=', m.tenantId)
          .where('role_definition_id', '=', m.sourceId)
          .where('directory_scope_id', '=', m.directoryScopeId)
          .execute();
        const pim = await pimHolders(m.tenantId, 'directoryRole', m.sourceId, m.directoryScopeId, now);
        const held = [
          ...direct.map((r) => ({
            principalId: r.principal_id,
            principalType: r.principal_type,
            scheduleId: null,
            requestId: null,
            since: null,
          })),
          ...pim.map((r) => ({
            principalId: r.principal_id,
            principalType: r.principal_type,
            scheduleId: r.id,
            requestId: r.created_using,
            since: Math.max(codecs.time.decode(r.start_at), codecs.time.decode(r.created_at)),
          })),
        ];
        for (const h of held) {
          if (h.principalType === 'user') found.push(h);
          // A group holding the role passes it to its members (one level, as role-assignable groups nest none).
          else if (h.principalType === 'group')
            found.push(...(await groupMembers(m.tenantId, h.principalId, now)));
        }
      }
      if (found.length === 0) return [];
      const users = await db
        .selectFrom('users')
        .select(['id', 'user_principal_name'])
        .where('tenant_id', '=', m.tenantId)
        .where('account_enabled', '=', 1)
        .where(
          'id',
          'in',
          found.map((f) => f.principalId),
        )
        .execute();
      const upn = new Map(users.map((u) => [u.id, u.user_principal_name]));
      // One holding per user: a schedule (it has times) before standing membership.
      const byUser = new Map<string, SourceHolder>();
      for (const f of found) {
        const name = upn.get(f.principalId);
        if (name === undefined) continue;
        const prior = byUser.get(f.principalId);
        if (prior === undefined || (prior.scheduleId === null && f.scheduleId !== null))
          byUser.set(f.principalId, { ...f, userPrincipalName: name });
      }
      return [...byUser.values()];
    },

    async nextChange(mappings, now) {
      if (mappings.length === 0) return null;
      const tenantId = mappings[0]!.tenantId;
      const roles = [...new Set(['member', ...mappings.map((m) => m.sourceId)])];
      const base = db
        .selectFrom('pim_schedules')
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', 'assignment')
        .where('role_definition_id', 'in', roles);
      // Group mappings: a PIM membership's scope is the group id.
      const starts = await base
        .select((eb) => eb.fn.min<number | string | null>('start_at').as('t'))
        .where('start_at', '>', now)
        .executeTakeFirst();
      const ends = await base
        .select((eb) => eb.fn.min<number | string | null>('end_at').as('t'))
        .where('end_at', '>', now)
        .executeTakeFirst();
      const times = [starts?.t, ends?.t].filter((t) => t !== null && t !== undefined).map(Number);
      return times.length === 0 ? null : Math.min(...times);
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
