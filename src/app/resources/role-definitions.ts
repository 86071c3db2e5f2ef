import {
  BUILT_IN_RESOURCE_ROLES,
  findBuiltInResourceRole,
} from '../../domain/resources/built-in-resource-roles.js';
import { RESOURCE_RULES } from '../../domain/resources/permissions.js';
import {
  RESOURCE_ACTIVITIES,
  resourceRoleCreated,
  resourceRoleDeleted,
  resourceRoleUpdated,
} from '../../domain/resources/resource-events.js';
import {
  checkRoleDefinitionInput,
  type ResourceRoleDefinition,
  type ResourceRolePermissions,
} from '../../domain/resources/resource-role.js';
import { BadRequestError, NotFoundError } from '../../domain/shared/errors.js';
import { isGuid } from '../../domain/shared/ids.js';
import type { Clock } from '../../domain/time/clock.js';
import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import { makeChange } from '../events/change.js';
import type { Page, Stores, UnitOfWork } from '../ports.js';
import { findResourceRole } from './find-role.js';

export interface ResourceRoleInput {
  roleName: string;
  description: string;
  permissions: ResourceRolePermissions;
  assignableScopes: string[];
}

const notFound = () => new NotFoundError('The role definition does not exist.', 'RoleDefinitionDoesNotExist');

const requested = (id: string | null, name = '') => [
  {
    id,
    displayName: name.slice(0, 200),
    type: 'Role' as const,
    userPrincipalName: null,
    modifiedProperties: [],
  },
];

/**
 * Resource role definitions (`/v1.0/elevate/resourceRoleDefinitions`, and read through ARM's
 * `roleDefinitions`): Azure's built-ins, and custom roles administrators define. Built-ins cannot
 * be changed or deleted; a custom role still granted by a current or future schedule cannot be
 * deleted (`RoleDefinitionHasAssignments`).
 */
export function makeResourceRoleDefinitions(deps: { uow: UnitOfWork; clock: Clock; newId: () => string }) {
  const change = makeChange(deps);
  const custom = async (tx: Stores, caller: Caller, id: string, now: number) => {
    await authorize(tx, caller, RESOURCE_RULES.write, now);
    if (findBuiltInResourceRole(id))
      throw new BadRequestError('BuiltInRoleCannotBeChanged', 'Built-in roles cannot be changed or deleted.');
    const r = isGuid(id) ? await tx.resourceRoles.get(caller.tenantId, id) : undefined;
    if (r === undefined) throw notFound();
    return r;
  };
  const builtInNamed = (name: string) =>
    BUILT_IN_RESOURCE_ROLES.some((b) => b.roleName.toLowerCase() === name.toLowerCase());

  return {
    /** Built-ins first (on the first page of an unfiltered list only), then the tenant's custom roles. */
    async list(caller: Caller, q: CollectionQuery): Promise<Page<ResourceRoleDefinition>> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, RESOURCE_RULES.read, now);
        return tx.resourceRoles.list(caller.tenantId, q);
      });
    },

    /** Every role a tenant may grant: built-ins and custom roles (ARM `roleDefinitions`). */
    async all(caller: Caller, q: CollectionQuery): Promise<ResourceRoleDefinition[]> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, RESOURCE_RULES.read, now);
        const page = await tx.resourceRoles.list(caller.tenantId, q);
        return [...BUILT_IN_RESOURCE_ROLES, ...page.items];
      });
    },

    /** @throws NotFoundError, ForbiddenError */
    async get(caller: Caller, id: string): Promise<ResourceRoleDefinition> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, RESOURCE_RULES.read, now);
        const r = await findResourceRole(tx, caller.tenantId, id);
        if (r === undefined) throw notFound();
        return r;
      });
    },

    /** @throws ValidationError (`InvalidActionPattern`, `InvalidResourceScope`, bounds), BadRequestError, ConflictError, ForbiddenError */
    async create(caller: Caller, input: ResourceRoleInput): Promise<ResourceRoleDefinition> {
      const checked = checkRoleDefinitionInput(input);
      if (builtInNamed(checked.roleName))
        throw new BadRequestError('RoleDefinitionWithSameNameExists', 'A built-in role has this name.');
      return change(caller, {
        attempt: { activity: RESOURCE_ACTIVITIES.roleCreate, targets: requested(null, checked.roleName) },
        check: (tx, now) => authorize(tx, caller, RESOURCE_RULES.write, now),
        apply: async ({ tx, now, record }) => {
          const r: ResourceRoleDefinition = {
            id: deps.newId(),
            tenantId: caller.tenantId,
            ...checked,
            roleType: 'CustomRole',
            createdAt: now,
            modifiedAt: now,
            version: 1,
          };
          await tx.resourceRoles.insert(r);
          record(resourceRoleCreated(r));
          return r;
        },
      });
    },

    /** Replaces a custom role's fields. @throws as `create`, NotFoundError */
    async update(caller: Caller, id: string, input: ResourceRoleInput): Promise<ResourceRoleDefinition> {
      const checked = checkRoleDefinitionInput(input);
      if (builtInNamed(checked.roleName))
        throw new BadRequestError('RoleDefinitionWithSameNameExists', 'A built-in role has this name.');
      return change(caller, {
        attempt: { activity: RESOURCE_ACTIVITIES.roleUpdate, targets: requested(id) },
        check: (tx, now) => custom(tx, caller, id, now),
        apply: async ({ tx, now, record }, before) => {
          const after: ResourceRoleDefinition = {
            ...before,
            ...checked,
            modifiedAt: now,
            version: before.version + 1,
          };
          await tx.resourceRoles.update(after, before.version);
          record(resourceRoleUpdated(before, after));
          return after;
        },
      });
    },

    /** @throws NotFoundError, BadRequestError (`RoleDefinitionHasAssignments`, built-in), ForbiddenError */
    async delete(caller: Caller, id: string): Promise<void> {
      await change(caller, {
        attempt: { activity: RESOURCE_ACTIVITIES.roleDelete, targets: requested(id) },
        check: async (tx, now) => {
          const r = await custom(tx, caller, id, now);
          if (await tx.schedules.anyForRole(caller.tenantId, 'resourceRole', r.id, now))
            throw new BadRequestError(
              'RoleDefinitionHasAssignments',
              'The role is still granted by eligibility or assignment schedules; remove them first.',
            );
          return r;
        },
        apply: async ({ tx, record }, r) => {
          await tx.resourceRoles.delete(caller.tenantId, r.id);
          record(resourceRoleDeleted(r));
        },
      });
    },
  };
}
