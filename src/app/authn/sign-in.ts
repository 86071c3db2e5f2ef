import { randomBytes } from 'node:crypto';
import { AUDIT_ACTIVITIES as A } from '../../domain/audit/activities.js';
import { auditDraft } from '../../domain/audit/draft.js';
import { userTarget } from '../../domain/audit/targets.js';
import type { User } from '../../domain/directory/types.js';
import { INVALID_CODE, INVALID_CREDENTIALS, SignInRefused } from '../../domain/authn/sign-in-errors.js';
import {
  ACCOUNT_THROTTLE,
  ADDRESS_THROTTLE,
  afterFailure,
  retryAfterSeconds,
  type ThrottlePolicy,
} from '../../domain/authn/throttle.js';
import { RateLimitedError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import { verifyTotp } from '../../domain/authn/totp.js';
import type { Stores, UnitOfWork } from '../ports.js';
import type { Sealer } from './ports.js';
import { validateNewPassword } from './password-rules.js';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(stored: string, password: string): Promise<boolean>;
}

/** Where an attempt comes from: for throttling per address and for the audit entry. */
export interface AttemptContext {
  ip: string;
  userAgent: string | null;
}

/** A user who proved their password; the interaction decides what comes next. */
export interface PasswordVerified {
  userId: string;
  tenantId: string;
  userPrincipalName: string;
  totpRequired: boolean;
  mustChangePassword: boolean;
}

export const totpSeedContext = (userId: string) => `totp-seed:${userId}`;

/**
 * The sign-in steps of the interaction pages: password, then TOTP when enrolled, and the forced
 * password change. Each refusal counts against the account (or the user's codes) and the client
 * address, with exponential back-off (`RateLimitedError` while blocked), and is audited as a
 * `Sign-in failure`; nothing else changes. Password hashing runs outside transactions.
 */
