import { randomBytes } from 'node:crypto';
import { INVALID_CREDENTIALS, SignInRefused } from '../../domain/authn/sign-in-errors.js';
import { passwordChanged, userSignedIn } from '../../domain/sign-in/sign-in-events.js';
import type { Clock } from '../../domain/time/clock.js';
import { passwordProblem } from '../../domain/authn/password-rules.js';
import { verifyTotp } from '../../domain/authn/totp.js';
import { recordBreakGlassUse } from '../alerts/break-glass.js';
import { retryOnConflict } from '../pim/retry.js';
import type { Stores, UnitOfWork } from '../ports.js';
import type { WebAuthnRelyingParty } from './method-ports.js';
import { makePasskeySignIn } from './passkey-sign-in.js';
import { totpSeedContext, type Sealer } from './ports.js';
import { makeRecoveryCodeSignIn } from './recovery-code-sign-in.js';
import { makeSecondFactorRegistration, mustRegisterSecondFactor } from './second-factor-registration.js';
import { makeSignInAttempts, signerActor, type AttemptContext } from './sign-in-attempts.js';

export type { AttemptContext } from './sign-in-attempts.js';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(stored: string, password: string): Promise<boolean>;
}

/** Which second factors a user holds; holding any of them makes the second step required. */
export interface SecondFactors {
  totp: boolean;
  passkey: boolean;
  recoveryCode: boolean;
}

/** A user who proved their password; the interaction decides what comes next. */
export interface PasswordVerified {
  userId: string;
  tenantId: string;
  userPrincipalName: string;
  secondFactors: SecondFactors;
  mustChangePassword: boolean;
  /**
   * The user holds no second factor but must (privileged, or MFA required to activate): the sign-in
   * registers an authenticator app before it completes (`requireMfaRegistration`).
   */
  mustRegisterSecondFactor: boolean;
}

/** The second factors the user holds now (read in the caller's transaction). */
export async function secondFactorsOf(tx: Stores, userId: string): Promise<SecondFactors> {
  const totp = await tx.factors.getTotp(userId);
  const passkeys = await tx.passkeys.listForUser(userId);
  const codes = await tx.recoveryCodes.summary(userId);
  return {
    totp: totp?.confirmed === true,
    passkey: passkeys.length > 0,
    recoveryCode: (codes?.remaining ?? 0) > 0,
  };
}

/**
 * The sign-in steps of the interaction pages: password, then a second factor when the user holds
 * one (TOTP code, passkey or recovery code), a passwordless passkey, and the forced password change.
 * Each refusal counts against the account (or the user's second factor), the account from the
 * client address, and the address (`domain/authn/throttle.ts`), with exponential back-off (`RateLimitedError` while blocked), and is audited as a
 * `Sign-in failure`; nothing else changes. Password hashing and signature checks run outside
 * transactions.
 */
