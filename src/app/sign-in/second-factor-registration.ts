import { newTotpSeed, otpauthUri, verifyTotp } from '../../domain/authn/totp.js';
import { methodRegistered } from '../../domain/sign-in/sign-in-events.js';
import type { Clock } from '../../domain/time/clock.js';
import { holdsOrMayActivatePrivilegedRole } from '../directory/users.js';
import type { Stores, UnitOfWork } from '../ports.js';
import { mfaRequiredFor } from './mfa-requirement.js';
import { totpSeedContext, type Sealer } from './ports.js';
import { signerActor, type AttemptContext, type SignInAttempts } from './sign-in-attempts.js';

/** The name authenticator apps show beside the account. */
export const TOTP_ISSUER_NAME = 'Elevate';

/**
 * Must this user register a second factor before their sign-in completes? Only when they hold none
 * and they hold or may activate a privileged role, or a role whose activation requires MFA: such a
 * user is one stolen password away from administrator rights, and could not activate anyway.
 */
export async function mustRegisterSecondFactor(
  tx: Stores,
  tenantId: string,
  userId: string,
  now: number,
): Promise<boolean> {
  return (
    (await holdsOrMayActivatePrivilegedRole(tx, tenantId, userId, now)) ||
    (await mfaRequiredFor(tx, tenantId, userId, now))
  );
}

/**
 * Registration of an authenticator app inside a sign-in, after the password, for a user who must
 * hold a second factor and holds none (`mustRegisterSecondFactor`). Same two steps as the security
 * info API (`factors.ts`): a pending sealed seed, then a correct code confirms it. A wrong code
 * counts under `totp:<user id>` like any one-time code; the registration is audited.
 */
export function makeSecondFactorRegistration(deps: {
  uow: UnitOfWork;
  clock: Clock;
  sealer: Sealer;
  attempts: SignInAttempts;
}) {
  return {
    /**
     * The otpauth URI to show: the pending enrolment's, so a reload shows the same secret, or a new
     * one. Undefined once the user holds a confirmed authenticator app.
     */
    async pendingRegistration(tenantId: string, userId: string): Promise<string | undefined> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        const user = await tx.users.get(tenantId, userId);
        if (user === undefined) return undefined;
        const existing = await tx.factors.getTotp(userId);
        if (existing?.confirmed === true) return undefined;
        let seed: Buffer;
        if (existing === undefined) {
          seed = newTotpSeed();
          await tx.factors.putTotp({
            userId,
            tenantId,
            sealedSeed: deps.sealer.seal(seed.toString('base64'), totpSeedContext(userId)),
            confirmed: false,
            lastUsedStep: null,
            createdAt: now,
          });
        } else {
          seed = Buffer.from(deps.sealer.open(existing.sealedSeed, totpSeedContext(userId)), 'base64');
        }
        return otpauthUri({ issuer: TOTP_ISSUER_NAME, account: user.userPrincipalName, seed });
      });
    },

    /**
     * Confirms the pending authenticator app with a code from it.
     * @throws SignInRefused(`invalidCode`); RateLimitedError while blocked.
     */
    async confirmRegistration(
      tenantId: string,
      userId: string,
      code: string,
      ctx: AttemptContext,
    ): Promise<void> {
      const now = deps.clock.now();
      await deps.attempts.oneTimeCode({ tenantId, userId, ctx, now }, async (tx, user) => {
        const factor = await tx.factors.getTotp(userId);
        if (user === undefined || !user.accountEnabled || factor === undefined || factor.confirmed)
          return 'wrong code at registration';
        const seed = Buffer.from(deps.sealer.open(factor.sealedSeed, totpSeedContext(userId)), 'base64');
        const check = verifyTotp({ seed, code: code.slice(0, 16), nowMs: now, lastUsedStep: null });
        if (!check.ok || !(await tx.factors.useTotpStep(userId, check.step)))
          return 'wrong code at registration';
        tx.events.record(
          signerActor(tenantId, user, ctx, ['pwd']),
          now,
          methodRegistered(user, { kind: 'softwareOath' }),
        );
        return undefined;
      });
    },
  };
}
