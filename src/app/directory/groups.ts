import type { Group, GroupMember, PrincipalType } from '../../domain/directory/types.js';
import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
import { BadRequestError, NotFoundError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import { AUDIT_ACTIVITIES as A } from '../../domain/audit/activities.js';
import type { TargetResource } from '../../domain/audit/entry.js';
import {
  addedProperties,
  groupProperties,
  groupTarget,
  principalTarget,
  updatedProperties,
} from '../../domain/audit/targets.js';
import { changeEntry, principalTargetOf, recordDenials } from '../audit/record.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import type { Page, Stores, UnitOfWork } from '../ports.js';
import { DIRECTORY_RULES } from '../../domain/directory/permissions.js';
import { removalDetails, removePrincipalEverywhere } from './users.js';

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
  const denied = recordDenials(deps);
  /** A group or member named only by the id in the request (for a refused attempt). */
  const requested = (id: string): TargetResource => groupTarget({ id: id.slice(0, 200), displayName: null });
  const requestedMember = (id: string): TargetResource => principalTarget(undefined, id.slice(0, 200));
  /** The member and the group as audit targets, with the group's id and name as Entra records them. */
  const memberTargets = async (tx: Stores, g: Group, memberId: string, type: PrincipalType | undefined) => [
    await principalTargetOf(tx, g.tenantId, memberId, type),
    groupTarget(g, [
      { displayName: 'Group.ObjectID', oldValue: null, newValue: JSON.stringify(g.id) },
      { displayName: 'Group.DisplayName', oldValue: null, newValue: JSON.stringify(g.displayName) },
    ]),
  ];

  return {
    async create(caller: Caller, cmd: CreateGroup): Promise<Group> {
      const now = deps.clock.now();
      const attempt = {
        activity: A.groupCreate,
        targets: [groupTarget({ id: null, displayName: cmd.displayName })],
      };
      return denied(caller, now, attempt, () =>
        deps.uow.run(async (tx) => {
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
          await tx.groups.insert(group);
          await tx.audit.append(
            await changeEntry(tx, caller, deps.newId(), now, {
              activity: A.groupCreate,
              targets: [groupTarget(group, addedProperties(groupProperties(group)))],
            }),
          );
          return group;
        }),
      );
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
    ) {
      const now = deps.clock.now();
      await denied(caller, now, { activity: A.groupUpdate, targets: [requested(id)] }, () =>
        deps.uow.run(async (tx) => {
          const g = await tx.groups.get(caller.tenantId, id);
          await authorize(tx, caller, g ? writeRule(g) : DIRECTORY_RULES.writeGroups, now);
          if (!g) throw notFound();
          const next: Group = {
            ...g,
            displayName: patch.displayName ?? g.displayName,
            description: patch.description === undefined ? g.description : patch.description,
            mailNickname: patch.mailNickname ?? g.mailNickname,
            modifiedAt: now,
          };
          await tx.groups.update(next, g.version);
          await tx.audit.append(
            await changeEntry(tx, caller, deps.newId(), now, {
              activity: A.groupUpdate,
              targets: [groupTarget(next, updatedProperties(groupProperties(g), groupProperties(next)))],
            }),
          );
        }),
      );
    },

    async delete(caller: Caller, id: string): Promise<void> {
      const now = deps.clock.now();
      await denied(caller, now, { activity: A.groupDelete, targets: [requested(id)] }, () =>
        deps.uow.run(async (tx) => {
          const g = await tx.groups.get(caller.tenantId, id);
          await authorize(tx, caller, g ? writeRule(g) : DIRECTORY_RULES.writeGroups, now);
          if (!g) throw notFound();
          const removed = await removePrincipalEverywhere(tx, caller.tenantId, g.id, now);
          await tx.groups.delete(caller.tenantId, g.id);
          await tx.audit.append(
            await changeEntry(tx, caller, deps.newId(), now, {
              activity: A.groupDelete,
              targets: [groupTarget(g)],
              additionalDetails: removalDetails(removed),
            }),
          );
        }),
      );
    },

    /** @throws NotFoundError (group or member), ConflictError (already a member) */
    async addMember(caller: Caller, groupId: string, memberId: string): Promise<void> {
      const now = deps.clock.now();
      const attempt = {
        activity: A.groupAddMember,
        targets: [requestedMember(memberId), requested(groupId)],
      };
      await denied(caller, now, attempt, () =>
        deps.uow.run(async (tx) => {
          const g = await tx.groups.get(caller.tenantId, groupId);
          await authorize(tx, caller, g ? writeRule(g) : DIRECTORY_RULES.writeGroups, now);
          if (!g) throw notFound();
          const id = memberId;
          const type = await findPrincipal(tx, caller.tenantId, id);
          if (!type) throw notFound();
          if (type === 'group' && g.isAssignableToRole) {
            throw new BadRequestError(
              'Request_BadRequest',
              'Groups cannot be nested in a role-assignable group.',
            );
          }
          if (id === g.id)
            throw new BadRequestError('Request_BadRequest', 'A group cannot be a member of itself.');
          const m: GroupMember = { groupId: g.id, memberId: id, memberType: type };
          await tx.groups.addMember(caller.tenantId, m, now);
          await tx.audit.append(
            await changeEntry(tx, caller, deps.newId(), now, {
              activity: A.groupAddMember,
              targets: await memberTargets(tx, g, id, type),
            }),
          );
        }),
      );
    },

    async removeMember(caller: Caller, groupId: string, memberId: string): Promise<void> {
      const now = deps.clock.now();
      const attempt = {
        activity: A.groupRemoveMember,
        targets: [requestedMember(memberId), requested(groupId)],
      };
      await denied(caller, now, attempt, () =>
        deps.uow.run(async (tx) => {
          const g = await tx.groups.get(caller.tenantId, groupId);
          await authorize(tx, caller, g ? writeRule(g) : DIRECTORY_RULES.writeGroups, now);
          if (!g) throw notFound();
          const id = memberId;
          const type = await findPrincipal(tx, caller.tenantId, id);
          if (!(await tx.groups.removeMember(caller.tenantId, g.id, id))) throw notFound();
          await tx.audit.append(
            await changeEntry(tx, caller, deps.newId(), now, {
              activity: A.groupRemoveMember,
              targets: await memberTargets(tx, g, id, type),
            }),
          );
        }),
      );
    },

    async members(caller: Caller, groupId: string, q: CollectionQuery): Promise<Page<GroupMember>> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, DIRECTORY_RULES.readGroups, deps.clock.now());
        const g = await tx.groups.get(caller.tenantId, groupId);
        if (!g) throw notFound();
        return tx.groups.members(caller.tenantId, g.id, q);
      });
    },
  };
}
