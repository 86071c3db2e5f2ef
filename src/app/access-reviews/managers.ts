import { managerChanged } from '../../domain/access-reviews/access-review-events.js';
import { REVIEW_ACTIVITIES } from '../../domain/access-reviews/access-review-events.js';
import { userTarget } from '../../domain/audit/targets.js';
import type { User } from '../../domain/directory/types.js';
import { DIRECTORY_RULES } from '../../domain/directory/permissions.js';
import { BadRequestError, NotFoundError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import { guardPrivilegedTarget } from '../directory/users.js';
import { makeChange } from '../events/change.js';
import type { Stores, UnitOfWork } from '../ports.js';

const notFound = () =>
  new NotFoundError(
    'Resource does not exist or one of its queried reference-property objects are not present.',
    'Request_ResourceNotFound',
  );

/** Longest chain of managers walked when looking for a cycle; a directory deeper than this is refused. */
const MAX_CHAIN = 1_000;

const named = (u: User) => ({ id: u.id, displayName: u.displayName, userPrincipalName: u.userPrincipalName });
const requested = (id: string) =>
  userTarget({ id: id.slice(0, 200), displayName: null, userPrincipalName: null });

/**
 * A user's manager (`/users/{id}/manager`), which access reviews ask when the reviewer is "the
 * principal's manager". Setting one that would make a cycle (a user managing themselves, directly or
 * up the chain) is refused; every change is audited as Entra's "Set user manager"/"Remove user manager".
 */
export function makeManagers(deps: { uow: UnitOfWork; clock: Clock }) {
  const change = makeChange(deps);

  async function userOf(tx: Stores, tenantId: string, id: string): Promise<User> {
    const user = await tx.users.get(tenantId, id);
    if (!user) throw notFound();
    return user;
  }

  return {
    /** @throws NotFoundError (user, or no manager), ForbiddenError */
    async get(caller: Caller, userId: string): Promise<User> {
      return deps.uow.run(async (tx) => {
        if (!(caller.kind === 'user' && caller.id === userId))
          await authorize(tx, caller, DIRECTORY_RULES.readUsers, deps.clock.now());
        await userOf(tx, caller.tenantId, userId);
        const managerId = await tx.managers.get(caller.tenantId, userId);
        if (managerId === null) throw notFound();
        return userOf(tx, caller.tenantId, managerId);
      });
    },

    /** `PUT /users/{id}/manager/$ref`. @throws NotFoundError, BadRequestError (cycle), ForbiddenError */
    async set(caller: Caller, userId: string, managerId: string): Promise<void> {
      await change(caller, {
        attempt: { activity: REVIEW_ACTIVITIES.managerSet, targets: [requested(userId)] },
        check: async (tx, now) => {
          await authorize(tx, caller, DIRECTORY_RULES.writeUsers, now);
          const user = await userOf(tx, caller.tenantId, userId);
          // The manager reviews the user's privileged access: naming one is a privileged change.
          await guardPrivilegedTarget(tx, caller, userId, now);
          await userOf(tx, caller.tenantId, managerId);
          // Walk up from the new manager: meeting the user again would make a cycle.
          let at: string | null = managerId;
          for (let step = 0; at !== null; step += 1) {
            if (at === userId || step > MAX_CHAIN)
              throw new BadRequestError(
                'Request_BadRequest',
                'The manager would make a cycle: a user cannot be their own manager, directly or through others.',
              );
            at = await tx.managers.get(caller.tenantId, at);
          }
          return { user, before: await tx.managers.get(caller.tenantId, userId) };
        },
        apply: async ({ tx, now, record }, { user, before }) => {
          if (before === managerId) return;
          await tx.managers.set(caller.tenantId, userId, managerId, now);
          record(managerChanged(caller.tenantId, named(user), before, managerId));
        },
      });
    },

    /** `DELETE /users/{id}/manager/$ref`. @throws NotFoundError (user, or no manager), ForbiddenError */
    async remove(caller: Caller, userId: string): Promise<void> {
      await change(caller, {
        attempt: { activity: REVIEW_ACTIVITIES.managerRemove, targets: [requested(userId)] },
        check: async (tx, now) => {
          await authorize(tx, caller, DIRECTORY_RULES.writeUsers, now);
          const user = await userOf(tx, caller.tenantId, userId);
          await guardPrivilegedTarget(tx, caller, userId, now);
          const before = await tx.managers.get(caller.tenantId, userId);
          if (before === null) throw notFound();
          return { user, before };
        },
        apply: async ({ tx, record }, { user, before }) => {
          await tx.managers.remove(caller.tenantId, userId);
          record(managerChanged(caller.tenantId, named(user), before, null));
        },
      });
    },
  };
}
