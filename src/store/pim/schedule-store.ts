import { sql, type Kysely } from 'kysely';
import type { ScheduleStore } from '../../app/pim/ports.js';
import type { SlotKey } from '../../domain/pim/schedule.js';
import {
  assignmentInstanceFields,
  assignmentScheduleFields,
  eligibilityInstanceFields,
  eligibilityScheduleFields,
  groupAssignmentInstanceFields,
  groupAssignmentScheduleFields,
  groupEligibilityInstanceFields,
  groupEligibilityScheduleFields,
} from '../../odata/collections.js';
import type { ResourceType, ScheduleKind } from '../../domain/pim/types.js';
import type { FieldMap } from '../../odata/field-map.js';
import { expectOneRow } from '../cas.js';
import { codecs } from '../codecs.js';
import { uniqueOrConflict } from '../errors.js';
import { pageOf } from './paging.js';
import { scheduleToInstance } from '../../domain/pim/schedule.js';
import { fromDirect, fromRow, instanceFromRow, toRow } from './schedule-codecs.js';
import { currentPim, directAsInstances, directAsSchedules, holdingPim } from './schedule-queries.js';
import type { Database } from '../schema.js';

/** Graph's names of the columns, per resource type and kind, for `$filter`, `$orderby`, `$select`. */
const SCHEDULE_FIELDS: Record<ResourceType, Record<ScheduleKind, FieldMap>> = {
  directoryRole: { eligibility: eligibilityScheduleFields, assignment: assignmentScheduleFields },
  group: { eligibility: groupEligibilityScheduleFields, assignment: groupAssignmentScheduleFields },
  // Resource roles keep a directory role's columns (role id, scope path in the scope column).
  resourceRole: { eligibility: eligibilityScheduleFields, assignment: assignmentScheduleFields },
};
const INSTANCE_FIELDS: Record<ResourceType, Record<ScheduleKind, FieldMap>> = {
  directoryRole: { eligibility: eligibilityInstanceFields, assignment: assignmentInstanceFields },
  group: { eligibility: groupEligibilityInstanceFields, assignment: groupAssignmentInstanceFields },
  resourceRole: { eligibility: eligibilityInstanceFields, assignment: assignmentInstanceFields },
};

/**
 * Eligibility and assignment schedules over `pim_schedules`, the slots over `pim_slots`, and the
 * foundation's `role_assignments` read as direct assignments. Every "what holds now" query filters
 * by `start_at <= now < end_at` with the caller's `now` (invariant 2): nothing depends on the
 * sweeper having run.
 */
