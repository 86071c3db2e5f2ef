import { BadRequestError } from '../../domain/shared/errors.js';
import type { Kysely } from 'kysely';
import type { UserStore } from '../../app/ports.js';
import type { User } from '../../domain/directory/types.js';
import { expectOneRow } from '../cas.js';
import { selectByIds } from '../chunks.js';
import { codecs } from '../codecs.js';
import { uniqueOrConflict } from '../errors.js';
import { listPage } from '../list.js';
import { userFields } from '../../odata/collections.js';
import type { Database, UserRow } from '../schema.js';

const toRow = (u: User): UserRow => ({
  id: u.id,
  tenant_id: u.tenantId,
  display_name: u.displayName,
  user_principal_name: u.userPrincipalName,
  upn_lower: u.userPrincipalName.toLowerCase(),
  mail: u.mail,
  given_name: u.givenName,
  surname: u.surname,
  job_title: u.jobTitle,
  account_enabled: codecs.bool.encode(u.accountEnabled),
  password_hash: u.passwordHash,
  password_must_change: codecs.bool.encode(u.passwordMustChange),
  created_at: codecs.time.encode(u.createdAt),
  modified_at: codecs.time.encode(u.modifiedAt),
  version: u.version,
});

const fromRow = (r: UserRow): User => ({
  id: r.id,
  tenantId: r.tenant_id,
  displayName: r.display_name,
  userPrincipalName: r.user_principal_name,
  mail: r.mail,
  givenName: r.given_name,
  surname: r.surname,
  jobTitle: r.job_title,
  accountEnabled: codecs.bool.decode(r.account_enabled),
  passwordHash: r.password_hash,
  passwordMustChange: codecs.bool.decode(r.password_must_change),
  createdAt: codecs.time.decode(r.created_at),
  modifiedAt: codecs.time.decode(r.modified_at),
  version: r.version,
});

export function userStore(db: Kysely<Database>): UserStore {
  return {
    async insert(u) {
      await uniqueOrConflict(
        db.insertInto('users').values(toRow(u)).execute(),
        () =>
          new BadRequestError(
            'Request_BadRequest',
            'Another object with the same value for property userPrincipalName already exists.',
          ),
      );
    },
    async get(tenantId, id) {
      const r = await db
        .selectFrom('users')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return r && fromRow(r);
    },
    async getMany(tenantId, ids) {
      const rows = await selectByIds(ids, (part) =>
        db
          .selectFrom('users')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('id', 'in', part)
          .execute(),
      );
      return rows.map(fromRow);
    },
    async getByUpn(tenantId, upn) {
      const r = await db
        .selectFrom('users')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('upn_lower', '=', upn.toLowerCase())
        .executeTakeFirst();
      return r && fromRow(r);
    },
    async list(tenantId, q) {
      const page = await listPage(
        db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId),
        q,
        userFields,
      );
      return { ...page, items: page.items.map(fromRow) };
    },
    async update(u, expectedVersion) {
      const { id, tenant_id: _t, created_at: _c, ...values } = toRow(u);
      const res = await uniqueOrConflict(
        db
          .updateTable('users')
          .set({ ...values, version: expectedVersion + 1 })
          .where('id', '=', id)
          .where('tenant_id', '=', u.tenantId)
          .where('version', '=', expectedVersion)
          .executeTakeFirst(),
        () =>
          new BadRequestError(
            'Request_BadRequest',
            'Another object with the same value for property userPrincipalName already exists.',
          ),
      );
      expectOneRow(res);
    },
    async delete(tenantId, id) {
      const res = await db
        .deleteFrom('users')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return res.numDeletedRows === 1n;
    },
  };
}

/** A user row as the domain reads it (the SCIM store joins users with their provisioning client). */
export { fromRow as userFromRow };
