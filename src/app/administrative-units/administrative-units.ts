import {
  AU_RULES,
  unitScope,
  type AdministrativeUnit,
  type AdministrativeUnitMember,
  type AdministrativeUnitVisibility,
} from '../../domain/directory/administrative-unit.js';
import {
  AU_ACTIVITIES,
  unitCreated,
  unitDeleted,
  unitMemberChanged,
  unitTarget,
  unitUpdated,
} from '../../domain/directory/administrative-unit-events.js';
import { principalTarget } from '../../domain/audit/targets.js';
import { BadRequestError, ConflictError, NotFoundError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
import { principalTargetOf } from '../audit/record.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import { findPrincipal } from '../directory/groups.js';
import { makeChange } from '../events/change.js';
import type { Page, Stores, UnitOfWork } from '../ports.js';

export interface CreateAdministrativeUnit {
  displayName: string;
  description?: string | null | undefined;
  visibility?: AdministrativeUnitVisibility | null | undefined;
}

export type UpdateAdministrativeUnit = Partial<{
  displayName: string;
  description: string | null;
  visibility: AdministrativeUnitVisibility | null;
}>;

const notFound = () =>
  new NotFoundError(
    'Resource does not exist or one of its queried reference-property objects are not present.',
    'Request_ResourceNotFound',
  );

const requested = (id: string) => unitTarget({ id: id.slice(0, 200), displayName: null });

/**
 * Administrative units (`/v1.0/directory/administrativeUnits`, ADR 0042): containers of users and
 * groups over which directory roles can be granted. Role administrators create, change and delete
 * them and change their members; directory readers read them. A unit some role assignment or PIM
 * schedule still names (current or future) cannot be deleted: remove those first.
 */
export function makeAdministrativeUnits(deps: { uow: UnitOfWork; clock: Clock; newId: () => string }) {
  const change = makeChange(deps);
  const writable = async (tx: Stores, caller: Caller, id: string, now: number) => {
    await authorize(tx, caller, AU_RULES.write, now);
    const u = await tx.administrativeUnits.get(caller.tenantId, id);
    if (!u) throw notFound();
    return u;
  };
  const readable = async (tx: Stores, caller: Caller, id: string, now: number) => {
    await authorize(tx, caller, AU_RULES.read, now);
    const u = await tx.administrativeUnits.get(caller.tenantId, id);
    if (!u) throw notFound();
    return u;
  };

  return {
    async list(caller: Caller, q: CollectionQuery): Promise<Page<AdministrativeUnit>> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, AU_RULES.read, now);
        return tx.administrativeUnits.list(caller.tenantId, q);
      });
    },

    /** @throws NotFoundError, ForbiddenError */
    async get(caller: Caller, id: string): Promise<AdministrativeUnit> {
      const now = deps.clock.now();
      return deps.uow.run((tx) => readable(tx, caller, id, now));
    },

    /** @throws ForbiddenError */
    async create(caller: Caller, cmd: CreateAdministrativeUnit): Promise<AdministrativeUnit> {
      return change(caller, {
        attempt: {
          activity: AU_ACTIVITIES.create,
          targets: [unitTarget({ id: null, displayName: cmd.displayName.slice(0, 200) })],
        },
        check: (tx, now) => authorize(tx, caller, AU_RULES.write, now),
        apply: async ({ tx, now, record }) => {
          const u: AdministrativeUnit = {
            id: deps.newId(),
            tenantId: caller.tenantId,
            displayName: cmd.displayName,
            description: cmd.description ?? null,
            visibility: cmd.visibility ?? null,
            createdAt: now,
            modifiedAt: now,
            version: 1,
          };
          await tx.administrativeUnits.insert(u);
          record(unitCreated(u));
          return u;
        },
      });
    },

    /** @throws NotFoundError, ForbiddenError, ConflictError */
    async update(caller: Caller, id: string, patch: UpdateAdministrativeUnit): Promise<AdministrativeUnit> {
      return change(caller, {
        attempt: { activity: AU_ACTIVITIES.update, targets: [requested(id)] },
        check: (tx, now) => writable(tx, caller, id, now),
        apply: async ({ tx, now, record }, u) => {
          const next: AdministrativeUnit = {
            ...u,
            displayName: patch.displayName ?? u.displayName,
            description: patch.description === undefined ? u.description : patch.description,
            visibility: patch.visibility === undefined ? u.visibility : patch.visibility,
            modifiedAt: now,
            version: u.version + 1,
          };
          await tx.administrativeUnits.update(next, u.version);
          record(unitUpdated(u, next));
          return next;
        },
      });
    },

    /**
     * Deletes a unit no role assignment or current or future PIM schedule names (400
     * `Request_BadRequest` otherwise), with its memberships.
     * @throws NotFoundError, ForbiddenError, BadRequestError, ConflictError
     */
    async delete(caller: Caller, id: string): Promise<void> {
      await change(caller, {
        attempt: { activity: AU_ACTIVITIES.delete, targets: [requested(id)] },
        check: (tx, now) => writable(tx, caller, id, now),
        apply: async ({ tx, now, record }, u) => {
          if (await tx.administrativeUnits.scopeInUse(caller.tenantId, unitScope(u.id), now)) {
            throw new BadRequestError(
              'Request_BadRequest',
              'The administrative unit is the scope of role assignments or PIM schedules; remove them first.',
            );
          }
          const members = await tx.administrativeUnits.countMembers(caller.tenantId, u.id);
          if (!(await tx.administrativeUnits.delete(caller.tenantId, u.id, u.version)))
            throw new ConflictError();
          record(unitDeleted(u, members));
        },
      });
    },

    /** @throws NotFoundError, ForbiddenError */
    async members(caller: Caller, id: string, q: CollectionQuery): Promise<Page<AdministrativeUnitMember>> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        const u = await readable(tx, caller, id, now);
        return tx.administrativeUnits.members(caller.tenantId, u.id, q);
      });
    },

    /**
     * Adds a user or a group (a service principal cannot be a member, as in Graph).
     * @throws NotFoundError (unit or member), BadRequestError (already a member, or not a user or group)
     */
    async addMember(caller: Caller, id: string, memberId: string): Promise<void> {
      await change(caller, {
        attempt: {
          activity: AU_ACTIVITIES.addMember,
          targets: [principalTarget(undefined, memberId.slice(0, 200)), requested(id)],
        },
        check: async (tx, now) => {
          const u = await writable(tx, caller, id, now);
          const type = await findPrincipal(tx, caller.tenantId, memberId);
          if (!type) throw notFound();
          if (type !== 'user' && type !== 'group')
            throw new BadRequestError(
              'Request_BadRequest',
              'Only users and groups can be members of an administrative unit.',
            );
          return { u, type };
        },
        apply: async ({ tx, now, record }, { u, type }) => {
          const m: AdministrativeUnitMember = { unitId: u.id, memberId, memberType: type };
          try {
            await tx.administrativeUnits.addMember(caller.tenantId, m, now);
          } catch (e) {
            if (!(e instanceof ConflictError)) throw e;
            throw new BadRequestError(
              'Request_BadRequest',
              "One or more added object references already exist for the following modified properties: 'members'.",
            );
          }
          record(
            unitMemberChanged('added', u, m, await principalTargetOf(tx, caller.tenantId, memberId, type)),
          );
        },
      });
    },

    /** @throws NotFoundError (unit, or not a member) */
    async removeMember(caller: Caller, id: string, memberId: string): Promise<void> {
      await change(caller, {
        attempt: {
          activity: AU_ACTIVITIES.removeMember,
          targets: [principalTarget(undefined, memberId.slice(0, 200)), requested(id)],
        },
        check: (tx, now) => writable(tx, caller, id, now),
        apply: async ({ tx, record }, u) => {
          const type = await findPrincipal(tx, caller.tenantId, memberId);
          if (!(await tx.administrativeUnits.removeMember(caller.tenantId, u.id, memberId))) throw notFound();
          const m: AdministrativeUnitMember = {
            unitId: u.id,
            memberId,
            memberType: type === 'group' ? 'group' : 'user',
          };
          record(
            unitMemberChanged('removed', u, m, await principalTargetOf(tx, caller.tenantId, memberId, type)),
          );
        },
      });
    },
  };
}
