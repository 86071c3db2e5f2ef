import { AUDIT_ACTIVITIES as A } from '../../domain/audit/activities.js';
import { userTarget } from '../../domain/audit/targets.js';
import {
  userCreated,
  userDeleted,
  userDeprovisioned,
  userUpdated,
} from '../../domain/directory/directory-events.js';
import { DIRECTORY_RULES } from '../../domain/directory/permissions.js';
import type { User } from '../../domain/directory/types.js';
import { applyPatch, type PatchOperation } from '../../domain/scim/scim-query.js';
import {
  readScimUser,
  scimUserJson,
  type ScimUserInput,
  type ScimUserView,
} from '../../domain/scim/scim-user.js';
import { BadRequestError, ConflictError, NotFoundError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import { authorize } from '../authorization/authorize.js';
import { guardPrivilegedTarget, removePrincipalEverywhere } from '../directory/users.js';
import { makeChange } from '../events/change.js';
import type { Stores, UnitOfWork } from '../ports.js';
import type { ScimNarrowing } from './ports.js';
import type { ScimCaller } from './scim-clients.js';

const notFound = (id: string) =>
  new NotFoundError(`Resource ${id.slice(0, 100)} not found.`, 'Request_ResourceNotFound');
const taken = () => new ConflictError('A user with this userName already exists.', 'uniqueness');

/** A user named only by the id in the request (for a refused attempt). */
const requested = (id: string | null, userName: string | null = null) =>
  userTarget({ id: id?.slice(0, 200) ?? null, displayName: null, userPrincipalName: userName });

/**
 * SCIM 2.0 users (`/scim/v2/Users`, ADR 0038): the directory's users, provisioned by an identity
 * provider. Built from the directory's own parts (its authorization rules, the privileged-user
 * guard, its events and audit, `removePrincipalEverywhere`), each call one transaction that also
 * records which client owns the user. A client sees and changes only the users it provisioned.
 * Deprovisioning — `active: false` or DELETE — ends the user's PIM schedules at once (eligible and
 * active, every resource type) and is allowed even for a user holding a privileged role: it only
 * takes access away. Any other change to such a user needs a role administrator, as in Graph.
 */
export function makeScimUsers(deps: { uow: UnitOfWork; clock: Clock; newId: () => string }) {
  const change = makeChange(deps);

  /** The client's user. @throws NotFoundError */
  const ownedUser = async (tx: Stores, s: ScimCaller, id: string): Promise<ScimUserView> => {
    const owned = await tx.scim.owned('User', s.clientId, id);
    const user = owned && (await tx.users.get(s.caller.tenantId, id));
    if (!owned || !user) throw notFound(id);
    return { user, externalId: owned.externalId };
  };

  /** Refuses a `userName` another user holds (case-insensitive, like the UPN). @throws ConflictError */
  const checkUnique = async (tx: Stores, tenantId: string, userName: string, self: string | null) => {
    const other = await tx.users.getByUpn(tenantId, userName);
    if (other !== undefined && other.id !== self) throw taken();
  };

  /** Inserts or updates, mapping a unique-index race to `uniqueness`. */
  const unique = async (write: Promise<void>) => {
    try {
      await write;
    } catch (e) {
      if (e instanceof BadRequestError && /userPrincipalName/.test(e.message)) throw taken();
      throw e;
    }
  };

  /** Writes a replacement (PUT, or the result of PATCH operations) of an owned user. */
  const replace = (s: ScimCaller, id: string, next: (current: ScimUserView) => ScimUserInput) =>
    change(s.caller, {
      attempt: { activity: A.userUpdate, targets: [requested(id)] },
      check: async (tx, now) => {
        await authorize(tx, s.caller, DIRECTORY_RULES.writeUsers, now);
        const current = await ownedUser(tx, s, id);
        const input = next(current);
        await checkUnique(tx, s.caller.tenantId, input.userName, id);
        const deprovisioning = current.user.accountEnabled && !input.active;
        // Switching a user off only takes access away: allowed for any user the client owns.
        if (!deprovisioning && changes(current.user, input))
          await guardPrivilegedTarget(tx, s.caller, id, now);
        return { current, input, deprovisioning };
      },
      apply: async ({ tx, now, record }, { current, input, deprovisioning }): Promise<ScimUserView> => {
        if (input.externalId !== current.externalId)
          await tx.scim.setExternalId('User', id, input.externalId);
        const before = current.user;
        if (!changes(before, input)) return { user: before, externalId: input.externalId };
        const after: User = {
          ...before,
          userPrincipalName: input.userName,
          displayName: input.displayName,
          givenName: input.givenName,
          surname: input.surname,
          mail: input.mail,
          jobTitle: input.jobTitle,
          accountEnabled: input.active,
          modifiedAt: now,
          version: before.version + 1,
        };
        await unique(tx.users.update(after, before.version));
        if (deprovisioning) {
          const ended = await tx.schedules.endAllForPrincipal(before.tenantId, before.id, now);
          record(userDeprovisioned(before, after, ended));
        } else record(userUpdated(before, after, false));
        return { user: after, externalId: input.externalId };
      },
    });

  return {
    /** `POST /Users`. @throws ConflictError (`uniqueness`), ValidationError, ForbiddenError */
    async create(s: ScimCaller, input: ScimUserInput): Promise<ScimUserView> {
      return change(s.caller, {
        attempt: { activity: A.userCreate, targets: [requested(null, input.userName)] },
        check: async (tx, now) => {
          await authorize(tx, s.caller, DIRECTORY_RULES.writeUsers, now);
          await checkUnique(tx, s.caller.tenantId, input.userName, null);
        },
        apply: async ({ tx, now, record }) => {
          const user: User = {
            id: deps.newId(),
            tenantId: s.caller.tenantId,
            displayName: input.displayName,
            userPrincipalName: input.userName,
            mail: input.mail,
            givenName: input.givenName,
            surname: input.surname,
            jobTitle: input.jobTitle,
            accountEnabled: input.active,
            // No local password: the user signs in through the trusted identity provider.
            passwordHash: null,
            passwordMustChange: false,
            createdAt: now,
            modifiedAt: now,
            version: 1,
          };
          await unique(tx.users.insert(user));
          await tx.scim.own('User', {
            tenantId: user.tenantId,
            clientId: s.clientId,
            objectId: user.id,
            externalId: input.externalId,
            createdAt: now,
          });
          record(userCreated(user));
          return { user, externalId: input.externalId };
        },
      });
    },

    /** @throws NotFoundError */
    async get(s: ScimCaller, id: string): Promise<ScimUserView> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, s.caller, DIRECTORY_RULES.readUsers, deps.clock.now());
        return ownedUser(tx, s, id);
      });
    },

    /** The client's users, oldest first, narrowed in SQL when the filter is one equality. */
    async list(s: ScimCaller, narrow: ScimNarrowing | null): Promise<ScimUserView[]> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, s.caller, DIRECTORY_RULES.readUsers, deps.clock.now());
        return tx.scim.ownedUsers(s.clientId, narrow ?? undefined);
      });
    },

    /** `PUT /Users/{id}`: the whole user replaced. @throws NotFoundError, ConflictError, ForbiddenError */
    replace: (s: ScimCaller, id: string, input: ScimUserInput) => replace(s, id, () => input),

    /**
     * `PATCH /Users/{id}`: the operations applied to the user's SCIM representation, the result
     * read and written like a PUT. @throws ValidationError (`invalidPath`, `noTarget`, `invalidValue`)
     */
    patch: (s: ScimCaller, id: string, ops: readonly PatchOperation[], baseUrl: string) =>
      replace(s, id, (current) => readScimUser(applyPatch(scimUserJson(current, baseUrl), ops))),

    /**
     * `DELETE /Users/{id}`: the user leaves the directory with their group memberships, direct role
     * assignments and second factors; their PIM schedules end at once. @throws NotFoundError
     */
    async delete(s: ScimCaller, id: string): Promise<void> {
      await change(s.caller, {
        attempt: { activity: A.userDelete, targets: [requested(id)] },
        check: async (tx, now) => {
          await authorize(tx, s.caller, DIRECTORY_RULES.writeUsers, now);
          return (await ownedUser(tx, s, id)).user;
        },
        apply: async ({ tx, now, record }, user) => {
          const removed = await removePrincipalEverywhere(tx, user.tenantId, user.id, now);
          await tx.users.delete(user.tenantId, user.id);
          record(userDeleted(user, removed));
        },
      });
    },
  };
}

/** Whether the input changes anything of the directory user (the `externalId` is SCIM's own). */
function changes(u: User, input: ScimUserInput): boolean {
  return (
    u.userPrincipalName !== input.userName ||
    u.displayName !== input.displayName ||
    u.givenName !== input.givenName ||
    u.surname !== input.surname ||
    u.mail !== input.mail ||
    u.jobTitle !== input.jobTitle ||
    u.accountEnabled !== input.active
  );
}