export function makeSignIn(deps: {
  uow: UnitOfWork;
  clock: Clock;
  newId: () => string;
  hasher: PasswordHasher;
  sealer: Sealer;
  relyingParty: WebAuthnRelyingParty;
  /**
   * Whether a user who holds or may activate a privileged role (or one requiring MFA) and holds no
   * second factor must register one at sign-in. Default true.
   */
  requireMfaRegistration?: boolean;
}) {
  const requireRegistration = deps.requireMfaRegistration !== false;
  // Verified against when the account does not exist, so both cases cost one argon2 verification.
  let decoy: Promise<string> | undefined;
  const decoyHash = () => (decoy ??= deps.hasher.hash(randomBytes(16).toString('hex')));
  const attempts = makeSignInAttempts(deps);

  return {
    ...makePasskeySignIn({ ...deps, attempts }),
    /** The second factors the user holds now (a step-up offers only those the request accepts). */
    factorsOf: (userId: string): Promise<SecondFactors> => deps.uow.run((tx) => secondFactorsOf(tx, userId)),
    /**
     * Audits a local sign-in whose every step is done (password and second factor, or a passkey
     * alone), with the methods used, just before the session is issued.
     */
    async succeeded(tenantId: string, userId: string, amr: string[], ctx: AttemptContext): Promise<void> {
      const now = deps.clock.now();
      // Reruns when a break-glass use's alert scan lost a compare-and-set to another scan.
      await retryOnConflict(() =>
        deps.uow.run(async (tx) => {
          const user = await tx.users.get(tenantId, userId);
          if (user === undefined) return;
          await tx.signInActivity.record(tenantId, user.id, now);
          const method = amr.includes('pwd') ? 'password' : 'passkey';
          tx.events.record(
            signerActor(tenantId, user, ctx, amr),
            now,
            userSignedIn(user),
            ...(await recordBreakGlassUse(tx, tenantId, user.id, method, now, deps.newId)),
          );
        }),
      );
    },
    /**
     * A token was issued to a user by a refresh-token grant (no sign-in of its own): a break-glass
     * account's use is recorded and raises its incident (ADR 0033); nothing happens for others.
     */
    async tokenRefreshed(tenantId: string, userId: string, ip: string | null): Promise<void> {
      const now = deps.clock.now();
      await retryOnConflict(() =>
        deps.uow.run(async (tx) => {
          const user = await tx.users.get(tenantId, userId);
          if (user === undefined) return;
          const events = await recordBreakGlassUse(tx, tenantId, userId, 'refreshToken', now, deps.newId);
          const ctx = { ip: ip ?? '', userAgent: null };
          if (events.length > 0) tx.events.record(signerActor(tenantId, user, ctx, []), now, ...events);
        }),
      );
    },
    ...makeRecoveryCodeSignIn({ ...deps, attempts }),
    ...makeSecondFactorRegistration({ ...deps, attempts }),
    /**
     * @throws SignInRefused(`invalidCredentials`) for an unknown user, a wrong password or a
     *   disabled account alike; RateLimitedError while the account, or the account from this address, is blocked.
     */
    async password(upnInput: string, password: string, ctx: AttemptContext): Promise<PasswordVerified> {
      const now = deps.clock.now();
      const upn = upnInput.trim().toLowerCase().slice(0, 256);
      const keys = attempts.keys(`account:${upn}`, ctx.ip);
      const found = await deps.uow.run(async (tx) => {
        await attempts.refuseIfBlocked(tx, keys, now);
        const tenant = await tx.tenants.first();
        const user = tenant === undefined ? undefined : await tx.users.getByUpn(tenant.id, upn);
        const secondFactors =
          user === undefined
            ? { totp: false, passkey: false, recoveryCode: false }
            : await secondFactorsOf(tx, user.id);
        return { tenantId: tenant?.id, user, secondFactors };
      });
      const { user } = found;
      const matches = await deps.hasher
        .verify(user?.passwordHash ?? (await decoyHash()), password.slice(0, 1024))
        .catch(() => false);
      if (user === undefined || user.passwordHash === null || !matches || !user.accountEnabled) {
        const reason = user === undefined ? 'unknown user' : !matches ? 'wrong password' : 'account disabled';
        await attempts.recordFailure(keys, now, { tenantId: found.tenantId, user, upn, reason, ctx });
        throw new SignInRefused('invalidCredentials', INVALID_CREDENTIALS);
      }
      const f = found.secondFactors;
      // Read only after the password matched, so an unknown account costs the same.
      const mustRegister = await deps.uow.run(async (tx) => {
        await attempts.succeeded(tx, keys);
        return (
          requireRegistration &&
          !f.totp &&
          !f.passkey &&
          !f.recoveryCode &&
          (await mustRegisterSecondFactor(tx, user.tenantId, user.id, now))
        );
      });
      return {
        userId: user.id,
        tenantId: user.tenantId,
        userPrincipalName: user.userPrincipalName,
        secondFactors: found.secondFactors,
        mustChangePassword: user.passwordMustChange,
        mustRegisterSecondFactor: mustRegister,
      };
    },

    /**
     * Checks a TOTP code (±1 step, each step once per user).
     * @throws SignInRefused(`invalidCode`); RateLimitedError while blocked.
     */
    async totp(tenantId: string, userId: string, code: string, ctx: AttemptContext): Promise<void> {
      const now = deps.clock.now();
      await attempts.oneTimeCode({ tenantId, userId, ctx, now }, async (tx, user) => {
        const factor = await tx.factors.getTotp(userId);
        if (user === undefined || factor === undefined || !factor.confirmed) return 'wrong or reused code';
        const seed = Buffer.from(deps.sealer.open(factor.sealedSeed, totpSeedContext(userId)), 'base64');
        const check = verifyTotp({
          seed,
          code: code.slice(0, 16),
          nowMs: now,
          lastUsedStep: factor.lastUsedStep,
        });
        const used = check.ok && (await tx.factors.useTotpStep(userId, check.step));
        return used ? undefined : 'wrong or reused code';
      });
    },

    /**
     * The forced change after an administrator set a password (`passwordMustChange`): the new one
     * must pass the password rules (length, the common-password list, the user's own name).
     * @throws SignInRefused(`weakPassword`)
     */
    async changePassword(
      tenantId: string,
      userId: string,
      newPassword: string,
      ctx: AttemptContext,
    ): Promise<void> {
      const named = await deps.uow.run((tx) => tx.users.get(tenantId, userId));
      const problem = passwordProblem(newPassword, {
        userPrincipalName: named?.userPrincipalName ?? null,
        displayName: named?.displayName ?? null,
      });
      if (problem !== null) throw new SignInRefused('weakPassword', problem);
      const hash = await deps.hasher.hash(newPassword);
      const now = deps.clock.now();
      await deps.uow.run(async (tx) => {
        const user = await tx.users.get(tenantId, userId);
        if (user === undefined) throw new SignInRefused('invalidCredentials', INVALID_CREDENTIALS);
        await tx.users.update(
          { ...user, passwordHash: hash, passwordMustChange: false, modifiedAt: now },
          user.version,
        );
        tx.events.record(signerActor(tenantId, user, ctx, ['pwd']), now, passwordChanged(user));
      });
    },
  };
}

export type SignIn = ReturnType<typeof makeSignIn>;
