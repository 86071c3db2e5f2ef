import { AUDIT_ACTIVITIES as A } from '../../domain/audit/activities.js';
import { auditDraft } from '../../domain/audit/draft.js';
import { userTarget } from '../../domain/audit/targets.js';
import { recoveryCodeHash } from '../../domain/authn/recovery-codes.js';
import { INVALID_CODE, SignInRefused } from '../../domain/authn/sign-in-errors.js';
import type { Clock } from '../../domain/time/clock.js';
import type { UnitOfWork } from '../ports.js';
import type { AttemptContext, SignInAttempts } from './sign-in-attempts.js';

/**
 * A recovery code as the second factor after a password. Each code works once (compare-and-set on
 * `used_at`); its use is audited. A refusal counts under `totp:<user id>` (the same budget as
 * authenticator-app codes: both are one-time passwords) and the address.
 */
export function makeRecoveryCodeSignIn(deps: {
  uow: UnitOfWork;
  clock: Clock;
  newId: () => string;
  attempts: SignInAttempts;
}) {
  const { attempts } = deps;
  return {
    /** @throws SignInRefused(`invalidCode`); RateLimitedError while blocked. */
    async recoveryCode(tenantId: string, userId: string, code: string, ctx: AttemptContext): Promise<void> {
      const now = deps.clock.now();
      const keys = attempts.keys(`totp:${userId}`, ctx.ip);
      const outcome = await deps.uow.run(async (tx) => {
        await attempts.refuseIfBlocked(tx, keys, now);
        const user = await tx.users.get(tenantId, userId);
        if (user === undefined || !user.accountEnabled) return { user, ok: false };
        if (!(await tx.recoveryCodes.use(userId, recoveryCodeHash(userId, code), now)))
          return { user, ok: false };
        const remaining = (await tx.recoveryCodes.summary(userId))?.remaining ?? 0;
        await tx.signInThrottle.clear(`totp:${userId}`);
        await tx.audit.append(
          auditDraft({
            id: deps.newId(),
            tenantId,
            now,
            activity: A.recoveryCodeUse,
            initiatedBy: {
              user: {
                id: user.id,
                displayName: user.displayName,
                userPrincipalName: user.userPrincipalName,
                ipAddress: ctx.ip,
              },
              app: null,
            },
            context: { userAgent: ctx.userAgent, amr: ['pwd'], correlationId: null },
            targets: [userTarget(user)],
            additionalDetails: [{ key: 'RemainingRecoveryCodes', value: String(remaining) }],
          }),
        );
        return { user, ok: true };
      });
      if (!outcome.ok) {
        await attempts.recordFailure(keys, now, {
          tenantId,
          user: outcome.user,
          upn: outcome.user?.userPrincipalName ?? '',
          reason: 'wrong or used recovery code',
          ctx,
        });
        throw new SignInRefused('invalidCode', INVALID_CODE);
      }
    },
  };
}
