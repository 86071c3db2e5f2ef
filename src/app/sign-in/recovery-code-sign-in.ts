import { recoveryCodeHash } from '../../domain/authn/recovery-codes.js';
import { recoveryCodeUsed } from '../../domain/sign-in/sign-in-events.js';
import type { Clock } from '../../domain/time/clock.js';
import type { UnitOfWork } from '../ports.js';
import { signerActor, type AttemptContext, type SignInAttempts } from './sign-in-attempts.js';

/**
 * A recovery code as the second factor after a password. Each code works once (compare-and-set on
 * `used_at`); its use is audited. A refusal counts under `totp:<user id>` (the same budget as
 * authenticator-app codes: both are one-time passwords) and the address, in the same transaction.
 */
export function makeRecoveryCodeSignIn(deps: { uow: UnitOfWork; clock: Clock; attempts: SignInAttempts }) {
  const { attempts } = deps;
  return {
    /** @throws SignInRefused(`invalidCode`); RateLimitedError while blocked. */
    async recoveryCode(tenantId: string, userId: string, code: string, ctx: AttemptContext): Promise<void> {
      const now = deps.clock.now();
      await attempts.oneTimeCode({ tenantId, userId, ctx, now }, async (tx, user) => {
        if (
          user === undefined ||
          !user.accountEnabled ||
          !(await tx.recoveryCodes.use(userId, recoveryCodeHash(userId, code), now))
        )
          return 'wrong or used recovery code';
        const remaining = (await tx.recoveryCodes.summary(userId))?.remaining ?? 0;
        tx.events.record(signerActor(tenantId, user, ctx, ['pwd']), now, recoveryCodeUsed(user, remaining));
        return undefined;
      });
    },
  };
}
