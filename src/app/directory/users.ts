import { findBuiltInRole } from '../../domain/roles/built-in-roles.js';
import type { User } from '../../domain/directory/types.js';
import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
import type { Clock } from '../../domain/time/clock.js';
import { passwordProblem, type PasswordContext } from '../../domain/authn/password-rules.js';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import { AUDIT_ACTIVITIES as A } from '../../domain/audit/activities.js';
import { userTarget } from '../../domain/audit/targets.js';
import {
  userCreated,
  userDeleted,
  userUpdated,
  type Removed,
} from '../../domain/directory/directory-events.js';
import { makeChange } from '../events/change.js';
import { authorize } from '../authorization/authorize.js';
import { authorizeOver } from '../administrative-units/authorize-over.js';
import type { Caller } from '../authorization/caller.js';
import type { Page, Stores, UnitOfWork } from '../ports.js';
import { DIRECTORY_RULES } from '../../domain/directory/permissions.js';
import { memberOrEligibleGroups } from './member-groups.js';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
}

export interface CreateUser {
  displayName: string;
  userPrincipalName: string;
  accountEnabled: boolean;
  mail?: string | null;
  givenName?: string | null;
  surname?: string | null;
  jobTitle?: string | null;
  password?: string;
  forceChangePasswordNextSignIn?: boolean;
}

export type UpdateUser = Partial<Omit<CreateUser, 'userPrincipalName'>> & { userPrincipalName?: string };

const notFound = () =>
  new NotFoundError(
    `Resource does not exist or one of its queried reference-property objects are not present.`,
  );

/**
 * Users in Elevate's directory. Ids arrive as the edge parsed them
 * (`http/graph/ids.ts`): GUIDs in lower case, so nothing here lower-cases an id.
 */
export function makeUsers(deps: {
  uow: UnitOfWork;
  clock: Clock;
  newId: () => string;
  hasher: PasswordHasher;
}) {
  const change = makeChange(deps);
  return {
    /** @throws ForbiddenError, ConflictError (UPN taken) */
    async create(caller: Caller, cmd: CreateUser): Promise<User> {
      // Slow crypto stays outside the transaction (DESIGN.md invariant 3).
      const passwordHash = cmd.password === undefined ? null : await deps.hasher.hash(cmd.password);
      const named = { id: null, displayName: cmd.displayName, userPrincipalName: cmd.userPrincipalName };
      return change(caller, {
        attempt: { activity: A.userCreate, targets: [userTarget(named)] },
        check: async (tx, now) => {
          await authorize(tx, caller, DIRECTORY_RULES.writeUsers, now);
          checkPassword(cmd.password, cmd);
        },
        apply: async ({ tx, now, record }) => {
          const user: User = {
            id: deps.newId(),
            tenantId: caller.tenantId,
            displayName: cmd.displayName,
            userPrincipalName: cmd.userPrincipalName,
            mail: cmd.mail ?? null,
            givenName: cmd.givenName ?? null,
            surname: cmd.surname ?? null,
            jobTitle: cmd.jobTitle ?? null,
            accountEnabled: cmd.accountEnabled,
            passwordHash,
            passwordMustChange: cmd.forceChangePasswordNextSignIn ?? true,
            createdAt: now,
            modifiedAt: now,
            version: 1,
          };
          await tx.users.insert(user);
          record(userCreated(user));
          return user;
        },
      });
    },

    /** `idOrUpn` may be the object id or the userPrincipalName, as in Graph. @throws NotFoundError */
    async get(caller: Caller, idOrUpn: string): Promise<User> {
      return deps.uow.run(async (tx) => {
        if (!(caller.kind === 'user' && caller.id === idOrUpn))
          await authorize(tx, caller, DIRECTORY_RULES.readUsers, deps.clock.now());
        const user = idOrUpn.includes('@')
          ? await tx.users.getByUpn(caller.tenantId, idOrUpn)
          : await tx.users.get(caller.tenantId, idOrUpn);
        if (!user) throw notFound();
        return user;
      });
    },

    async list(caller: Caller, q: CollectionQuery): Promise<Page<User>> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, DIRECTORY_RULES.readUsers, deps.clock.now());
        return tx.users.list(caller.tenantId, q);
      });
    },

    /** @throws NotFoundError, ConflictError */
    async update(caller: Caller, id: string, patch: UpdateUser): Promise<void> {
      const passwordHash = patch.password === undefined ? undefined : await deps.hasher.hash(patch.password);
      await change(caller, {
        attempt: { activity: A.userUpdate, targets: [unknownUser(id)] },
        check: async (tx, now) => {
          const user = await writableUser(tx, caller, id, now);
          checkPassword(patch.password, {
            userPrincipalName: patch.userPrincipalName ?? user.userPrincipalName,
            displayName: patch.displayName ?? user.displayName,
          });
          return user;
        },
        apply: async ({ tx, now, record }, user) => {
          const next: User = {
            ...user,
            displayName: patch.displayName ?? user.displayName,
            userPrincipalName: patch.userPrincipalName ?? user.userPrincipalName,
            accountEnabled: patch.accountEnabled ?? user.accountEnabled,
            mail: patch.mail === undefined ? user.mail : patch.mail,
            givenName: patch.givenName === undefined ? user.givenName : patch.givenName,
            surname: patch.surname === undefined ? user.surname : patch.surname,
            jobTitle: patch.jobTitle === undefined ? user.jobTitle : patch.jobTitle,
            passwordHash: passwordHash ?? user.passwordHash,
            passwordMustChange:
              patch.forceChangePasswordNextSignIn ?? (passwordHash ? true : user.passwordMustChange),
            modifiedAt: now,
          };
          await tx.users.update(next, user.version);
          record(userUpdated(user, next, passwordHash !== undefined));
        },
      });
    },

    /** Deleting a user also drops their group memberships and direct role assignments. */
    async delete(caller: Caller, id: string): Promise<void> {
      await change(caller, {
        attempt: { activity: A.userDelete, targets: [unknownUser(id)] },
        check: async (tx, now) => {
          const user = await writableUser(tx, caller, id, now);
          if (caller.kind === 'user' && caller.id === user.id) {
            throw new ConflictError('You cannot delete your own account.', 'Request_BadRequest');
          }
          return user;
        },
        apply: async ({ tx, now, record }, user) => {
          const removed = await removePrincipalEverywhere(tx, caller.tenantId, user.id, now);
          await tx.users.delete(caller.tenantId, user.id);
          record(userDeleted(user, removed));
        },
      });
    },
  };
}

