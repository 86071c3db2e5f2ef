import { PIM_ACTIVITIES } from '../../domain/pim/activities.js';
import { activationEnded } from '../../domain/pim/pim-events.js';
import type { Schedule } from '../../domain/pim/schedule.js';
import { endedAt } from '../../domain/pim/window.js';
import { RESOURCE_RULES } from '../../domain/resources/permissions.js';
import {
  RESOURCE_ACTIVITIES,
  scopeCreated,
  scopeDeleted,
  scopeUpdated,
} from '../../domain/resources/resource-events.js';
import {
  checkScopeDisplayName,
  checkScopeType,
  type ResourceScope,
} from '../../domain/resources/resource-scope.js';
import { checkScopePath, parentOf, ROOT_SCOPE } from '../../domain/resources/scope-path.js';
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  ValidationError,
} from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import { makeChange, type Applying } from '../events/change.js';
import { slotOf } from '../pim/gather.js';
import { subjectOf } from '../pim/principals.js';
import { retryOnConflict } from '../pim/retry.js';
import type { Page, Stores, UnitOfWork } from '../ports.js';
import { findResourceRole } from './find-role.js';

export interface CreateResourceScope {
  id: string;
  displayName: string;
  type: string;
}

export type UpdateResourceScope = Partial<{ displayName: string; type: string }>;

const notFound = () => new NotFoundError('The resource scope does not exist.', 'Request_ResourceNotFound');

const requested = (id: string | null, name = '') => [
  {
    id,
    displayName: name.slice(0, 200),
    type: 'Other' as const,
    userPrincipalName: null,
    modifiedProperties: [],
  },
];

/**
 * Ends every current or future resource-role schedule at the scope at `now` (status `Revoked`,
 * each slot taken by compare-and-set, so an activation racing the removal either lands first and
 * is ended here, or re-runs and finds no scope), recording one event per schedule.
 */
async function endSchedulesAt(on: Applying, scope: ResourceScope): Promise<number> {
  const { tx, now, record } = on;
  const schedules = await tx.schedules.atScope(scope.tenantId, 'resourceRole', scope.id, now);
  for (const s of schedules) {
    const slot = slotOf(s);
    await tx.schedules.bumpSlot(slot, await tx.schedules.slotVersion(slot));
    const ended: Schedule = {
      ...s,
      window: endedAt(s.window, now),
      status: 'Revoked',
      modifiedAt: now,
      expiryRecordedAt: now,
    };
    await tx.schedules.update(ended, s.version);
    const role = await findResourceRole(tx, s.tenantId, s.roleDefinitionId);
    const subject = await subjectOf(
      tx,
      s.tenantId,
      s.kind,
      s.roleDefinitionId,
      s.principalId,
      s.principalType,
      {
        roleName: role?.roleName ?? null,
      },
    );
    record(activationEnded(subject, ended, PIM_ACTIVITIES.scheduleEndedWithResource, `resource:${scope.id}`));
  }
  return schedules.length;
}

/**
 * The resource hierarchy (`/v1.0/elevate/resourceScopes`, ADR 0029): register, read, rename and
 * remove resources. A resource's parent is its path's prefix and must exist (the root `/` always
 * does); a resource with children cannot be removed (remove the children first); removing one ends
 * the resource-role schedules at it at once.
 */