export function makeSignIn(deps: {
  uow: UnitOfWork;
  clock: Clock;
  newId: () => string;
  hasher: PasswordHasher;
  sealer: Sealer;
}) {
  // Verified against when the account does not exist, so both cases cost one argon2 verification.
  let decoy: Promise<string> | undefined;
  const decoyHash = () => (decoy ??= deps.hasher.hash(randomBytes(16).toString('hex')));

  const throttleKeys = (subject: string, ip: string): [string, ThrottlePolicy][] => [
    [subject, ACCOUNT_THROTTLE],
    [`ip:${ip}`, ADDRESS_THROTTLE],
  ];

  async function refuseIfBlocked(tx: Stores, keys: [string, ThrottlePolicy][], now: number): Promise<void> {
    let wait = 0;
    for (const [key] of keys)
      wait = Math.max(wait, retryAfterSeconds(await tx.signInThrottle.get(key), now) ?? 0);
    if (wait > 0) throw new RateLimitedError(wait, 'Too many sign-in attempts. Try again later.');
  }

  async function recordFailure(
    keys: [string, ThrottlePolicy][],
    now: number,
    audit: {
      tenantId: string | undefined;
      user: User | undefined;
      upn: string;
      reason: string;
      ctx: AttemptContext;
    },
  ): Promise<void> {
    await deps.uow.run(async (tx) => {
      for (const [key, policy] of keys) {
        await tx.signInThrottle.put(key, afterFailure(await tx.signInThrottle.get(key), now, policy), now);
      }
      if (audit.tenantId === undefined) return;
      await tx.audit.append(
        auditDraft({
          id: deps.newId(),
          tenantId: audit.tenantId,
          now,
          activity: A.signInFailure,
          initiatedBy: {
            user: {
              id: audit.user?.id ?? '',
              displayName: audit.user?.displayName ?? null,
              userPrincipalName: audit.upn,
              ipAddress: audit.ctx.ip,
            },
            app: null,
          },
          context: { userAgent: audit.ctx.userAgent, amr: [], correlationId: null },
          targets: [
            userTarget({
              id: audit.user?.id ?? null,
              displayName: audit.user?.displayName ?? null,
              userPrincipalName: audit.upn,
            }),
          ],
          result: 'failure',
          resultReason: audit.reason,
        }),
      );
    });
  }

  return {
    /**
     * @throws SignInRefused(`invalidCredentials`) for an unknown user, a wrong password or a
     *   disabled account alike; RateLimitedError while the account or address is blocked.
     */
    async password(upnInput: string, password: string, ctx: AttemptContext): Promise<PasswordVerified> {
      const now = deps.clock.now();
      const upn = upnInput.trim().toLowerCase().slice(0, 256);
      const keys = throttleKeys(`account:${upn}`, ctx.ip);
      const found = await deps.uow.run(async (tx) => {
        await refuseIfBlocked(tx, keys, now);
        const tenant = await tx.tenants.first();
        const user = tenant === undefined ? undefined : await tx.users.getByUpn(tenant.id, upn);
        const totp = user === undefined ? undefined : await tx.factors.getTotp(user.id);
        return { tenantId: tenant?.id, user, totpRequired: totp?.confirmed === true };
      });
      const { user } = found;
      const matches = await deps.hasher
        .verify(user?.passwordHash ?? (await decoyHash()), password.slice(0, 1024))
        .catch(() => false);
      if (user === undefined || user.passwordHash === null || !matches || !user.accountEnabled) {
        const reason = user === undefined ? 'unknown user' : !matches ? 'wrong password' : 'account disabled';
        await recordFailure(keys, now, { tenantId: found.tenantId, user, upn, reason, ctx });
        throw new SignInRefused('invalidCredentials', INVALID_CREDENTIALS);
      }
      await deps.uow.run((tx) => tx.signInThrottle.clear(`account:${upn}`));
      return {
        userId: user.id,
        tenantId: user.tenantId,
        userPrincipalName: user.userPrincipalName,
        totpRequired: found.totpRequired,
        mustChangePassword: user.passwordMustChange,
      };
    },

    /**
     * Checks a TOTP code (±1 step, each step once per user).
     * @throws SignInRefused(`invalidCode`); RateLimitedError while blocked.
     */
    async totp(tenantId: string, userId: string, code: string, ctx: AttemptContext): Promise<void> {
      const now = deps.clock.now();
      const keys = throttleKeys(`totp:${userId}`, ctx.ip);
      const outcome = await deps.uow.run(async (tx) => {
        await refuseIfBlocked(tx, keys, now);
        const user = await tx.users.get(tenantId, userId);
        const factor = await tx.factors.getTotp(userId);
        if (user === undefined || factor === undefined || !factor.confirmed) return { user, ok: false };
        const seed = Buffer.from(deps.sealer.open(factor.sealedSeed, totpSeedContext(userId)), 'base64');
        const check = verifyTotp({
          seed,
          code: code.slice(0, 16),
          nowMs: now,
          lastUsedStep: factor.lastUsedStep,
        });
        const ok = check.ok && (await tx.factors.useTotpStep(userId, check.step));
        return { user, ok };
      });
      if (!outcome.ok) {
        const upn = outcome.user?.userPrincipalName ?? '';
        await recordFailure(keys, now, {
          tenantId,
          user: outcome.user,
          upn,
          reason: 'wrong or reused code',
          ctx,
        });
        throw new SignInRefused('invalidCode', INVALID_CODE);
      }
      await deps.uow.run((tx) => tx.signInThrottle.clear(`totp:${userId}`));
    },

    /**
     * The forced change after an administrator set a password (`passwordMustChange`).
     * @throws SignInRefused(`weakPassword`)
     */
    async changePassword(
      tenantId: string,
      userId: string,
      newPassword: string,
      ctx: AttemptContext,
    ): Promise<void> {
      const problem = validateNewPassword(newPassword);
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
        await tx.audit.append(
          auditDraft({
            id: deps.newId(),
            tenantId,
            now,
            activity: A.userChangePassword,
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
          }),
        );
      });
    },
  };
}

export type SignIn = ReturnType<typeof makeSignIn>;
