import {
  authenticationContextDeleted,
  authenticationContextSaved,
  AUTHENTICATION_CONTEXT_ACTIVITIES,
} from '../../domain/authn/authentication-context-events.js';
import {
  isContextId,
  type AuthenticationContext,
  type ContextRequirement,
} from '../../domain/authn/authentication-context.js';
import { AUTHENTICATION_CONTEXT_RULES } from '../../domain/authn/authentication-context-permissions.js';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import { makeChange } from '../events/change.js';
import type { Stores, UnitOfWork } from '../ports.js';

/** What a PUT or PATCH says; a PATCH leaves out what it does not change. */
export interface ContextChange {
  displayName?: string;
  description?: string | null;
  isAvailable?: boolean;
  requirement?: ContextRequirement;
}

const notFound = () =>
  new NotFoundError('The authentication context class reference does not exist.', 'Request_ResourceNotFound');

/** @throws ValidationError when the id is not c1…c99 (checked before anything is read). */
function checkId(id: string): void {
  if (!isContextId(id)) {
    throw new ValidationError(
      `'${id.slice(0, 64)}' is not an authentication context id: use c1 to c99.`,
      'id',
    );
  }
}

/**
 * Authentication contexts (`/identity/conditionalAccess/authenticationContextClassReferences`):
 * read by policy readers, defined and changed by those who may change role settings, since a
 * context's requirement decides what activating a role that names it takes. Writes are upserts
 * (Graph's PUT and PATCH both create a missing context); every one must leave the context bound
 * to a requirement, and is audited in the same transaction.
 */
export function makeAuthenticationContexts(deps: { uow: UnitOfWork; clock: Clock }) {
  const change = makeChange(deps);
  const attempt = (id: string) => ({
    activity: AUTHENTICATION_CONTEXT_ACTIVITIES.update,
    targets: [
      {
        id: id.slice(0, 64),
        displayName: null,
        type: 'Policy' as const,
        userPrincipalName: null,
        modifiedProperties: [],
      },
    ],
  });

  const read = <T>(caller: Caller, f: (tx: Stores) => Promise<T>) =>
    deps.uow.run(async (tx) => {
      await authorize(tx, caller, AUTHENTICATION_CONTEXT_RULES.read, deps.clock.now());
      return f(tx);
    });

  return {
    /** @throws ForbiddenError */
    list: (caller: Caller): Promise<AuthenticationContext[]> =>
      read(caller, (tx) => tx.authenticationContexts.list(caller.tenantId)),

    /** @throws ValidationError (id), NotFoundError, ForbiddenError */
    get: (caller: Caller, id: string): Promise<AuthenticationContext> => {
      checkId(id);
      return read(caller, async (tx) => {
        const found = await tx.authenticationContexts.get(caller.tenantId, id);
        if (found === undefined) throw notFound();
        return found;
      });
    },

    /**
     * Creates or changes the context `id`. `replace` (PUT) resets what the body leaves out;
     * otherwise (PATCH) it keeps it. Returns the context and whether it was created.
     * @throws ValidationError (id; a new context without `displayName` or `elevateRequirement`),
     *   ForbiddenError, ConflictError (a concurrent write won).
     */
    save: (caller: Caller, id: string, body: ContextChange, replace: boolean) => {
      checkId(id);
      return change(caller, {
        attempt: attempt(id),
        check: async (tx, now) => {
          await authorize(tx, caller, AUTHENTICATION_CONTEXT_RULES.write, now);
          const before = await tx.authenticationContexts.get(caller.tenantId, id);
          const base = replace || before === undefined ? undefined : before;
          const displayName = body.displayName ?? base?.displayName;
          const requirement = body.requirement ?? base?.requirement;
          if (displayName === undefined) {
            throw new ValidationError(
              'displayName is required for a new or replaced context.',
              'displayName',
            );
          }
          if (requirement === undefined) {
            throw new ValidationError(
              'elevateRequirement is required: a context bound to no requirement could never be satisfied.',
              'elevateRequirement',
            );
          }
          const after: AuthenticationContext = {
            tenantId: caller.tenantId,
            id,
            displayName,
            description: body.description !== undefined ? body.description : (base?.description ?? null),
            isAvailable: body.isAvailable ?? base?.isAvailable ?? true,
            requirement,
            createdAt: before?.createdAt ?? now,
            modifiedAt: now,
            version: (before?.version ?? 0) + 1,
          };
          return { before, after };
        },
        apply: async ({ tx, record }, { before, after }) => {
          const written =
            before === undefined
              ? await tx.authenticationContexts.insert(after)
              : await tx.authenticationContexts.update(after, before.version);
          if (!written) throw new ConflictError();
          record(authenticationContextSaved(before, after));
          return { context: after, created: before === undefined };
        },
      });
    },

    /**
     * Deletes the context. A role setting that still names it then refuses every activation (it
     * fails closed) until an administrator names another one or turns the rule off.
     * @throws ValidationError (id), NotFoundError, ForbiddenError, ConflictError
     */
    remove: (caller: Caller, id: string): Promise<void> => {
      checkId(id);
      return change(caller, {
        attempt: { ...attempt(id), activity: AUTHENTICATION_CONTEXT_ACTIVITIES.delete },
        check: async (tx, now) => {
          await authorize(tx, caller, AUTHENTICATION_CONTEXT_RULES.write, now);
          const before = await tx.authenticationContexts.get(caller.tenantId, id);
          if (before === undefined) throw notFound();
          return before;
        },
        apply: async ({ tx, record }, before) => {
          if (!(await tx.authenticationContexts.delete(caller.tenantId, id, before.version))) {
            throw new ConflictError();
          }
          record(authenticationContextDeleted(before));
        },
      });
    },
  };
}
