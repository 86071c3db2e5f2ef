import { BadRequestError } from '../../domain/shared/errors.js';
import { sql, type Kysely } from 'kysely';
import type { GroupStore } from '../../app/ports.js';
import type { Group, GroupMember } from '../../domain/directory/types.js';
import { expectOneRow } from '../cas.js';
import { selectByIds } from '../chunks.js';
import { codecs } from '../codecs.js';
import { uniqueOrConflict } from '../errors.js';
import { listPage } from '../list.js';
import { groupFields, memberFields } from '../../odata/collections.js';
import type { Database, GroupMemberRow, GroupRow } from '../schema.js';

const toRow = (g: Group): GroupRow => ({
  id: g.id,
  tenant_id: g.tenantId,
  display_name: g.displayName,
  description: g.description,
  mail_nickname: g.mailNickname,
  mail_enabled: codecs.bool.encode(g.mailEnabled),
  security_enabled: codecs.bool.encode(g.securityEnabled),
  is_assignable_to_role: codecs.bool.encode(g.isAssignableToRole),
  created_at: codecs.time.encode(g.createdAt),
  modified_at: codecs.time.encode(g.modifiedAt),
  version: g.version,
});

const fromRow = (r: GroupRow): Group => ({
  id: r.id,
  tenantId: r.tenant_id,
  displayName: r.display_name,
  description: r.description,
  mailNickname: r.mail_nickname,
  mailEnabled: codecs.bool.decode(r.mail_enabled),
  securityEnabled: codecs.bool.decode(r.security_enabled),
  isAssignableToRole: codecs.bool.decode(r.is_assignable_to_role),
  createdAt: codecs.time.decode(r.created_at),
  modifiedAt: codecs.time.decode(r.modified_at),
  version: r.version,
});

const toMember = (r: Pick<GroupMemberRow, 'group_id' | 'member_id' | 'member_type'>): GroupMember => ({
  groupId: r.group_id,
  memberId: r.member_id,
  memberType: r.member_type,
});

/**
 * Membership edges (group, member, member type) of the tenant: standing members and, when `now`
 * is given, active PIM for Groups members (migration 0016: access id and group id in the role and
 * scope columns), as Graph lists them among the members while their membership holds.
 */
function edgesAt(db: Kysely<Database>, tenantId: string, now: number | undefined) {
  const standing = db
    .selectFrom('group_members')
    .select(['group_id', 'member_id', 'member_type'])
    .where('tenant_id', '=', tenantId);
  if (now === undefined) return db.selectFrom(standing.as('edges')).selectAll();
  const pim = db
    .selectFrom('pim_schedules')
    .select([
      'directory_scope_id as group_id',
      'principal_id as member_id',
      sql<GroupMemberRow['member_type']>`principal_type`.as('member_type'),
    ])
    .where('tenant_id', '=', tenantId)
    .where('resource_type', '=', 'group')
    .where('kind', '=', 'assignment')
    .where('role_definition_id', '=', 'member')
    .where('start_at', '<=', now)
    .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]));
  return db.selectFrom(standing.union(pim).as('edges')).selectAll();
}

