import type { Kysely } from 'kysely';
import type { ServicePrincipalStore } from '../../app/ports.js';
import type { PasswordCredential, ServicePrincipal } from '../../domain/directory/types.js';
import { expectOneRow } from '../cas.js';
import { selectByIds } from '../chunks.js';
import { codecs } from '../codecs.js';
import { listPage } from '../list.js';
import { servicePrincipalFields } from '../../odata/collections.js';
import type { Database, ServicePrincipalRow, ServicePrincipalSecretRow } from '../schema.js';

const toRow = (sp: ServicePrincipal): ServicePrincipalRow => ({
  id: sp.id,
  tenant_id: sp.tenantId,
  app_id: sp.appId,
  display_name: sp.displayName,
  account_enabled: codecs.bool.encode(sp.accountEnabled),
  app_permissions: codecs.json.encode(sp.appPermissions),
  created_at: codecs.time.encode(sp.createdAt),
  modified_at: codecs.time.encode(sp.modifiedAt),
  version: sp.version,
});

const fromRow = (r: ServicePrincipalRow): ServicePrincipal => ({
  id: r.id,
  tenantId: r.tenant_id,
  appId: r.app_id,
  displayName: r.display_name,
  accountEnabled: codecs.bool.decode(r.account_enabled),
  appPermissions: codecs.json.decode<string[]>(r.app_permissions),
  createdAt: codecs.time.decode(r.created_at),
  modifiedAt: codecs.time.decode(r.modified_at),
  version: r.version,
});

const secretFromRow = (r: ServicePrincipalSecretRow): PasswordCredential => ({
  keyId: r.key_id,
  servicePrincipalId: r.service_principal_id,
  displayName: r.display_name,
  hint: r.hint,
  secretHash: r.secret_hash,
  startAt: codecs.time.decode(r.start_at),
  endAt: codecs.optionalTime.decode(r.end_at),
});

export function servicePrincipalStore(db: Kysely<Database>): ServicePrincipalStore {
  return {
    async insert(sp) {
      await db.insertInto('service_principals').values(toRow(sp)).execute();
    },
    async get(tenantId, id) {
      const r = await db
        .selectFrom('service_principals')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return r && fromRow(r);
    },
    async getMany(tenantId, ids) {
      const rows = await selectByIds(ids, (part) =>
        db
          .selectFrom('service_principals')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('id', 'in', part)
          .execute(),
      );
      return rows.map(fromRow);
    },
    async getByAppId(appId) {
      const r = await db
        .selectFrom('service_principals')
        .selectAll()
        .where('app_id', '=', appId.toLowerCase())
        .executeTakeFirst();
      return r && fromRow(r);
    },
    async list(tenantId, q) {
      const page = await listPage(
        db.selectFrom('service_principals').selectAll().where('tenant_id', '=', tenantId),
        q,
        servicePrincipalFields,
      );
      return { ...page, items: page.items.map(fromRow) };
    },
    async update(sp, expectedVersion) {
      const { id, tenant_id: _t, created_at: _c, ...values } = toRow(sp);
      const res = await db
        .updateTable('service_principals')
        .set({ ...values, version: expectedVersion + 1 })
        .where('id', '=', id)
        .where('tenant_id', '=', sp.tenantId)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      expectOneRow(res);
    },
    async delete(tenantId, id) {
      const res = await db
        .deleteFrom('service_principals')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return res.numDeletedRows === 1n;
    },
    async addPassword(tenantId, c, now) {
      await db
        .insertInto('service_principal_secrets')
        .values({
          key_id: c.keyId,
          tenant_id: tenantId,
          service_principal_id: c.servicePrincipalId,
          display_name: c.displayName,
          hint: c.hint,
          secret_hash: c.secretHash,
          start_at: codecs.time.encode(c.startAt),
          end_at: codecs.optionalTime.encode(c.endAt),
          created_at: codecs.time.encode(now),
        })
        .execute();
    },
    async passwords(servicePrincipalId) {
      const rows = await db
        .selectFrom('service_principal_secrets')
        .selectAll()
        .where('service_principal_id', '=', servicePrincipalId)
        .orderBy('created_at')
        .execute();
      return rows.map(secretFromRow);
    },
    async removePassword(tenantId, servicePrincipalId, keyId) {
      const res = await db
        .deleteFrom('service_principal_secrets')
        .where('tenant_id', '=', tenantId)
        .where('service_principal_id', '=', servicePrincipalId)
        .where('key_id', '=', keyId)
        .executeTakeFirst();
      return res.numDeletedRows === 1n;
    },
  };
}
