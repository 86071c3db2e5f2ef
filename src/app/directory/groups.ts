import type { Group, GroupMember, PrincipalType } from '../../domain/directory/types.js';
import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
import { BadRequestError, NotFoundError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import { authorize } from '../auth/authorize.js';
import type { Caller } from '../auth/caller.js';
import type { Page, Stores, UnitOfWork } from '../ports.js';
import { DIRECTORY_RULES } from './permissions.js';
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

/** Groups and their members. Role-assignable groups need a role administrator. */
export function makeGroups(deps: { uow: UnitOfWork; clock: Clock; newId: () => string }) {
  const writeRule = (g: { isAssignableToRole: boolean }) =>
    g.isAssignableToRole ? DIRECTORY_RULES.writeRoleAssignableGroups : DIRECTORY_RULES.writeGroups;

  return {
    async create(caller: Caller, cmd: CreateGroup): Promise<Group> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
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
        await authorize(tx, caller, writeRule(group));
        if (group.isAssignableToRole && (!group.securityEnabled || group.mailEnabled)) {
          throw new BadRequestError(
            'Request_BadRequest',
            'A role-assignable group must be a security group and not mail-enabled.',
          );
        }
        await tx.groups.insert(group);
        return group;
      });
    },

    async get(caller: Caller, id: string): Promise<Group> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, DIRECTORY_RULES.readGroups);
        const g = await tx.groups.get(caller.tenantId, id.toLowerCase());
        if (!g) throw notFound();
        return g;
      });
    },

    async list(caller: Caller, q: CollectionQuery): Promise<Page<Group>> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, DIRECTORY_RULES.readGroups);
        return tx.groups.list(caller.tenantId, q);
      });
    },

    async update(
      caller: Caller,
      id: string,
      patch: Partial<Pick<Group, 'displayName' | 'description' | 'mailNickname'>>,
    ) {
      const now = deps.clock.now();
      await deps.uow.run(async (tx) => {
        const g = await tx.groups.get(caller.tenantId, id.toLowerCase());
        await authorize(tx, caller, g ? writeRule(g) : DIRECTORY_RULES.writeGroups);
        if (!g) throw notFound();
        await tx.groups.update(
          {
            ...g,
            displayName: patch.displayName ?? g.displayName,
            description: patch.description === undefined ? g.description : patch.description,
            mailNickname: patch.mailNickname ?? g.mailNickname,
            modifiedAt: now,
          },
          g.version,
        );
      });
    },

    async delete(caller: Caller, id: string): Promise<void> {
      await deps.uow.run(async (tx) => {
        const g = await tx.groups.get(caller.tenantId, id.toLowerCase());
        await authorize(tx, caller, g ? writeRule(g) : DIRECTORY_RULES.writeGroups);
        if (!g) throw notFound();
        await removePrincipalEverywhere(tx, caller.tenantId, g.id);
        await tx.groups.delete(caller.tenantId, g.id);
      });
    },

    /** @throws NotFoundError (group or member), ConflictError (already a member) */
    async addMember(caller: Caller, groupId: string, memberId: string): Promise<void> {
      const now = deps.clock.now();
      await deps.uow.run(async (tx) => {
        const g = await tx.groups.get(caller.tenantId, groupId.toLowerCase());
        await authorize(tx, caller, g ? writeRule(g) : DIRECTORY_RULES.writeGroups);
        if (!g) throw notFound();
        const id = memberId.toLowerCase();
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
      });
    },

    async removeMember(caller: Caller, groupId: string, memberId: string): Promise<void> {
      await deps.uow.run(async (tx) => {
        const g = await tx.groups.get(caller.tenantId, groupId.toLowerCase());
        await authorize(tx, caller, g ? writeRule(g) : DIRECTORY_RULES.writeGroups);
        if (!g) throw notFound();
        if (!(await tx.groups.removeMember(caller.tenantId, g.id, memberId.toLowerCase()))) throw notFound();
      });
    },

    async members(caller: Caller, groupId: string, q: CollectionQuery): Promise<Page<GroupMember>> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, DIRECTORY_RULES.readGroups);
        const g = await tx.groups.get(caller.tenantId, groupId.toLowerCase());
        if (!g) throw notFound();
        return tx.groups.members(caller.tenantId, g.id, q);
      });
    },
  };
}
