import type { Kysely } from 'kysely';
import type { NotificationDirectory } from '../../app/notifications/ports.js';
import { codecs } from '../codecs.js';
import type { Database } from '../schema.js';

/** Bound on the rows one query returns (a notification never needs more people). */
const LIMIT = 1_000;

/** Who holds what and who is in which group, read for the fan-out in its transaction. */
export function notificationDirectory(db: Kysely<Database>): NotificationDirectory {
  async function userMembers(tenantId: string, groupIds: readonly string[]): Promise<string[]> {
    if (groupIds.length === 0) return [];
    const rows = await db
      .selectFrom('group_members')
      .select('member_id')
      .distinct()
      .where('tenant_id', '=', tenantId)
      .where('group_id', 'in', [...groupIds])
      .where('member_type', '=', 'user')
      .orderBy('member_id')
      .limit(LIMIT)
      .execute();
    return rows.map((r) => r.member_id);
  }

  return {
    async roleHolders(tenantId, roleDefinitionIds, now) {
      if (roleDefinitionIds.length === 0) return [];
      const roles = [...roleDefinitionIds];
      const direct = await db
        .selectFrom('role_assignments')
        .select(['principal_id', 'principal_type'])
        .where('tenant_id', '=', tenantId)
        .where('role_definition_id', 'in', roles)
        .where('directory_scope_id', '=', '/')
        .limit(LIMIT)
        .execute();
      const pim = await db
        .selectFrom('pim_schedules')
        .select(['principal_id', 'principal_type'])
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', 'assignment')
        .where('role_definition_id', 'in', roles)
        .where('directory_scope_id', '=', '/')
        .where('start_at', '<=', codecs.time.encode(now))
        .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', codecs.time.encode(now))]))
        .limit(LIMIT)
        .execute();
      const holders = [...direct, ...pim];
      const users = holders.filter((h) => h.principal_type === 'user').map((h) => h.principal_id);
      const groups = holders.filter((h) => h.principal_type === 'group').map((h) => h.principal_id);
      return [...new Set([...users, ...(await userMembers(tenantId, groups))])];
    },

    userMembers,

    async mailboxes(tenantId, userIds) {
      if (userIds.length === 0) return [];
      const rows = await db
        .selectFrom('users')
        .select(['id', 'display_name', 'user_principal_name', 'mail', 'account_enabled'])
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', [...userIds])
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        displayName: r.display_name,
        userPrincipalName: r.user_principal_name,
        mail: r.mail,
        accountEnabled: codecs.bool.decode(r.account_enabled),
      }));
    },
  };
}
