import type { Kysely } from 'kysely';
import type { ScimStore } from '../../app/scim/ports.js';
import type { ScimClient } from '../../domain/scim/scim-client.js';
import { codecs } from '../codecs.js';
import { groupFromRow } from '../directory/group-store.js';
import { userFromRow } from '../directory/user-store.js';
import { uniqueOrConflict } from '../errors.js';
import type { Database } from '../schema.js';
import type { StoreBinder } from '../unit-of-work.js';
import { ConflictError } from '../../domain/shared/errors.js';

/** Migration 0027: a provisioning client; the token as its SHA-256 hash only. */
export interface ScimClientRow {
  id: string;
  tenant_id: string;
  display_name: string;
  token_hash: string;
  token_hint: string;
  created_at: number;
  created_by: string;
}

/** Migration 0027: which client provisioned a user (`scim_users`) or group (`scim_groups`). */
export interface ScimOwnershipRow {
  object_id: string;
  tenant_id: string;
  client_id: string;
  external_id: string | null;
  created_at: number;
}

declare module '../schema.js' {
  interface Database {
    scim_clients: ScimClientRow;
    scim_users: ScimOwnershipRow;
    scim_groups: ScimOwnershipRow;
  }
}

const fromRow = (r: ScimClientRow): ScimClient => ({
  id: r.id,
  tenantId: r.tenant_id,
  displayName: r.display_name,
  tokenHash: r.token_hash,
  tokenHint: r.token_hint,
  createdAt: codecs.time.decode(r.created_at),
  createdBy: r.created_by,
});

const TABLE = { User: 'scim_users', Group: 'scim_groups' } as const;

export function scimStore(db: Kysely<Database>): ScimStore {
  const clients = () => db.selectFrom('scim_clients').selectAll();
  return {
    async listClients(tenantId) {
      const rows = await clients()
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(fromRow);
    },
    async getClient(tenantId, id) {
      const r = await clients().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return r && fromRow(r);
    },
    async clientByTokenHash(tokenHash) {
      const r = await clients().where('token_hash', '=', tokenHash).executeTakeFirst();
      return r && fromRow(r);
    },
    async countClients(tenantId) {
      const r = await db
        .selectFrom('scim_clients')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      return Number(r?.n ?? 0);
    },
    async insertClient(c) {
      await db
        .insertInto('scim_clients')
        .values({
          id: codecs.id.encode(c.id),
          tenant_id: codecs.id.encode(c.tenantId),
          display_name: c.displayName,
          token_hash: c.tokenHash,
          token_hint: c.tokenHint,
          created_at: codecs.time.encode(c.createdAt),
          created_by: c.createdBy,
        })
        .execute();
    },
    async deleteClient(tenantId, id) {
      const res = await db
        .deleteFrom('scim_clients')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return res.numDeletedRows === 1n;
    },

    async own(type, o) {
      await uniqueOrConflict(
        db
          .insertInto(TABLE[type])
          .values({
            object_id: o.objectId,
            tenant_id: o.tenantId,
            client_id: o.clientId,
            external_id: o.externalId,
            created_at: codecs.time.encode(o.createdAt),
          })
          .execute(),
        () => new ConflictError('The object is already provisioned.', 'uniqueness'),
      );
    },
    async setExternalId(type, objectId, externalId) {
      await db
        .updateTable(TABLE[type])
        .set({ external_id: externalId })
        .where('object_id', '=', objectId)
        .execute();
    },
    async owned(type, clientId, objectId) {
      const r = await db
        .selectFrom(TABLE[type])
        .selectAll()
        .where('client_id', '=', clientId)
        .where('object_id', '=', objectId)
        .executeTakeFirst();
      return (
        r && {
          tenantId: r.tenant_id,
          clientId: r.client_id,
          objectId: r.object_id,
          externalId: r.external_id,
          createdAt: codecs.time.decode(r.created_at),
        }
      );
    },
    async ownedUsers(clientId, narrow) {
      let q = db
        .selectFrom('scim_users as o')
        .innerJoin('users as u', 'u.id', 'o.object_id')
        .selectAll('u')
        .select('o.external_id as scim_external_id')
        .where('o.client_id', '=', clientId);
      if (narrow?.attribute === 'userName') q = q.where('u.upn_lower', '=', narrow.value.toLowerCase());
      else if (narrow?.attribute === 'externalId') q = q.where('o.external_id', '=', narrow.value);
      else if (narrow?.attribute === 'id') q = q.where('o.object_id', '=', narrow.value);
      const rows = await q.orderBy('o.created_at').orderBy('o.object_id').execute();
      return rows.map(({ scim_external_id, ...r }) => ({
        user: userFromRow(r),
        externalId: scim_external_id,
      }));
    },
    async ownedGroups(clientId, narrow) {
      let q = db
        .selectFrom('scim_groups as o')
        .innerJoin('groups as g', 'g.id', 'o.object_id')
        .selectAll('g')
        .select('o.external_id as scim_external_id')
        .where('o.client_id', '=', clientId);
      // Display names compare without case in SCIM: narrowed in memory by the filter itself.
      if (narrow?.attribute === 'externalId') q = q.where('o.external_id', '=', narrow.value);
      else if (narrow?.attribute === 'id') q = q.where('o.object_id', '=', narrow.value);
      const rows = await q.orderBy('o.created_at').orderBy('o.object_id').execute();
      return rows.map(({ scim_external_id, ...r }) => ({
        group: groupFromRow(r),
        externalId: scim_external_id,
      }));
    },
    async standingMembers(tenantId, groupId) {
      const rows = await db
        .selectFrom('group_members')
        .select(['member_id', 'member_type'])
        .where('tenant_id', '=', tenantId)
        .where('group_id', '=', groupId)
        .orderBy('member_id')
        .execute();
      return rows.map((r) => ({ id: r.member_id, type: r.member_type }));
    },
  };
}

/** Binds the SCIM store into the unit of work. */
export const scimStores: StoreBinder = (db) => ({ scim: scimStore(db) });
