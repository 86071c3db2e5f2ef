import { INVALID_CODE } from '../../domain/authn/sign-in-errors.js';
import { newTotpSeed, otpauthUri, verifyTotp } from '../../domain/authn/totp.js';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../../domain/shared/errors.js';
import { methodRegistered, methodsReset } from '../../domain/sign-in/sign-in-events.js';
import type { Clock } from '../../domain/time/clock.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import { DIRECTORY_RULES } from '../../domain/directory/permissions.js';
import { guardPrivilegedTarget } from '../directory/users.js';
import type { UnitOfWork } from '../ports.js';
import { totpSeedContext, type Sealer } from './ports.js';

/**
 * Second factors of the signed-in user (TOTP enrolment) and the administrator's reset. Enrolment is
 * two steps: `beginTotp` stores a fresh sealed seed, unconfirmed, and returns the otpauth URI;
 * `confirmTotp` with a correct code makes it usable for sign-in (and audits the registration).
 */
export function makeFactors(deps: { uow: UnitOfWork; clock: Clock; sealer: Sealer; issuerName: string }) {
  const ownUser = (caller: Caller) => {
    if (caller.kind !== 'user') throw new ForbiddenError('Only a signed-in user has security info.');
  };
  return {
    /** @throws ConflictError when a confirmed TOTP factor already exists (an administrator resets it). */
    async beginTotp(caller: Caller): Promise<{ otpauthUri: string }> {
      ownUser(caller);
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        const user = await tx.users.get(caller.tenantId, caller.id);
        if (user === undefined) throw new NotFoundError();
        const existing = await tx.factors.getTotp(user.id);
        if (existing?.confirmed === true) {
          throw new ConflictError(
            'An authenticator app is already registered.',
            'authenticationMethodExists',
          );
        }
        const seed = newTotpSeed();
        await tx.factors.putTotp({
          userId: user.id,
          tenantId: user.tenantId,
          sealedSeed: deps.sealer.seal(seed.toString('base64'), totpSeedContext(user.id)),
          confirmed: false,
          lastUsedStep: null,
          createdAt: now,
        });
        return { otpauthUri: otpauthUri({ issuer: deps.issuerName, account: user.userPrincipalName, seed }) };
      });
    },

    /** @throws BadRequestError(`invalidVerificationCode`) when the code does not match the pending seed. */
    async confirmTotp(caller: Caller, code: string): Promise<void> {
      ownUser(caller);
      const now = deps.clock.now();
      await deps.uow.run(async (tx) => {
        const factor = await tx.factors.getTotp(caller.id);
        if (factor === undefined || factor.confirmed)
          throw new NotFoundError('No authenticator app enrolment is pending.');
        const seed = Buffer.from(deps.sealer.open(factor.sealedSeed, totpSeedContext(caller.id)), 'base64');
        const check = verifyTotp({
          seed,
          code: code.slice(0, 16),
          nowMs: now,
          lastUsedStep: factor.lastUsedStep,
        });
        if (!check.ok || !(await tx.factors.useTotpStep(caller.id, check.step))) {
          throw new BadRequestError('invalidVerificationCode', INVALID_CODE);
        }
        const user = await tx.users.get(caller.tenantId, caller.id);
        const named = {
          id: caller.id,
          displayName: user?.displayName ?? null,
          userPrincipalName: user?.userPrincipalName ?? null,
        };
        tx.events.record({ caller }, now, methodRegistered(named, { kind: 'softwareOath' }));
      });
    },

    /** Removes all of a user's factors (lost phone). @throws ForbiddenError, NotFoundError */
    async reset(caller: Caller, userId: string): Promise<void> {
      const now = deps.clock.now();
      await deps.uow.run(async (tx) => {
        await authorize(tx, caller, DIRECTORY_RULES.writeUsers, now);
        const user = await tx.users.get(caller.tenantId, userId.toLowerCase());
        if (user === undefined) throw new NotFoundError();
        await guardPrivilegedTarget(tx, caller, user.id, now);
        const removed = await tx.factors.deleteAll(user.id);
        tx.events.record({ caller }, now, methodsReset(user, removed));
      });
    },
  };
}

export type Factors = ReturnType<typeof makeFactors>;
