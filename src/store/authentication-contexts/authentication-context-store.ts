import type { Kysely } from 'kysely';
import type { AuthenticationContextStore } from '../../app/authentication-contexts/ports.js';
import type { AuthenticationContext, ContextRequirement } from '../../domain/authn/authentication-context.js';
import { codecs } from '../codecs.js';
import type { AuthenticationContextRow, Database } from '../schema.js';
import type { StoreBinder } from '../unit-of-work.js';

const toContext = (r: AuthenticationContextRow): AuthenticationContext => ({
  tenantId: r.tenant_id,
  id: r.id,
  displayName: r.display_name,
  description: r.description,
  isAvailable: codecs.bool.decode(r.is_available),
  requirement: codecs.json.decode<ContextRequirement>(r.requirement),
  createdAt: codecs.time.decode(r.created_at),
  modifiedAt: codecs.time.decode(r.modified_at),
  version: Number(r.version),
});

const toRow = (c: AuthenticationContext): AuthenticationContextRow => ({
  tenant_id: c.tenantId,
  id: c.id,
  display_name: c.displayName,
  description: c.description,
  is_available: codecs.bool.encode(c.isAvailable),
  requirement: codecs.json.encode(c.requirement),
  created_at: codecs.time.encode(c.createdAt),
  modified_at: codecs.time.encode(c.modifiedAt),
  version: c.version,
});

const byNumber = (a: AuthenticationContext, b: AuthenticationContext) =>
  Number(a.id.slice(1)) - Number(b.id.slice(1));

export function authenticationContextStore(db: Kysely<Database>): AuthenticationContextStore {
  return {
    async list(tenantId) {
      const rows = await db
        .selectFrom('authentication_contexts')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .execute();
      return rows.map(toContext).sort(byNumber);
    },
    async get(tenantId, id) {
      const r = await db
        .selectFrom('authentication_contexts')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return r === undefined ? undefined : toContext(r);
    },
    async insert(context) {
      const r = await db
        .insertInto('authentication_contexts')
        .values(toRow(context))
        .onConflict((oc) => oc.columns(['tenant_id', 'id']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    async update(context, expectedVersion) {
      const { tenant_id: _t, id: _i, created_at: _c, ...changes } = toRow(context);
      const r = await db
        .updateTable('authentication_contexts')
        .set(changes)
        .where('tenant_id', '=', context.tenantId)
        .where('id', '=', context.id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async delete(tenantId, id, expectedVersion) {
      const r = await db
        .deleteFrom('authentication_contexts')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
  };
}

/** The authentication-context feature's stores (see `app/authentication-contexts/ports.ts`). */
export const authenticationContextStores: StoreBinder = (db) => ({
  authenticationContexts: authenticationContextStore(db),
});