export function scheduleStore(db: Kysely<Database>): ScheduleStore {
  const slot = (key: SlotKey) =>
    db
      .selectFrom('pim_schedules')
      .selectAll()
      .where('tenant_id', '=', key.tenantId)
      .where('kind', '=', key.kind)
      .where('principal_id', '=', key.principalId)
      .where('role_definition_id', '=', key.roleDefinitionId)
      .where('directory_scope_id', '=', key.directoryScopeId);

  return {
    async insert(s) {
      await uniqueOrConflict(
        db.insertInto('pim_schedules').values(toRow(s)).execute(),
        'A schedule with this id already exists.',
      );
    },

    async update(s, expectedVersion) {
      const res = await db
        .updateTable('pim_schedules')
        .set({
          start_at: codecs.time.encode(s.window.start),
          end_at: codecs.optionalTime.encode(s.window.end),
          status: s.status,
          modified_at: codecs.time.encode(s.modifiedAt),
          expiry_recorded_at: codecs.optionalTime.encode(s.expiryRecordedAt),
          version: expectedVersion + 1,
        })
        .where('id', '=', s.id)
        .where('tenant_id', '=', s.tenantId)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      expectOneRow(res);
    },

    async get(tenantId, kind, id, resourceType) {
      let qb = db
        .selectFrom('pim_schedules')
        .selectAll()
        .where('id', '=', id)
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', kind);
      if (resourceType !== undefined) qb = qb.where('resource_type', '=', resourceType);
      const r = await qb.executeTakeFirst();
      if (r) return fromRow(r);
      if (kind !== 'assignment' || (resourceType !== undefined && resourceType !== 'directoryRole'))
        return undefined;
      const direct = await db
        .selectFrom('role_assignments')
        .selectAll()
        .where('id', '=', id)
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      return direct && fromDirect(direct);
    },

    async latestInSlot(key, now) {
      const r = await slot(key)
        .orderBy(sql`case when end_at is null or end_at > ${now} then 0 else 1 end`)
        .orderBy('end_at', (ob) => ob.desc().nullsFirst())
        .orderBy('start_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      return r && fromRow(r);
    },

    async directAssignment(key) {
      if (key.kind !== 'assignment') return undefined;
      const r = await db
        .selectFrom('role_assignments')
        .selectAll()
        .where('tenant_id', '=', key.tenantId)
        .where('principal_id', '=', key.principalId)
        .where('role_definition_id', '=', key.roleDefinitionId)
        .where('directory_scope_id', '=', key.directoryScopeId)
        .executeTakeFirst();
      return r && fromDirect(r);
    },

    async eligibilities(tenantId, principalIds, roleDefinitionId, scopeIds, now) {
      if (principalIds.length === 0 || scopeIds.length === 0) return [];
      const rows = await db
        .selectFrom('pim_schedules')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', 'eligibility')
        .where('principal_id', 'in', [...principalIds])
        .where('role_definition_id', '=', roleDefinitionId)
        .where('directory_scope_id', 'in', [...scopeIds])
        .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]))
        .execute();
      return rows.map(fromRow);
    },

    async atScope(tenantId, resourceType, scopeId, now) {
      const rows = await db
        .selectFrom('pim_schedules')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('resource_type', '=', resourceType)
        .where('directory_scope_id', '=', scopeId)
        .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]))
        .orderBy('kind', 'desc')
        .orderBy('id')
        .execute();
      return rows.map(fromRow);
    },

    async anyForRole(tenantId, resourceType, roleDefinitionId, now) {
      const r = await db
        .selectFrom('pim_schedules')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('resource_type', '=', resourceType)
        .where('role_definition_id', '=', roleDefinitionId)
        .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]))
        .limit(1)
        .executeTakeFirst();
      return r !== undefined;
    },

    async holdingAtScopes(tenantId, principalIds, resourceType, scopeIds, now) {
      if (principalIds.length === 0 || scopeIds.length === 0) return [];
      const rows = await db
        .selectFrom('pim_schedules')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', 'assignment')
        .where('resource_type', '=', resourceType)
        .where('principal_id', 'in', [...principalIds])
        .where('directory_scope_id', 'in', [...scopeIds])
        .where('start_at', '<=', now)
        .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]))
        .execute();
      return rows.map(fromRow);
    },

    async activeAssignment(tenantId, principalIds, roleDefinitionId, directoryScopeId, now) {
      if (principalIds.length === 0) return undefined;
      const ids = [...principalIds];
      const direct = await db
        .selectFrom('role_assignments')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('principal_id', 'in', ids)
        .where('role_definition_id', '=', roleDefinitionId)
        .where('directory_scope_id', '=', directoryScopeId)
        .limit(1)
        .executeTakeFirst();
      if (direct) return scheduleToInstance(fromDirect(direct));
      const r = await db
        .selectFrom('pim_schedules')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', 'assignment')
        .where('resource_type', '=', 'directoryRole')
        .where('principal_id', 'in', ids)
        .where('role_definition_id', '=', roleDefinitionId)
        .where('directory_scope_id', '=', directoryScopeId)
        .where('start_at', '<=', now)
        .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]))
        .orderBy('end_at', (ob) => ob.desc().nullsFirst())
        .limit(1)
        .executeTakeFirst();
      return r && scheduleToInstance(fromRow(r));
    },

    async activeGroupIds(tenantId, principalId, accessId, now) {
      const rows = await db
        .selectFrom('pim_schedules')
        .select('directory_scope_id')
        .distinct()
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', 'assignment')
        .where('principal_id', '=', principalId)
        .where('role_definition_id', '=', accessId)
        .where('resource_type', '=', 'group')
        .where('start_at', '<=', now)
        .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]))
        .execute();
      return rows.map((row) => row.directory_scope_id);
    },

    async heldOrEligibleGroupIds(tenantId, principalId, now) {
      const rows = await db
        .selectFrom('pim_schedules')
        .select('directory_scope_id')
        .distinct()
        .where('tenant_id', '=', tenantId)
        .where('principal_id', '=', principalId)
        .where('role_definition_id', '=', 'member')
        .where('resource_type', '=', 'group')
        .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]))
        .execute();
      return rows.map((row) => row.directory_scope_id);
    },

    async activeRoleIds(tenantId, principalIds, now) {
      if (principalIds.length === 0) return [];
      const rows = await db
        .selectFrom('pim_schedules')
        .select('role_definition_id')
        .distinct()
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', 'assignment')
        .where('principal_id', 'in', [...principalIds])
        .where('resource_type', '=', 'directoryRole')
        .where('directory_scope_id', '=', '/')
        .where('start_at', '<=', now)
        .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]))
        .execute();
      return rows.map((row) => row.role_definition_id);
    },

    async activatedWith(tenantId, eligibilityId, now) {
      const rows = await db
        .selectFrom('pim_schedules')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', 'assignment')
        .where('activated_using', '=', eligibilityId)
        .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]))
        .execute();
      return rows.map(fromRow);
    },

    async endAllForPrincipal(tenantId, principalId, now) {
      const res = await db
        .updateTable('pim_schedules')
        .set((eb) => ({
          end_at: eb.case().when('start_at', '>', now).then(eb.ref('start_at')).else(now).end(),
          status: 'Revoked',
          // The end is recorded by the removal itself: the expiry sweeper must not later call it
          // `Expired` (and announce an expiry), as every other revocation also records it.
          expiry_recorded_at: codecs.time.encode(now),
          modified_at: now,
          version: eb('version', '+', 1),
        }))
        .where('tenant_id', '=', tenantId)
        .where('principal_id', '=', principalId)
        .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]))
        .executeTakeFirst();
      await db
        .updateTable('pim_slots')
        .set((eb) => ({ version: eb('version', '+', 1) }))
        .where('tenant_id', '=', tenantId)
        .where('principal_id', '=', principalId)
        .execute();
      return Number(res.numUpdatedRows);
    },

    async heldOrEligibleRoleIds(tenantId, principalIds, now) {
      if (principalIds.length === 0) return [];
      const rows = await db
        .selectFrom('pim_schedules')
        .select('role_definition_id')
        .distinct()
        .where('tenant_id', '=', tenantId)
        .where('principal_id', 'in', [...principalIds])
        .where('resource_type', '=', 'directoryRole')
        .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]))
        .execute();
      return rows.map((row) => row.role_definition_id);
    },

    async list(tenantId, kind, q, view, now, resourceType = 'directoryRole') {
      const pim = currentPim(db, tenantId, kind, now, resourceType);
      const union =
        kind === 'assignment' && resourceType === 'directoryRole'
          ? pim.unionAll(directAsSchedules(db, tenantId))
          : pim;
      let qb = db.selectFrom(union.as('s')).selectAll();
      if (view.principalIds !== undefined) {
        if (view.principalIds.length === 0)
          return { items: [], hasMore: false, ...(q.count ? { count: 0 } : {}) };
        qb = qb.where('principal_id', 'in', [...view.principalIds]);
      }
      const page = await pageOf(qb, q, SCHEDULE_FIELDS[resourceType][kind], 'id');
      return { ...page, items: page.items.map(fromRow) };
    },

    async instances(tenantId, kind, q, view, now, resourceType = 'directoryRole') {
      const pim = holdingPim(db, tenantId, kind, now, resourceType);
      const union =
        kind === 'assignment' && resourceType === 'directoryRole'
          ? pim.unionAll(directAsInstances(db, tenantId))
          : pim;
      let qb = db.selectFrom(union.as('i')).selectAll();
      if (view.principalIds !== undefined) {
        if (view.principalIds.length === 0)
          return { items: [], hasMore: false, ...(q.count ? { count: 0 } : {}) };
        qb = qb.where('principal_id', 'in', [...view.principalIds]);
      }
      const page = await pageOf(qb, q, INSTANCE_FIELDS[resourceType][kind], 'schedule_id');
      return { ...page, items: page.items.map(instanceFromRow) };
    },

    async instance(tenantId, kind, id, now, resourceType = 'directoryRole') {
      const r = await holdingPim(db, tenantId, kind, now, resourceType)
        .where('instance_id', '=', id)
        .limit(1)
        .executeTakeFirst();
      if (r) return instanceFromRow(r);
      if (kind !== 'assignment' || resourceType !== 'directoryRole') return undefined;
      const direct = await directAsInstances(db, tenantId).where('id', '=', id).executeTakeFirst();
      return direct && instanceFromRow(direct);
    },

    async slotVersion(key) {
      const r = await db
        .selectFrom('pim_slots')
        .select('version')
        .where('tenant_id', '=', key.tenantId)
        .where('kind', '=', key.kind)
        .where('principal_id', '=', key.principalId)
        .where('role_definition_id', '=', key.roleDefinitionId)
        .where('directory_scope_id', '=', key.directoryScopeId)
        .executeTakeFirst();
      return r === undefined ? null : r.version;
    },

    async bumpSlot(key, expected) {
      if (expected === null) {
        await uniqueOrConflict(
          db
            .insertInto('pim_slots')
            .values({
              tenant_id: key.tenantId,
              kind: key.kind,
              principal_id: key.principalId,
              role_definition_id: key.roleDefinitionId,
              directory_scope_id: key.directoryScopeId,
              version: 1,
            })
            .execute(),
          'Another request changed this role assignment at the same time.',
        );
        return;
      }
      const res = await db
        .updateTable('pim_slots')
        .set({ version: expected + 1 })
        .where('tenant_id', '=', key.tenantId)
        .where('kind', '=', key.kind)
        .where('principal_id', '=', key.principalId)
        .where('role_definition_id', '=', key.roleDefinitionId)
        .where('directory_scope_id', '=', key.directoryScopeId)
        .where('version', '=', expected)
        .executeTakeFirst();
      expectOneRow(res);
    },

    async claimExpired(now, limit) {
      const due = db
        .selectFrom('pim_schedules')
        .select('id')
        .where('expiry_recorded_at', 'is', null)
        .where('end_at', '<=', now)
        .orderBy('end_at')
        .limit(limit);
      const rows = await db
        .updateTable('pim_schedules')
        .set((eb) => ({
          expiry_recorded_at: codecs.time.encode(now),
          status: 'Expired',
          version: eb('version', '+', 1),
        }))
        .where('id', 'in', due)
        .where('expiry_recorded_at', 'is', null)
        .returningAll()
        .execute();
      return rows.map(fromRow);
    },

    async claimEndingSoon(now, leads, limit) {
      const due = db
        .selectFrom('pim_schedules')
        .select('id')
        .where('expiry_recorded_at', 'is', null)
        .where('start_at', '<=', now)
        .where('end_at', '>', now)
        // One range on the sweeper's partial index (end_at where unrecorded); each kind narrows it.
        .where('end_at', '<=', now + Math.max(leads.activationMs, leads.otherMs, 0))
        .where((eb) =>
          eb.or([
            eb.and([
              eb('kind', '=', 'assignment'),
              eb('assignment_type', '=', 'Activated'),
              eb('end_at', '<=', leads.activationMs > 0 ? now + leads.activationMs : now),
            ]),
            eb.and([
              eb.or([
                eb('kind', '=', 'eligibility'),
                eb('assignment_type', 'is', null),
                eb('assignment_type', '<>', 'Activated'),
              ]),
              eb('end_at', '<=', leads.otherMs > 0 ? now + leads.otherMs : now),
            ]),
          ]),
        )
        .where((eb) =>
          eb.or([
            eb('ending_soon_for_end_at', 'is', null),
            eb('ending_soon_for_end_at', '<>', eb.ref('end_at')),
          ]),
        )
        .orderBy('end_at')
        .limit(limit);
      const rows = await db
        .updateTable('pim_schedules')
        .set((eb) => ({ ending_soon_for_end_at: eb.ref('end_at') }))
        .where('id', 'in', due)
        .where((eb) =>
          eb.or([
            eb('ending_soon_for_end_at', 'is', null),
            eb('ending_soon_for_end_at', '<>', eb.ref('end_at')),
          ]),
        )
        .where('expiry_recorded_at', 'is', null)
        .returningAll()
        .execute();
      return rows.map(fromRow);
    },
  };
}
