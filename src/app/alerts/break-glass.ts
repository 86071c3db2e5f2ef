import type { Attempted } from '../../domain/audit/audit-events.js';
import { userTarget } from '../../domain/audit/targets.js';
import {
  BREAK_GLASS_ACTIVITIES,
  BREAK_GLASS_RULES,
  breakGlassMarked,
  breakGlassUnmarked,
  breakGlassUsed,
  breakGlassUseJustified,
  MAX_BREAK_GLASS_JUSTIFICATION,
  type BreakGlassAccount,
  type BreakGlassUse,
  type BreakGlassUseMethod,
} from '../../domain/alerts/break-glass.js';
import type { User } from '../../domain/directory/types.js';
import type { DomainEvent } from '../../domain/events/domain-event.js';
import {
  BadRequestError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import { makeChange } from '../events/change.js';
import { retryOnConflict } from '../pim/retry.js';
import type { Stores, UnitOfWork } from '../ports.js';
import { scanAlerts } from './scan.js';

/** A break-glass account as the API shows it: the mark, the user's names, and its use so far. */
export interface BreakGlassAccountView extends BreakGlassAccount {
  userPrincipalName: string | null;
  displayName: string | null;
  accountEnabled: boolean | null;
  lastUsedAt: number | null;
  unjustifiedUseCount: number;
}

/** Most uses one listing returns (newest first). */
export const MAX_USES_LISTED = 100;

const accountNotFound = () =>
  new NotFoundError('The user is not a break-glass account.', 'Request_ResourceNotFound');
// The user is named in the body, not the path: a 400, as for other references in a body.
const userNotFound = (id: string) =>
  new BadRequestError('Request_BadRequest', `The user '${id.slice(0, 40)}' does not exist in this tenant.`);
const useNotFound = () =>
  new NotFoundError('The break-glass account use does not exist.', 'Request_ResourceNotFound');

// Business refusals are 400s (as Graph answers a duplicate), not ConflictError: units rerun on those.
const alreadyMarked = () =>
  new BadRequestError(
    'Request_MultipleObjectsWithSameKeyValue',
    'The user is already a break-glass account.',
  );
const alreadyJustified = () =>
  new BadRequestError('Request_MultipleObjectsWithSameKeyValue', 'The use is already justified.');

const named = (u: Pick<User, 'id' | 'displayName' | 'userPrincipalName'>) => ({
  id: u.id,
  displayName: u.displayName,
  userPrincipalName: u.userPrincipalName,
});
const attempted = (activity: Attempted['activity'], id: string): Attempted => ({
  activity,
  targets: [userTarget({ id: id.slice(0, 200), displayName: null, userPrincipalName: null })],
});

/**
 * Records a use of a break-glass account in the caller's transaction (a completed sign-in, a
 * refreshed token) and raises its "break-glass account used" incident in the same transaction.
 * Returns the events to record (none when the user is not a break-glass account). The caller's
 * unit must rerun on `ConflictError` (a concurrent scan saved the alert first).
 */
export async function recordBreakGlassUse(
  tx: Stores,
  tenantId: string,
  userId: string,
  method: BreakGlassUseMethod,
  now: number,
  newId: () => string,
): Promise<DomainEvent[]> {
  if ((await tx.breakGlass.get(tenantId, userId)) === undefined) return [];
  const user = await tx.users.get(tenantId, userId);
  const use: BreakGlassUse = {
    tenantId,
    id: newId(),
    userId,
    usedAt: now,
    method,
    justification: null,
    isTest: false,
    justifiedAt: null,
  };
  await tx.breakGlass.addUse(use);
  const who = user === undefined ? { id: userId, displayName: null, userPrincipalName: null } : named(user);
  return [breakGlassUsed(who, use), ...(await scanAlerts(tx, tenantId, now, ['BreakGlassAccountUsedAlert']))];
}

/**
 * Break-glass (emergency access) accounts, `/v1.0/elevate/breakGlassAccounts` (ADR 0033): role
 * administrators mark and unmark users; every use is recorded and raises a high-severity incident
 * until the account itself justifies it (optionally declaring it a test, which resets the test
 * reminder). Marking and unmarking rescan the break-glass alerts in the same transaction.
 */
export function makeBreakGlassAccounts(deps: { uow: UnitOfWork; clock: Clock }) {
  const change = makeChange(deps);

  async function view(tx: Stores, a: BreakGlassAccount): Promise<BreakGlassAccountView> {
    const user = await tx.users.get(a.tenantId, a.userId);
    const usage = (await tx.breakGlass.usage(a.tenantId)).get(a.userId);
    return {
      ...a,
      userPrincipalName: user?.userPrincipalName ?? null,
      displayName: user?.displayName ?? null,
      accountEnabled: user?.accountEnabled ?? null,
      lastUsedAt: usage?.lastUsedAt ?? null,
      unjustifiedUseCount: usage?.unjustified.length ?? 0,
    };
  }

  async function marked(tx: Stores, tenantId: string, userId: string): Promise<BreakGlassAccount> {
    const found = await tx.breakGlass.get(tenantId, userId);
    if (found === undefined) throw accountNotFound();
    return found;
  }

  /** Readers, and the account itself for its own mark and uses. */
  async function mayRead(tx: Stores, caller: Caller, userId: string, now: number) {
    if (caller.kind === 'user' && caller.id === userId) return;
    await authorize(tx, caller, BREAK_GLASS_RULES.read, now);
  }

  const rescan = async (tx: Stores, tenantId: string, now: number) =>
    scanAlerts(tx, tenantId, now, ['BreakGlassAccountUsedAlert', 'BreakGlassAccountTestOverdueAlert']);

  return {
    /** @throws ForbiddenError */
    list: (caller: Caller): Promise<BreakGlassAccountView[]> =>
      deps.uow.run(async (tx) => {
        await authorize(tx, caller, BREAK_GLASS_RULES.read, deps.clock.now());
        const out: BreakGlassAccountView[] = [];
        for (const a of await tx.breakGlass.list(caller.tenantId)) out.push(await view(tx, a));
        return out;
      }),

    /** @throws NotFoundError, ForbiddenError */
    get: (caller: Caller, userId: string): Promise<BreakGlassAccountView> =>
      deps.uow.run(async (tx) => {
        await mayRead(tx, caller, userId, deps.clock.now());
        return view(tx, await marked(tx, caller.tenantId, userId));
      }),

    /** The account's uses, newest first. @throws NotFoundError, ForbiddenError */
    uses: (caller: Caller, userId: string): Promise<BreakGlassUse[]> =>
      deps.uow.run(async (tx) => {
        await mayRead(tx, caller, userId, deps.clock.now());
        await marked(tx, caller.tenantId, userId);
        return tx.breakGlass.uses(caller.tenantId, userId, MAX_USES_LISTED);
      }),

    /**
     * Marks a user as a break-glass account.
     * @throws BadRequestError (no such user, already marked), ForbiddenError
     */
    async mark(caller: Caller, userId: string): Promise<BreakGlassAccountView> {
      return change(caller, {
        rerun: retryOnConflict,
        attempt: attempted(BREAK_GLASS_ACTIVITIES.mark, userId),
        check: async (tx, now) => {
          await authorize(tx, caller, BREAK_GLASS_RULES.write, now);
          const user = await tx.users.get(caller.tenantId, userId);
          if (user === undefined) throw userNotFound(userId);
          if ((await tx.breakGlass.get(caller.tenantId, user.id)) !== undefined) throw alreadyMarked();
          return user;
        },
        apply: async ({ tx, now, record }, user) => {
          const account: BreakGlassAccount = {
            tenantId: caller.tenantId,
            userId: user.id,
            createdAt: now,
            createdBy: caller.id,
            lastTestedAt: null,
          };
          if (!(await tx.breakGlass.insert(account))) throw alreadyMarked();
          record(breakGlassMarked(named(user)), ...(await rescan(tx, caller.tenantId, now)));
          return view(tx, account);
        },
      });
    },

    /** Removes the mark (the uses stay as history). @throws NotFoundError, ForbiddenError */
    async unmark(caller: Caller, userId: string): Promise<void> {
      await change(caller, {
        rerun: retryOnConflict,
        attempt: attempted(BREAK_GLASS_ACTIVITIES.unmark, userId),
        check: async (tx, now) => {
          await authorize(tx, caller, BREAK_GLASS_RULES.write, now);
          await marked(tx, caller.tenantId, userId);
          return tx.users.get(caller.tenantId, userId);
        },
        apply: async ({ tx, now, record }, user) => {
          await tx.breakGlass.remove(caller.tenantId, userId);
          const who =
            user === undefined ? { id: userId, displayName: null, userPrincipalName: null } : named(user);
          record(breakGlassUnmarked(who), ...(await rescan(tx, caller.tenantId, now)));
        },
      });
    },

    /**
     * The account explains one of its uses (only the account itself may); `isTest` declares it a
     * test, which resets the test reminder. The use's incident clears in the same transaction.
     * @throws ValidationError (empty or too long), NotFoundError, ForbiddenError (someone else),
     *   BadRequestError (already justified)
     */
    async justify(
      caller: Caller,
      userId: string,
      useId: string,
      input: { justification: string; isTest: boolean },
    ): Promise<void> {
      const justification = input.justification.trim();
      if (justification.length === 0 || justification.length > MAX_BREAK_GLASS_JUSTIFICATION)
        throw new ValidationError(
          `justification must be 1 to ${MAX_BREAK_GLASS_JUSTIFICATION} characters.`,
          'justification',
        );
      await change(caller, {
        rerun: retryOnConflict,
        attempt: attempted(BREAK_GLASS_ACTIVITIES.justify, userId),
        check: async (tx, now) => {
          const self = caller.kind === 'user' && caller.id === userId;
          if (!self) {
            // Readers learn that only the account may; anyone else learns nothing.
            try {
              await authorize(tx, caller, BREAK_GLASS_RULES.read, now);
            } catch (e) {
              if (e instanceof ForbiddenError) throw useNotFound();
              throw e;
            }
            throw new ForbiddenError('Only the break-glass account itself justifies its uses.');
          }
          await marked(tx, caller.tenantId, userId);
          const use = await tx.breakGlass.getUse(caller.tenantId, useId);
          if (use === undefined || use.userId !== userId) throw useNotFound();
          if (use.justifiedAt !== null) throw alreadyJustified();
          return { use, user: await tx.users.get(caller.tenantId, userId) };
        },
        apply: async ({ tx, now, record }, { use, user }) => {
          if (!(await tx.breakGlass.justify(caller.tenantId, use.id, justification, input.isTest, now)))
            throw alreadyJustified();
          if (input.isTest) await tx.breakGlass.setLastTested(caller.tenantId, userId, use.usedAt);
          const who =
            user === undefined ? { id: userId, displayName: null, userPrincipalName: null } : named(user);
          record(
            breakGlassUseJustified(who, { ...use, justification, isTest: input.isTest, justifiedAt: now }),
            ...(await rescan(tx, caller.tenantId, now)),
          );
        },
      });
    },
  };
}

export type BreakGlassAccounts = ReturnType<typeof makeBreakGlassAccounts>;
