import type { Kysely } from 'kysely';
import {
  administrativeUnitFields,
  administrativeUnitMemberFields,
  type AdministrativeUnitStore,
} from '../../app/administrative-units/ports.js';
import type {
  AdministrativeUnit,
  AdministrativeUnitMember,
  AdministrativeUnitVisibility,
} from '../../domain/directory/administrative-unit.js';
import { expectOneRow } from '../cas.js';
import { codecs } from '../codecs.js';
import { uniqueOrConflict } from '../errors.js';
import { listPage } from '../list.js';
import type { Database } from '../schema.js';
import type { StoreBinder } from '../unit-of-work.js';

/** Migration 0031: an administrative unit. */
export interface AdministrativeUnitRow {
  tenant_id: string;
  id: string;
  display_name: string;
  description: string | null;
  visibility: string | null;
  created_at: number;
  modified_at: number;
  version: number;
}

/** Migration 0031: one member of a unit. */
export interface AdministrativeUnitMemberRow {
  tenant_id: string;
  unit_id: string;
  member_id: string;
  member_type: string;
  created_at: number;
}

declare module '../schema.js' {
  interface Database {
    administrative_units: AdministrativeUnitRow;
    administrative_unit_members: AdministrativeUnitMemberRow;
  }
}

const toRow = (u: AdministrativeUnit): AdministrativeUnitRow => ({
  tenant_id: codecs.id.encode(u.tenantId),
  id: codecs.id.encode(u.id),
  display_name: u.displayName,
  description: u.description,
  visibility: u.visibility,
  created_at: codecs.time.encode(u.createdAt),
  modified_at: codecs.time.encode(u.modifiedAt),
  version: u.version,
});

const fromRow = (r: AdministrativeUnitRow): AdministrativeUnit => ({
  id: r.id,
  tenantId: r.tenant_id,
  displayName: r.display_name,
  description: r.description,
  visibility: r.visibility as AdministrativeUnitVisibility | null,
  createdAt: codecs.time.decode(r.created_at),
  modifiedAt: codecs.time.decode(r.modified_at),
  version: Number(r.version),
});

const memberOf = (r: {
  unit_id: string;
  member_id: string;
  member_type: string;
}): AdministrativeUnitMember => ({
  unitId: r.unit_id,
  memberId: r.member_id,
  memberType: r.member_type === 'group' ? 'group' : 'user',
});

export function administrativeUnitStore(db: Kysely<Database>): AdministrativeUnitStore {
  return {
    async list(tenantId, q) {
      const page = await listPage(
        db.selectFrom('administrative_units').selectAll().where('tenant_id', '=', tenantId),
        q,
        administrativeUnitFields,
      );
      return { ...page, items: page.items.map(fromRow) };
    },
    async get(tenantId, id) {
      const r = await db
        .selectFrom('administrative_units')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id.toLowerCase())
        .executeTakeFirst();
      return r && fromRow(r);
    },
    async insert(u) {
      await uniqueOrConflict(
        db.insertInto('administrative_units').values(toRow(u)).execute(),
        'An administrative unit with this id already exists.',
      );
    },
    async update(u, expectedVersion) {
      const { tenant_id, id, created_at: _c, ...values } = toRow(u);
      const res = await db
        .updateTable('administrative_units')
        .set(values)
        .where('tenant_id', '=', tenant_id)
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      expectOneRow(res);
    },
    async delete(tenantId, id, expectedVersion) {
      const res = await db
        .deleteFrom('administrative_units')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      if (res.numDeletedRows !== 1n) return false;
      await db
        .deleteFrom('administrative_unit_members')
        .where('tenant_id', '=', tenantId)
        .where('unit_id', '=', id)
        .execute();
      return true;
    },
    async members(tenantId, unitId, q) {
      const page = await listPage(
        db
          .selectFrom('administrative_unit_members')
          .select(['unit_id', 'member_id', 'member_type'])
          .where('tenant_id', '=', tenantId)
          .where('unit_id', '=', unitId),
        q,
        administrativeUnitMemberFields,
        'member_id',
      );
      return { ...page, items: page.items.map(memberOf) };
    },
    async countMembers(tenantId, unitId) {
      const r = await db
        .selectFrom('administrative_unit_members')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('tenant_id', '=', tenantId)
        .where('unit_id', '=', unitId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async addMember(tenantId, m, now) {
      await uniqueOrConflict(
        db
          .insertInto('administrative_unit_members')
          .values({
            tenant_id: tenantId,
            unit_id: m.unitId,
            member_id: m.memberId,
            member_type: m.memberType,
            created_at: codecs.time.encode(now),
          })
          .execute(),
        'The object is already a member of the administrative unit.',
      );
    },
    async removeMember(tenantId, unitId, memberId) {
      const res = await db
        .deleteFrom('administrative_unit_members')
        .where('tenant_id', '=', tenantId)
        .where('unit_id', '=', unitId)
        .where('member_id', '=', memberId)
        .executeTakeFirst();
      return res.numDeletedRows === 1n;
    },
    async unitsOf(tenantId, memberId) {
      const rows = await db
        .selectFrom('administrative_unit_members')
        .select('unit_id')
        .where('tenant_id', '=', tenantId)
        .where('member_id', '=', memberId)
        .execute();
      return rows.map((r) => r.unit_id);
    },
    async rolesHeldAt(tenantId, principalIds, scopes, now) {
      if (principalIds.length === 0 || scopes.length === 0) return [];
      const direct = await db
        .selectFrom('role_assignments')
        .select(['role_definition_id', 'directory_scope_id'])
        .distinct()
        .where('tenant_id', '=', tenantId)
        .where('principal_id', 'in', [...principalIds])
        .where('directory_scope_id', 'in', [...scopes])
        .execute();
      const pim = await db
        .selectFrom('pim_schedules')
        .select(['role_definition_id', 'directory_scope_id'])
        .distinct()
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', 'assignment')
        .where('resource_type', '=', 'directoryRole')
        .where('principal_id', 'in', [...principalIds])
        .where('directory_scope_id', 'in', [...scopes])
        .where('start_at', '<=', now)
        .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]))
        .execute();
      const seen = new Set<string>();
      const out: { roleDefinitionId: string; directoryScopeId: string }[] = [];
      for (const r of [...direct, ...pim]) {
        const key = `${r.role_definition_id} ${r.directory_scope_id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ roleDefinitionId: r.role_definition_id, directoryScopeId: r.directory_scope_id });
      }
      return out;
    },
    async scopeInUse(tenantId, scope, now) {
      const direct = await db
        .selectFrom('role_assignments')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('directory_scope_id', '=', scope)
        .limit(1)
        .executeTakeFirst();
      if (direct) return true;
      const schedule = await db
        .selectFrom('pim_schedules')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('resource_type', '=', 'directoryRole')
        .where('directory_scope_id', '=', scope)
        .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]))
        .limit(1)
        .executeTakeFirst();
      return schedule !== undefined;
    },
  };
}

/** The administrative units' stores (see `app/administrative-units/ports.ts`). */
export const administrativeUnitStores: StoreBinder = (db) => ({
  administrativeUnits: administrativeUnitStore(db),
});
