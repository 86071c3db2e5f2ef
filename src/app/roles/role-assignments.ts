import type { RoleAssignment } from '../../domain/directory/types.js';
import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
import { BadRequestError, NotFoundError } from '../../domain/shared/errors.js';
import { roleAssignmentId } from '../../domain/roles/assignment-id.js';
import { checkUnitScopeExists } from '../administrative-units/scope.js';
import { validateDirectoryScope } from '../../domain/roles/directory-scope.js';
import type { Clock } from '../../domain/time/clock.js';
import { AUDIT_ACTIVITIES as A } from '../../domain/audit/activities.js';
import { principalTarget, roleTarget } from '../../domain/audit/targets.js';
import { roleAssignmentCreated, roleAssignmentDeleted } from '../../domain/roles/role-events.js';
import { principalTargetOf } from '../audit/record.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import { makeChange } from '../events/change.js';
import { retryOnConflict } from '../pim/retry.js';
import { findPrincipal } from '../directory/groups.js';
import { DIRECTORY_RULES } from '../../domain/directory/permissions.js';
import type { Page, Stores, UnitOfWork } from '../ports.js';

export interface CreateRoleAssignment {
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId?: string | null;
  appScopeId?: string | null;
}

const notFound = () => new NotFoundError('The role assignment does not exist.', 'Request_ResourceNotFound');

/** An assignment's event, with its principal and role named as they are now. */
async function assignmentEvent(tx: Stores, a: RoleAssignment, event: typeof roleAssignmentCreated) {
  const role = await tx.roleDefinitions.get(a.tenantId, a.roleDefinitionId);
  return event(a, await principalTargetOf(tx, a.tenantId, a.principalId, a.principalType), role);
}

/**
 * Direct (non-PIM) role assignments: standing access, which the PIM alerts will watch. Ids arrive as the edge parsed them
 * (`http/graph/ids.ts`): GUIDs in lower case, so nothing here lower-cases an id.
 */
export function makeRoleAssignments(deps: { uow: UnitOfWork; clock: Clock; newId: () => string }) {
  const change = makeChange(deps);
  return {
    /** @throws BadRequestError RoleNotFound / SubjectNotFound, ConflictError RoleAssignmentExists */
    async create(caller: Caller, cmd: CreateRoleAssignment): Promise<RoleAssignment> {
      const scope = validateDirectoryScope(cmd.directoryScopeId ?? '/');
      const principalId = cmd.principalId;
      return change(caller, {
        attempt: {
          activity: A.roleAssignmentCreate,
          targets: [
            principalTarget(undefined, principalId),
            roleTarget({ id: cmd.roleDefinitionId, displayName: null }),
          ],
          additionalDetails: [{ key: 'DirectoryScopeId', value: scope }],
        },
        rerun: retryOnConflict,
        check: async (tx, now) => {
          await authorize(tx, caller, DIRECTORY_RULES.writeRoles, now);
          const role = await tx.roleDefinitions.get(caller.tenantId, cmd.roleDefinitionId);
          if (!role || !role.isEnabled)
            throw new BadRequestError('RoleNotFound', 'The role definition does not exist or is disabled.');
          await checkUnitScopeExists(tx, caller.tenantId, scope);
          // A role whose settings require expiration for admin assignments has no standing access
          // outside PIM: a direct assignment is permanent, so it is refused.
          const rules =
            (await tx.policies.forRole(caller.tenantId, 'DirectoryRole', '/', role.id))?.rules ?? [];
          const expiration = rules.find((r) => r.id === 'Expiration_Admin_Assignment');
          if (expiration && 'isExpirationRequired' in expiration && expiration.isExpirationRequired) {
            throw new BadRequestError(
              'RoleAssignmentRequestPolicyValidationFailed',
              "The role's settings require an expiration for active assignments (rule Expiration_Admin_Assignment, isExpirationRequired): a permanent direct role assignment is not allowed; create a time-bound assignment through PIM (roleAssignmentScheduleRequests, action adminAssign).",
            );
          }
          const type = await findPrincipal(tx, caller.tenantId, principalId);
          if (!type) throw new BadRequestError('SubjectNotFound', 'The principal does not exist.');
          if (type === 'group') {
            const g = await tx.groups.get(caller.tenantId, principalId);
            if (!g?.isAssignableToRole) {
              throw new BadRequestError(
                'Request_BadRequest',
                'Only role-assignable groups (isAssignableToRole) can hold roles.',
              );
            }
          }
          return { role, type };
        },
        apply: async ({ tx, now, record }, { role, type }) => {
          // A PIM assignment of the same slot (current or future) already grants this role; the
          // slot's compare-and-set keeps a concurrent PIM write from slipping in between.
          const slot = {
            tenantId: caller.tenantId,
            kind: 'assignment' as const,
            principalId,
            roleDefinitionId: role.id,
            directoryScopeId: scope,
          };
          const version = await tx.schedules.slotVersion(slot);
          const pim = await tx.schedules.latestInSlot(slot, now);
          if (pim && (pim.window.end === null || pim.window.end > now)) {
            throw new BadRequestError('RoleAssignmentExists', 'The Role assignment already exists.');
          }
          await tx.schedules.bumpSlot(slot, version);
          const a: RoleAssignment = {
            id: roleAssignmentId(role.id, principalId, scope, deps.newId),
            tenantId: caller.tenantId,
            principalId,
            principalType: type,
            roleDefinitionId: role.id,
            directoryScopeId: scope,
            appScopeId: cmd.appScopeId ?? null,
            createdAt: now,
            createdBy: caller.id,
          };
          await tx.roleAssignments.insert(a);
          record(await assignmentEvent(tx, a, roleAssignmentCreated));
          return a;
        },
      });
    },

    async get(caller: Caller, id: string): Promise<RoleAssignment> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, DIRECTORY_RULES.readRoles, deps.clock.now());
        const a = await tx.roleAssignments.get(caller.tenantId, id);
        if (!a) throw notFound();
        return a;
      });
    },

    async list(caller: Caller, q: CollectionQuery): Promise<Page<RoleAssignment>> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, DIRECTORY_RULES.readRoles, deps.clock.now());
        return tx.roleAssignments.list(caller.tenantId, q);
      });
    },

    async delete(caller: Caller, id: string): Promise<void> {
      await change(caller, {
        attempt: {
          activity: A.roleAssignmentDelete,
          targets: [],
          additionalDetails: [{ key: 'RoleAssignmentId', value: id.slice(0, 200) }],
        },
        check: (tx, now) => authorize(tx, caller, DIRECTORY_RULES.writeRoles, now),
        apply: async ({ tx, record }) => {
          const a = await tx.roleAssignments.get(caller.tenantId, id);
          if (!a || !(await tx.roleAssignments.delete(caller.tenantId, a.id))) throw notFound();
          record(await assignmentEvent(tx, a, roleAssignmentDeleted));
        },
      });
    },
  };
}