export function groupStore(db: Kysely<Database>): GroupStore {
  return {
    async insert(g) {
      await db.insertInto('groups').values(toRow(g)).execute();
    },
    async get(tenantId, id) {
      const r = await db
        .selectFrom('groups')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return r && fromRow(r);
    },
    async getMany(tenantId, ids) {
      const rows = await selectByIds(ids, (part) =>
        db
          .selectFrom('groups')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('id', 'in', part)
          .execute(),
      );
      return rows.map(fromRow);
    },
    async list(tenantId, q) {
      const page = await listPage(
        db.selectFrom('groups').selectAll().where('tenant_id', '=', tenantId),
        q,
        groupFields,
      );
      return { ...page, items: page.items.map(fromRow) };
    },
    async update(g, expectedVersion) {
      const { id, tenant_id: _t, created_at: _c, ...values } = toRow(g);
      const res = await db
        .updateTable('groups')
        .set({ ...values, version: expectedVersion + 1 })
        .where('id', '=', id)
        .where('tenant_id', '=', g.tenantId)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      expectOneRow(res);
    },
    async delete(tenantId, id) {
      const res = await db
        .deleteFrom('groups')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return res.numDeletedRows === 1n;
    },
    async addMember(tenantId, m: GroupMember, now) {
      await uniqueOrConflict(
        db
          .insertInto('group_members')
          .values({
            tenant_id: tenantId,
            group_id: m.groupId,
            member_id: m.memberId,
            member_type: m.memberType,
            created_at: codecs.time.encode(now),
          })
          .execute(),
        () =>
          new BadRequestError(
            'Request_BadRequest',
            "One or more added object references already exist for the following modified properties: 'members'.",
          ),
      );
    },
    async removeMember(tenantId, groupId, memberId) {
      const res = await db
        .deleteFrom('group_members')
        .where('tenant_id', '=', tenantId)
        .where('group_id', '=', groupId)
        .where('member_id', '=', memberId)
        .executeTakeFirst();
      return res.numDeletedRows === 1n;
    },
    async members(tenantId, groupId, q, now) {
      const members = edgesAt(db, tenantId, now).where('group_id', '=', groupId);
      const page = await listPage(db.selectFrom(members.as('m')).selectAll(), q, memberFields, 'member_id');
      return { ...page, items: page.items.map(toMember) };
    },
    async owners(tenantId, groupId, q, now) {
      // Groups have no standing owners in Elevate: an owner is whoever holds an active PIM for
      // Groups ownership (`accessId` `owner`) at `now`.
      const owners = db
        .selectFrom('pim_schedules')
        .select([
          'directory_scope_id as group_id',
          'principal_id as member_id',
          sql<GroupMemberRow['member_type']>`principal_type`.as('member_type'),
        ])
        .distinct()
        .where('tenant_id', '=', tenantId)
        .where('resource_type', '=', 'group')
        .where('kind', '=', 'assignment')
        .where('role_definition_id', '=', 'owner')
        .where('directory_scope_id', '=', groupId)
        .where('start_at', '<=', now)
        .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]));
      const page = await listPage(db.selectFrom(owners.as('m')).selectAll(), q, memberFields, 'member_id');
      return { ...page, items: page.items.map(toMember) };
    },
    async transitiveMembers(tenantId, groupId, q, now) {
      // Down the nesting from the group; UNION (not UNION ALL) stops at rows already reached, so
      // a cycle of groups ends. Each member once, the group itself never.
      const reached = db
        .withRecursive('reach(group_id, member_id, member_type)', (rec) =>
          rec
            .selectFrom(edgesAt(db, tenantId, now).as('e'))
            .select(['e.group_id', 'e.member_id', 'e.member_type'])
            .where('e.group_id', '=', groupId)
            .union(
              rec
                .selectFrom(edgesAt(db, tenantId, now).as('e'))
                .innerJoin('reach', 'reach.member_id', 'e.group_id')
                .select(['e.group_id', 'e.member_id', 'e.member_type'])
                .where('reach.member_type', '=', 'group'),
            ),
        )
        .selectFrom('reach')
        .select(['reach.member_id', 'reach.member_type', 'reach.group_id'])
        .where('reach.member_id', '!=', groupId);
      const distinct = db
        .selectFrom(reached.as('r'))
        .select(['r.member_id', 'r.member_type', sql<string>`min(r.group_id)`.as('group_id')])
        .groupBy(['r.member_id', 'r.member_type']);
      const page = await listPage(db.selectFrom(distinct.as('m')).selectAll(), q, memberFields, 'member_id');
      return { ...page, items: page.items.map(toMember) };
    },
    async memberOf(tenantId, memberId, q, now) {
      const direct = edgesAt(db, tenantId, now).where('member_id', '=', memberId);
      const page = await listPage(
        db
          .selectFrom('groups')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('id', 'in', db.selectFrom(direct.as('d')).select('d.group_id')),
        q,
        groupFields,
      );
      return { ...page, items: page.items.map(fromRow) };
    },
    async transitiveMemberOf(tenantId, memberId, now) {
      // Up the nesting from the principal; UNION stops at groups already reached (a cycle ends).
      const rows = await db
        .withRecursive('up(group_id)', (rec) =>
          rec
            .selectFrom(edgesAt(db, tenantId, now).as('e'))
            .select('e.group_id')
            .where('e.member_id', '=', memberId)
            .union(
              rec
                .selectFrom(edgesAt(db, tenantId, now).as('e'))
                .innerJoin('up', 'up.group_id', 'e.member_id')
                .select('e.group_id')
                .where('e.member_type', '=', 'group'),
            ),
        )
        .selectFrom('up')
        .select('up.group_id')
        .where('up.group_id', '!=', memberId)
        .orderBy('up.group_id')
        .execute();
      return rows.map((r) => r.group_id);
    },
    async groupsOf(tenantId, memberId) {
      const rows = await db
        .selectFrom('group_members')
        .select('group_id')
        .where('tenant_id', '=', tenantId)
        .where('member_id', '=', memberId)
        .execute();
      return rows.map((r) => r.group_id);
    },
  };
}

/** A group row as the domain reads it (the SCIM store joins groups with their provisioning client). */
export { fromRow as groupFromRow };