export function makeResourceScopes(deps: { uow: UnitOfWork; clock: Clock }) {
  const change = makeChange(deps);
  const writable = async (tx: Stores, caller: Caller, id: string, now: number) => {
    await authorize(tx, caller, RESOURCE_RULES.write, now);
    const s = await tx.resourceScopes.get(caller.tenantId, id);
    if (s === undefined) throw notFound();
    return s;
  };

  return {
    async list(caller: Caller, q: CollectionQuery): Promise<Page<ResourceScope>> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, RESOURCE_RULES.read, now);
        return tx.resourceScopes.list(caller.tenantId, q);
      });
    },

    /** @throws NotFoundError, ForbiddenError */
    async get(caller: Caller, id: string): Promise<ResourceScope> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, RESOURCE_RULES.read, now);
        const s = await tx.resourceScopes.get(caller.tenantId, id);
        if (s === undefined) throw notFound();
        return s;
      });
    },

    /**
     * @throws ValidationError (`InvalidResourceScope`: malformed path, or the root),
     *   BadRequestError (`ParentScopeNotFound`), ConflictError (path taken), ForbiddenError
     */
    async create(caller: Caller, cmd: CreateResourceScope): Promise<ResourceScope> {
      const id = checkScopePath(cmd.id);
      if (id === ROOT_SCOPE)
        throw new ValidationError(
          "The root scope '/' always exists and is not registered.",
          'id',
          'InvalidResourceScope',
        );
      const displayName = checkScopeDisplayName(cmd.displayName);
      const type = checkScopeType(cmd.type);
      const parentId = parentOf(id) ?? ROOT_SCOPE;
      return change(caller, {
        attempt: { activity: RESOURCE_ACTIVITIES.scopeCreate, targets: requested(id, displayName) },
        rerun: retryOnConflict,
        check: async (tx, now) => {
          await authorize(tx, caller, RESOURCE_RULES.write, now);
          if ((await tx.resourceScopes.get(caller.tenantId, id)) !== undefined)
            throw new BadRequestError(
              'ScopeExists',
              'A resource with this scope path is already registered.',
            );
          if (parentId === ROOT_SCOPE) return undefined;
          const parent = await tx.resourceScopes.get(caller.tenantId, parentId);
          if (parent === undefined)
            throw new BadRequestError(
              'ParentScopeNotFound',
              `The parent scope '${parentId.slice(0, 200)}' is not registered; register it first.`,
            );
          return parent;
        },
        apply: async ({ tx, now, record }, parent) => {
          // Taking the parent's version by compare-and-set: a concurrent removal of the parent
          // either commits first (this unit re-runs and finds no parent) or sees this child.
          if (parent !== undefined)
            await tx.resourceScopes.update({ ...parent, version: parent.version + 1 }, parent.version);

          const s: ResourceScope = {
            id,
            tenantId: caller.tenantId,
            parentId,
            displayName,
            type,
            createdAt: now,
            modifiedAt: now,
            version: 1,
          };
          await tx.resourceScopes.insert(s);
          record(scopeCreated(s));
          return s;
        },
      });
    },

    /** @throws NotFoundError, ValidationError, ForbiddenError, ConflictError */
    async update(caller: Caller, id: string, patch: UpdateResourceScope): Promise<ResourceScope> {
      const displayName =
        patch.displayName === undefined ? undefined : checkScopeDisplayName(patch.displayName);
      const type = patch.type === undefined ? undefined : checkScopeType(patch.type);
      return change(caller, {
        attempt: { activity: RESOURCE_ACTIVITIES.scopeUpdate, targets: requested(id) },
        check: (tx, now) => writable(tx, caller, id, now),
        apply: async ({ tx, now, record }, before) => {
          const after: ResourceScope = {
            ...before,
            displayName: displayName ?? before.displayName,
            type: type ?? before.type,
            modifiedAt: now,
            version: before.version + 1,
          };
          await tx.resourceScopes.update(after, before.version);
          record(scopeUpdated(before, after));
          return after;
        },
      });
    },

    /**
     * Removes a resource that has no children, and ends every resource-role schedule at it in the
     * same transaction: access at and below it ends at once (nothing below it is registered).
     * @throws NotFoundError, BadRequestError (`ScopeHasChildren`), ForbiddenError, ConflictError
     */
    async delete(caller: Caller, id: string): Promise<void> {
      await change(caller, {
        attempt: { activity: RESOURCE_ACTIVITIES.scopeDelete, targets: requested(id) },
        rerun: retryOnConflict,
        check: async (tx, now) => {
          const s = await writable(tx, caller, id, now);
          if (await tx.resourceScopes.hasChildren(caller.tenantId, id))
            throw new BadRequestError(
              'ScopeHasChildren',
              'The resource has registered children; remove them first (a removal never cascades).',
            );
          return s;
        },
        apply: async (on, s) => {
          if (!(await on.tx.resourceScopes.delete(caller.tenantId, s.id, s.version)))
            throw new ConflictError();
          const ended = await endSchedulesAt(on, s);
          on.record(scopeDeleted(s, ended));
        },
      });
    },
  };
}
