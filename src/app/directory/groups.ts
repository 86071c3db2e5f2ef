import type { Group, GroupMember, PrincipalType } from '../../domain/directory/types.js';
import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
import { BadRequestError, ForbiddenError, NotFoundError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import { AUDIT_ACTIVITIES as A } from '../../domain/audit/activities.js';
import type { TargetResource } from '../../domain/audit/entry.js';
import { groupTarget, principalTarget } from '../../domain/audit/targets.js';
import {
  groupCreated,
  groupDeleted,
  groupMemberAdded,
  groupMemberRemoved,
  groupUpdated,
} from '../../domain/directory/directory-events.js';
import { principalTargetOf } from '../audit/record.js';
import { makeChange } from '../events/change.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import type { Page, Stores, UnitOfWork } from '../ports.js';
import { DIRECTORY_RULES } from '../../domain/directory/permissions.js';
import { removePrincipalEverywhere } from './users.js';

export interface CreateGroup {
  displayName: string;
  description?: string | null;
  mailNickname: string;
  mailEnabled: boolean;
  securityEnabled: boolean;
  isAssignableToRole?: boolean;
}

const notFound = () =>
  new NotFoundError(
    `Resource does not exist or one of its queried reference-property objects are not present.`,
  );

/** Finds a directory object of any kind in the caller's tenant. */
export async function findPrincipal(
  tx: Stores,
  tenantId: string,
  id: string,
): Promise<PrincipalType | undefined> {
  if (await tx.users.get(tenantId, id)) return 'user';
  if (await tx.groups.get(tenantId, id)) return 'group';
  if (await tx.servicePrincipals.get(tenantId, id)) return 'servicePrincipal';
  return undefined;
}

/**
 * Groups and their members. Role-assignable groups need a role administrator. Ids arrive as the edge parsed them
 * (`http/graph/ids.ts`): GUIDs in lower case, so nothing here lower-cases an id.
 */
export function makeGroups(deps: { uow: UnitOfWork; clock: Clock; newId: () => string }) {
  const writeRule = (g: { isAssignableToRole: boolean }) =>
    g.isAssignableToRole ? DIRECTORY_RULES.writeRoleAssignableGroups : DIRECTORY_RULES.writeGroups;
  const change = makeChange(deps);
  /** A group or member named only by the id in the request (for a refused attempt). */
  const requested = (id: string): TargetResource => groupTarget({ id: id.slice(0, 200), displayName: null });
  const requestedMember = (id: string): TargetResource => principalTarget(undefined, id.slice(0, 200));
  /** The caller's group, after the check of the rule that governs it. @throws NotFoundError */
  const writable = async (tx: Stores, caller: Caller, id: string, now: number): Promise<Group> => {
    const g = await tx.groups.get(caller.tenantId, id);
    await authorize(tx, caller, g ? writeRule(g) : DIRECTORY_RULES.writeGroups, now);
    if (!g) throw notFound();
    return g;
  };

  /**
   * The group whose members the caller may change: an administrator by the group's rule, or a
   * principal holding an active PIM for Groups ownership of it now (owners manage their group's
   * members, as in Entra). An owner never adds themself: membership is held through PIM (eligible
   * member, then activation with the group's policy), not granted to oneself through ownership.
   * @throws NotFoundError, ForbiddenError
   */
  const membersWritable = async (
    tx: Stores,
    caller: Caller,
    id: string,
    now: number,
    addingSelf: boolean,
  ): Promise<Group> => {
    const g = await tx.groups.get(caller.tenantId, id);
    try {
      await authorize(tx, caller, g ? writeRule(g) : DIRECTORY_RULES.writeGroups, now);
    } catch (e) {
      if (!(e instanceof ForbiddenError) || !g || addingSelf) throw e;
      const owned = await tx.schedules.activeGroupIds(caller.tenantId, caller.id, 'owner', now);
      if (!owned.includes(g.id)) throw e;
    }
    if (!g) throw notFound();
    return g;
  };

  return {
    async create(caller: Caller, cmd: CreateGroup): Promise<Group> {
      return change(caller, {
        attempt: {
          activity: A.groupCreate,
          targets: [groupTarget({ id: null, displayName: cmd.displayName })],
        },
        check: async (tx, now) => {
          const group: Group = {
            id: deps.newId(),
            tenantId: caller.tenantId,
            displayName: cmd.displayName,
            description: cmd.description ?? null,
            mailNickname: cmd.mailNickname,
            mailEnabled: cmd.mailEnabled,
            securityEnabled: cmd.securityEnabled,
            isAssignableToRole: cmd.isAssignableToRole ?? false,
            createdAt: now,
            modifiedAt: now,
            version: 1,
          };
          await authorize(tx, caller, writeRule(group), now);
          if (group.isAssignableToRole && (!group.securityEnabled || group.mailEnabled)) {
            throw new BadRequestError(
              'Request_BadRequest',
              'A role-assignable group must be a security group and not mail-enabled.',
            );
          }
          return group;
        },
        apply: async ({ tx, record }, group) => {
          await tx.groups.insert(group);
          record(groupCreated(group));
          return group;
        },
      });
    },

    async get(caller: Caller, id: string): Promise<Group> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, DIRECTORY_RULES.readGroups, deps.clock.now());
        const g = await tx.groups.get(caller.tenantId, id);
        if (!g) throw notFound();
        return g;
      });
    },

    async list(caller: Caller, q: CollectionQuery): Promise<Page<Group>> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, DIRECTORY_RULES.readGroups, deps.clock.now());
        return tx.groups.list(caller.tenantId, q);
      });
    },

    async update(
      caller: Caller,
      id: string,
      patch: Partial<Pick<Group, 'displayName' | 'description' | 'mailNickname'>>,
    ): Promise<void> {
      await change(caller, {
        attempt: { activity: A.groupUpdate, targets: [requested(id)] },
        check: (tx, now) => writable(tx, caller, id, now),
        apply: async ({ tx, now, record }, g) => {
          const next: Group = {
            ...g,
            displayName: patch.displayName ?? g.displayName,
            description: patch.description === undefined ? g.description : patch.description,
            mailNickname: patch.mailNickname ?? g.mailNickname,
            modifiedAt: now,
          };
          await tx.groups.update(next, g.version);
          record(groupUpdated(g, next));
        },
      });
    },

    async delete(caller: Caller, id: string): Promise<void> {
      await change(caller, {
        attempt: { activity: A.groupDelete, targets: [requested(id)] },
        check: (tx, now) => writable(tx, caller, id, now),
        apply: async ({ tx, now, record }, g) => {
          const removed = await removePrincipalEverywhere(tx, caller.tenantId, g.id, now);
          await tx.groups.delete(caller.tenantId, g.id);
          record(groupDeleted(g, removed));
        },
      });
    },

    /** @throws NotFoundError (group or member), ConflictError (already a member) */
    async addMember(caller: Caller, groupId: string, memberId: string): Promise<void> {
      await change(caller, {
        attempt: { activity: A.groupAddMember, targets: [requestedMember(memberId), requested(groupId)] },
        check: async (tx, now) => {
          const g = await membersWritable(tx, caller, groupId, now, memberId === caller.id);
          const type = await findPrincipal(tx, caller.tenantId, memberId);
          if (!type) throw notFound();
          if (type === 'group' && g.isAssignableToRole) {
            throw new BadRequestError(
              'Request_BadRequest',
              'Groups cannot be nested in a role-assignable group.',
            );
          }
          if (memberId === g.id)
            throw new BadRequestError('Request_BadRequest', 'A group cannot be a member of itself.');
          return { g, type };
        },
        apply: async ({ tx, now, record }, { g, type }) => {
          const m: GroupMember = { groupId: g.id, memberId, memberType: type };
          await tx.groups.addMember(caller.tenantId, m, now);
          const target = await principalTargetOf(tx, g.tenantId, memberId, type);
          record(groupMemberAdded({ group: g, memberId, memberType: type, target }));
        },
      });
    },

    async removeMember(caller: Caller, groupId: string, memberId: string): Promise<void> {
      await change(caller, {
        attempt: { activity: A.groupRemoveMember, targets: [requestedMember(memberId), requested(groupId)] },
        check: (tx, now) => membersWritable(tx, caller, groupId, now, false),
        apply: async ({ tx, record }, g) => {
          const type = await findPrincipal(tx, caller.tenantId, memberId);
          if (!(await tx.groups.removeMember(caller.tenantId, g.id, memberId))) throw notFound();
          const target = await principalTargetOf(tx, g.tenantId, memberId, type);
          record(groupMemberRemoved({ group: g, memberId, memberType: type, target }));
        },
      });
    },

    async members(caller: Caller, groupId: string, q: CollectionQuery): Promise<Page<GroupMember>> {
      return deps.uow.run(async (tx) => {
        const now = deps.clock.now();
        await authorize(tx, caller, DIRECTORY_RULES.readGroups, now);
        const g = await tx.groups.get(caller.tenantId, groupId);
        if (!g) throw notFound();
        // Active PIM members are members while their membership holds (docs/pim.md).
        return tx.groups.members(caller.tenantId, g.id, q, now);
      });
    },

    /** `GET /groups/{id}/owners`: the principals holding an active PIM ownership of the group now. */
    async owners(caller: Caller, groupId: string, q: CollectionQuery): Promise<Page<GroupMember>> {
      return deps.uow.run(async (tx) => {
        const now = deps.clock.now();
        await authorize(tx, caller, DIRECTORY_RULES.readGroups, now);
        const g = await tx.groups.get(caller.tenantId, groupId);
        if (!g) throw notFound();
        return tx.groups.owners(caller.tenantId, g.id, q, now);
      });
    },

    /** `GET /groups/{id}/transitiveMembers`: through nested groups, PIM members while they hold. */
    async transitiveMembers(caller: Caller, groupId: string, q: CollectionQuery): Promise<Page<GroupMember>> {
      return deps.uow.run(async (tx) => {
        const now = deps.clock.now();
        await authorize(tx, caller, DIRECTORY_RULES.readGroups, now);
        const g = await tx.groups.get(caller.tenantId, groupId);
        if (!g) throw notFound();
        return tx.groups.transitiveMembers(caller.tenantId, g.id, q, now);
      });
    },

    /**
     * `POST /directoryObjects/{id}/getMemberObjects`: ids of the groups the user, service principal
     * or group is a member of now, transitively (standing or active PIM membership); only security
     * groups with `securityEnabledOnly`. The endpoint a token's group overage names. A principal
     * may ask for itself; others need to read groups. @throws NotFoundError
     */
    async memberObjects(
      caller: Caller,
      principalId: string,
      securityEnabledOnly: boolean,
    ): Promise<string[]> {
      return deps.uow.run(async (tx) => {
        const now = deps.clock.now();
        if (caller.id !== principalId) await authorize(tx, caller, DIRECTORY_RULES.readGroups, now);
        if (!(await findPrincipal(tx, caller.tenantId, principalId))) throw notFound();
        const ids = await tx.groups.transitiveMemberOf(caller.tenantId, principalId, now);
        if (!securityEnabledOnly) return ids;
        const kept: string[] = [];
        for (const id of ids) if ((await tx.groups.get(caller.tenantId, id))?.securityEnabled) kept.push(id);
        return kept;
      });
    },

    /**
     * `GET /users/{id|userPrincipalName}/memberOf`: the groups the user is a direct member of now,
     * standing or through an active PIM membership. @throws NotFoundError (no such user)
     */
    async memberOf(caller: Caller, userIdOrUpn: string, q: CollectionQuery): Promise<Page<Group>> {
      return deps.uow.run(async (tx) => {
        const now = deps.clock.now();
        await authorize(tx, caller, DIRECTORY_RULES.readGroups, now);
        const user = userIdOrUpn.includes('@')
          ? await tx.users.getByUpn(caller.tenantId, userIdOrUpn)
          : await tx.users.get(caller.tenantId, userIdOrUpn);
        if (!user)
          throw new NotFoundError(
            `Resource '${userIdOrUpn.slice(0, 200)}' does not exist or one of its queried reference-property objects are not present.`,
            'Request_ResourceNotFound',
          );
        return tx.groups.memberOf(caller.tenantId, user.id, q, now);
      });
    },
  };
}
