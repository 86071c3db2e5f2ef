import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
import {
  findBuiltInRole,
  type RoleDefinition,
  validateRolePermissions,
} from '../../domain/roles/built-in-roles.js';
import { BadRequestError, NotFoundError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import { AUDIT_ACTIVITIES as A } from '../../domain/audit/activities.js';
import { roleTarget } from '../../domain/audit/targets.js';
import {
  roleDefinitionCreated,
  roleDefinitionDeleted,
  roleDefinitionUpdated,
} from '../../domain/roles/role-events.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import { makeChange } from '../events/change.js';
import { DIRECTORY_RULES } from '../../domain/directory/permissions.js';
import type { Page, Stores, StoredRoleDefinition, UnitOfWork } from '../ports.js';
import { insertDefaultPolicy } from '../policies/default-policy.js';

export type CreateRoleDefinition = Pick<
  RoleDefinition,
  'displayName' | 'description' | 'isEnabled' | 'rolePermissions'
> & {
  templateId?: string;
};

const notFound = () => new NotFoundError('The role definition does not exist.', 'Request_ResourceNotFound');

/**
 * Built-in roles are read-only; custom roles can be created, changed and deleted when unused. Ids arrive as the edge parsed them
 * (`http/graph/ids.ts`): GUIDs in lower case, so nothing here lower-cases an id.
 */
export function makeRoleDefinitions(deps: { uow: UnitOfWork; clock: Clock; newId: () => string }) {
  const change = makeChange(deps);
  /** A role named only by the id in the request (for a refused attempt). */
  const requested = (id: string) => roleTarget({ id: id.slice(0, 200), displayName: null });
  /** The caller's custom role by id, after the roles' rule. @throws NotFoundError, BadRequestError (built-in) */
  const writable = async (tx: Stores, caller: Caller, id: string, now: number, verb: string) => {
    await authorize(tx, caller, DIRECTORY_RULES.writeRoles, now);
    const r = await tx.roleDefinitions.get(caller.tenantId, id);
    if (!r) throw notFound();
    if (r.isBuiltIn)
      throw new BadRequestError('Request_BadRequest', `Built-in role definitions cannot be ${verb}.`);
    return r;
  };
  return {
    async list(caller: Caller, q: CollectionQuery): Promise<Page<StoredRoleDefinition>> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, DIRECTORY_RULES.readRoles, deps.clock.now());
        return tx.roleDefinitions.list(caller.tenantId, q);
      });
    },

    async get(caller: Caller, id: string): Promise<StoredRoleDefinition> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, DIRECTORY_RULES.readRoles, deps.clock.now());
        const r = await tx.roleDefinitions.get(caller.tenantId, id);
        if (!r) throw notFound();
        return r;
      });
    },

    async create(caller: Caller, cmd: CreateRoleDefinition): Promise<StoredRoleDefinition> {
      validateRolePermissions(cmd.rolePermissions);
      return change(caller, {
        attempt: {
          activity: A.roleDefinitionCreate,
          targets: [roleTarget({ id: null, displayName: cmd.displayName })],
        },
        check: async (tx, now) => {
          await authorize(tx, caller, DIRECTORY_RULES.writeRoles, now);
          if (cmd.templateId !== undefined && findBuiltInRole(cmd.templateId)) {
            throw new BadRequestError('Request_BadRequest', 'The templateId belongs to a built-in role.');
          }
        },
        apply: async ({ tx, now, record }) => {
          const id = deps.newId();
          const role: StoredRoleDefinition = {
            id,
            tenantId: caller.tenantId,
            displayName: cmd.displayName,
            description: cmd.description,
            isBuiltIn: false,
            isEnabled: cmd.isEnabled,
            isPrivileged: false,
            templateId: cmd.templateId ?? id,
            version: '1',
            resourceScopes: ['/'],
            rolePermissions: cmd.rolePermissions,
            createdAt: now,
            modifiedAt: now,
            rowVersion: 1,
          };
          await tx.roleDefinitions.insert(role);
          // Every role has role settings; a custom role starts from Entra's defaults.
          const policy = await insertDefaultPolicy(tx, {
            tenantId: caller.tenantId,
            roleDefinitionId: id,
            newId: deps.newId,
          });
          record(roleDefinitionCreated(role, policy.id));
          return role;
        },
      });
    },

    async update(caller: Caller, id: string, patch: Partial<CreateRoleDefinition>): Promise<void> {
      if (patch.rolePermissions) validateRolePermissions(patch.rolePermissions);
      await change(caller, {
        attempt: { activity: A.roleDefinitionUpdate, targets: [requested(id)] },
        check: (tx, now) => writable(tx, caller, id, now, 'modified'),
        apply: async ({ tx, now, record }, r) => {
          const next: StoredRoleDefinition = {
            ...r,
            displayName: patch.displayName ?? r.displayName,
            description: patch.description ?? r.description,
            isEnabled: patch.isEnabled ?? r.isEnabled,
            rolePermissions: patch.rolePermissions ?? r.rolePermissions,
            modifiedAt: now,
          };
          await tx.roleDefinitions.update(next, r.rowVersion);
          record(roleDefinitionUpdated(r, next));
        },
      });
    },

    async delete(caller: Caller, id: string): Promise<void> {
      await change(caller, {
        attempt: { activity: A.roleDefinitionDelete, targets: [requested(id)] },
        check: async (tx, now) => {
          const r = await writable(tx, caller, id, now, 'deleted');
          if ((await tx.roleAssignments.countForRole(caller.tenantId, r.id)) > 0) {
            throw new BadRequestError(
              'Request_BadRequest',
              'The role definition is still assigned; remove its assignments first.',
            );
          }
          return r;
        },
        apply: async ({ tx, record }, r) => {
          await tx.policies.deleteForRole(caller.tenantId, r.id);
          await tx.roleDefinitions.delete(caller.tenantId, r.id);
          record(roleDefinitionDeleted(r));
        },
      });
    },
  };
}