/**
 * The caller's user by id, after the checks that writing it needs (users' rule, tenant-wide or at
 * one of the user's administrative units, then the
 * privileged-user rule for a privileged target). @throws ForbiddenError, NotFoundError
 */
async function writableUser(tx: Stores, caller: Caller, id: string, now: number): Promise<User> {
  // Tenant-wide, or at an administrative unit the user is a member of (ADR 0042). A privileged
  // target still needs the privileged-user rule tenant-wide (below).
  await authorizeOver(tx, caller, DIRECTORY_RULES.writeUsers, now, id);
  const user = await tx.users.get(caller.tenantId, id);
  if (!user) throw notFound();
  await guardPrivilegedTarget(tx, caller, user.id, now);
  return user;
}

/**
 * When the target user holds or may activate a privileged role (directly or through a group), the
 * caller also needs the privileged-user rule. @throws ForbiddenError
 */
export async function guardPrivilegedTarget(
  tx: Stores,
  caller: Caller,
  userId: string,
  now: number,
): Promise<void> {
  if (await holdsOrMayActivatePrivilegedRole(tx, caller.tenantId, userId, now)) {
    await authorize(tx, caller, DIRECTORY_RULES.writePrivilegedUsers, now);
  }
}

/**
 * Whether the principal (user or service principal) holds or may activate a privileged built-in
 * role: a direct assignment, or a current or future PIM assignment or eligibility, held directly
 * or through a group.
 */
export async function holdsOrMayActivatePrivilegedRole(
  tx: Stores,
  tenantId: string,
  principalId: string,
  now: number,
): Promise<boolean> {
  const groups = await memberOrEligibleGroups(tx, tenantId, principalId, now);
  const principals = [principalId, ...groups];
  const roles = new Set([
    ...(await tx.roleAssignments.roleIdsOf(tenantId, principals)),
    ...(await tx.schedules.heldOrEligibleRoleIds(tenantId, principals, now)),
  ]);
  return [...roles].some((id) => findBuiltInRole(id)?.isPrivileged === true);
}

/** Removes a principal's group memberships and direct role assignments (used on delete). */
export async function removePrincipalEverywhere(
  tx: Stores,
  tenantId: string,
  principalId: string,
  now: number,
): Promise<Removed> {
  const groupIds = await tx.groups.groupsOf(tenantId, principalId);
  for (const groupId of groupIds) {
    await tx.groups.removeMember(tenantId, groupId, principalId);
  }
  // A deleted object leaves its administrative units with it (an AU-scoped role no longer reaches it).
  for (const unitId of await tx.administrativeUnits.unitsOf(tenantId, principalId))
    await tx.administrativeUnits.removeMember(tenantId, unitId, principalId);
  const roleAssignments = await tx.roleAssignments.deleteForPrincipal(tenantId, principalId);
  const pimSchedules = await tx.schedules.endAllForPrincipal(tenantId, principalId, now);
  // Second factors (sealed TOTP seeds) have no use without their user.
  await tx.factors.deleteAll(principalId);
  return { groupIds, roleAssignments, pimSchedules };
}

/**
 * Every password an administrator sets passes the same rules as the user's own (`passwordProblem`:
 * length, the common-password list, the user's name), so a weak one is never stored. Checked once
 * the caller is authorized, so a caller without the right learns nothing about the user's name.
 * @throws ValidationError (`invalidRequest`, target `passwordProfile.password`)
 */
function checkPassword(password: string | undefined, context: PasswordContext): void {
  if (password === undefined) return;
  const problem = passwordProblem(password, context);
  if (problem !== null) throw new ValidationError(problem, 'passwordProfile.password');
}

/** A user named only by the id in the request (for a refused attempt). */
const unknownUser = (id: string) =>
  userTarget({ id: id.slice(0, 200), displayName: null, userPrincipalName: null });
