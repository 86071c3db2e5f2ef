import { sql, type Kysely } from 'kysely';
import type { ConnectorStore, SourceHolder } from '../../app/connectors/ports.js';
import type { ConnectorMapping } from '../../domain/connectors/connector.js';
import { codecs } from '../codecs.js';
import type { Database } from '../schema.js';

/** A holding found before the user's name is read. */
type Found = Omit<SourceHolder, 'userPrincipalName'>;

/** Rows of `pim_schedules` that hold at `now`. */
const holdingAt = (now: number) => sql<boolean>`start_at <= ${now} and (end_at is null or end_at > ${now})`;

/** Since when a schedule holds (or was created, if later): the grant's `approvedAt`. */
const sinceOf = (r: { start_at: number | string | bigint; created_at: number | string | bigint }) =>
  Math.max(codecs.time.decode(r.start_at), codecs.time.decode(r.created_at));

/**
 * Who holds what a connector maps, and when that changes (ADR 0030, ADR 0045): every holder of a
 * mapping (a full reconcile), or only the holdings of a few users (a scoped one), read through the
 * indexes by principal so that the cost does not grow with the number of other holders.
 */
export function holderQueries(
  db: Kysely<Database>,
): Pick<ConnectorStore, 'holders' | 'nextChange' | 'changedBetween'> {
  /** Assignment schedules holding `roleId` now (narrowed by the caller: by principal, by scope). */
  function pimHolding(tenantId: string, resourceType: string, roleId: string, now: number) {
    return db
      .selectFrom('pim_schedules')
      .select([
        'id',
        'principal_id',
        'principal_type',
        'directory_scope_id',
        'start_at',
        'created_at',
        'created_using',
      ])
      .where('tenant_id', '=', tenantId)
      .where('kind', '=', 'assignment')
      .where('resource_type', '=', resourceType)
      .where('role_definition_id', '=', roleId)
      .where(holdingAt(now));
  }

  /** Users who are members of the group at `now`: standing members and active PIM members. */
  async function groupMembers(tenantId: string, groupId: string, now: number): Promise<Found[]> {
    const standing = await db
      .selectFrom('group_members')
      .select('member_id')
      .where('tenant_id', '=', tenantId)
      .where('group_id', '=', groupId)
      .where('member_type', '=', 'user')
      .execute();
    const pim = await pimHolding(tenantId, 'group', 'member', now)
      .where('directory_scope_id', '=', groupId)
      .where('principal_type', '=', 'user')
      .execute();
    return [
      ...standing.map((r) => ({ principalId: r.member_id, scheduleId: null, requestId: null, since: null })),
      ...pim.map((r) => ({
        principalId: r.principal_id,
        scheduleId: r.id,
        requestId: r.created_using,
        since: sinceOf(r),
      })),
    ];
  }

  /** Every holder of the mapping's source (a full reconcile). */
  async function allHolders(m: ConnectorMapping, now: number): Promise<Found[]> {
    if (m.source === 'group') return groupMembers(m.tenantId, m.sourceId, now);
    const direct = await db
      .selectFrom('role_assignments')
      .select(['principal_id', 'principal_type'])
      .where('tenant_id', '=', m.tenantId)
      .where('role_definition_id', '=', m.sourceId)
      .where('directory_scope_id', '=', m.directoryScopeId)
      .execute();
    const pim = await pimHolding(m.tenantId, 'directoryRole', m.sourceId, now)
      .where('directory_scope_id', '=', m.directoryScopeId)
      .execute();
    const held = [
      ...direct.map((r) => ({ ...r, id: null, created_using: null, since: null })),
      ...pim.map((r) => ({ ...r, since: sinceOf(r) })),
    ];
    const found: Found[] = [];
    for (const h of held) {
      if (h.principal_type === 'user')
        found.push({
          principalId: h.principal_id,
          scheduleId: h.id,
          requestId: h.created_using,
          since: h.since,
        });
      // A group holding the role passes it to its members (one level, as role-assignable groups nest none).
      else if (h.principal_type === 'group')
        found.push(...(await groupMembers(m.tenantId, h.principal_id, now)));
    }
    return found;
  }

  /**
   * The groups these users are members of at `now` (standing, or active PIM for Groups), with the
   * schedule of each PIM membership: what a group's holding passes to them.
   */
  async function membershipsOf(tenantId: string, users: readonly string[], now: number) {
    const standing = await db
      .selectFrom('group_members')
      .select(['member_id', 'group_id'])
      .where('tenant_id', '=', tenantId)
      .where('member_id', 'in', users)
      .where('member_type', '=', 'user')
      .execute();
    const pim = await pimHolding(tenantId, 'group', 'member', now)
      .where('principal_id', 'in', users)
      .where('principal_type', '=', 'user')
      .execute();
    return [
      ...standing.map((r) => ({
        groupId: r.group_id,
        holder: { principalId: r.member_id, scheduleId: null, requestId: null, since: null },
      })),
      ...pim.map((r) => ({
        groupId: r.directory_scope_id,
        holder: {
          principalId: r.principal_id,
          scheduleId: r.id,
          requestId: r.created_using,
          since: sinceOf(r),
        },
      })),
    ];
  }

  /** Principals among `ids` holding the directory role at the mapping's scope now (direct or PIM). */
  async function directoryRoleHolders(m: ConnectorMapping, ids: readonly string[], now: number) {
    const direct = await db
      .selectFrom('role_assignments')
      .select(['principal_id'])
      .where('tenant_id', '=', m.tenantId)
      .where('principal_id', 'in', ids)
      .where('role_definition_id', '=', m.sourceId)
      .where('directory_scope_id', '=', m.directoryScopeId)
      .execute();
    const pim = await pimHolding(m.tenantId, 'directoryRole', m.sourceId, now)
      .where('principal_id', 'in', ids)
      .where('directory_scope_id', '=', m.directoryScopeId)
      .execute();
    return { direct, pim };
  }

  /**
   * The holders of the mapping's source among these users (a scoped reconcile): their own holdings,
   * and those their groups pass on, read from the users outwards, never from the source's holders.
   */
  async function holdersAmong(m: ConnectorMapping, users: readonly string[], now: number): Promise<Found[]> {
    const memberships = await membershipsOf(m.tenantId, users, now);
    if (m.source === 'group') return memberships.filter((x) => x.groupId === m.sourceId).map((x) => x.holder);
    const own = await directoryRoleHolders(m, users, now);
    const found: Found[] = [
      ...own.direct.map((r) => ({
        principalId: r.principal_id,
        scheduleId: null,
        requestId: null,
        since: null,
      })),
      ...own.pim
        .filter((r) => r.principal_type === 'user')
        .map((r) => ({
          principalId: r.principal_id,
          scheduleId: r.id,
          requestId: r.created_using,
          since: sinceOf(r),
        })),
    ];
    const groups = [...new Set(memberships.map((x) => x.groupId))];
    if (groups.length === 0) return found;
    const ofGroups = await directoryRoleHolders(m, groups, now);
    const holding = new Set([...ofGroups.direct, ...ofGroups.pim].map((r) => r.principal_id));
    for (const x of memberships) if (holding.has(x.groupId)) found.push(x.holder);
    return found;
  }

  /** The users' names, one holding per user (a schedule, which has times, before standing membership). */
  async function named(tenantId: string, found: readonly Found[]): Promise<SourceHolder[]> {
    if (found.length === 0) return [];
    const users = await db
      .selectFrom('users')
      .select(['id', 'user_principal_name'])
      .where('tenant_id', '=', tenantId)
      .where('account_enabled', '=', 1)
      .where('id', 'in', [...new Set(found.map((f) => f.principalId))])
      .execute();
    const upn = new Map(users.map((u) => [u.id, u.user_principal_name]));
    const byUser = new Map<string, SourceHolder>();
    for (const f of found) {
      const name = upn.get(f.principalId);
      if (name === undefined) continue;
      const prior = byUser.get(f.principalId);
      if (prior === undefined || (prior.scheduleId === null && f.scheduleId !== null))
        byUser.set(f.principalId, { ...f, userPrincipalName: name });
    }
    return [...byUser.values()];
  }

  /**
   * Assignment schedules that can change the holders of the mappings: of the mapped roles, and PIM
   * group memberships (a group mapping's scope is the group id, so every `member` schedule).
   */
  function mappedSchedules(mappings: readonly ConnectorMapping[]) {
    const roles = [...new Set(['member', ...mappings.map((m) => m.sourceId)])];
    return db
      .selectFrom('pim_schedules')
      .where('tenant_id', '=', mappings[0]!.tenantId)
      .where('kind', '=', 'assignment')
      .where('role_definition_id', 'in', roles);
  }

  return {
    async holders(m, now, among) {
      if (among?.length === 0) return [];
      const found = among === undefined ? await allHolders(m, now) : await holdersAmong(m, among, now);
      return named(m.tenantId, found);
    },

    async nextChange(mappings, now) {
      if (mappings.length === 0) return null;
      const base = mappedSchedules(mappings);
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

    async changedBetween(mappings, after, upTo) {
      if (mappings.length === 0 || upTo <= after) return [];
      const rows = await mappedSchedules(mappings)
        .select(['principal_id', 'principal_type'])
        .where((eb) =>
          eb.or([
            eb.and([eb('start_at', '>', after), eb('start_at', '<=', upTo)]),
            eb.and([eb('end_at', '>', after), eb('end_at', '<=', upTo)]),
          ]),
        )
        .distinct()
        .execute();
      return rows.map((r) => ({ principalId: r.principal_id, principalType: r.principal_type }));
    },
  };
}
