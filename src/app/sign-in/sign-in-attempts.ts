import { AUDIT_ACTIVITIES as A } from '../../domain/audit/activities.js';
import { auditDraft } from '../../domain/audit/draft.js';
import { userTarget } from '../../domain/audit/targets.js';
import {
  ACCOUNT_THROTTLE,
  ADDRESS_THROTTLE,
  afterFailure,
  retryAfterSeconds,
  type ThrottlePolicy,
} from '../../domain/authn/throttle.js';
import type { User } from '../../domain/directory/types.js';
import { RateLimitedError } from '../../domain/shared/errors.js';
import type { Stores, UnitOfWork } from '../ports.js';

/** Where an attempt comes from: for throttling per address and for the audit entry. */
export interface AttemptContext {
  ip: string;
  userAgent: string | null;
}

export type ThrottleKeys = [string, ThrottlePolicy][];

/** What a refused attempt is recorded with. */
export interface FailedAttempt {
  tenantId: string | undefined;
  user: User | undefined;
  upn: string;
  reason: string;
  ctx: AttemptContext;
}

/**
 * Throttling and failure auditing shared by every sign-in step (password, TOTP, passkey, recovery
 * code): counters per subject (`account:<upn>`, `totp:<user id>`, …) and per client address, with
 * exponential back-off, and one `Sign-in failure` audit entry per refusal.
 */
export function makeSignInAttempts(deps: { uow: UnitOfWork; newId: () => string }) {
  return {
    /** The subject's counter (account policy) plus the client address's, in that order. */
    keys(subject: string, ip: string): ThrottleKeys {
      return [
        [subject, ACCOUNT_THROTTLE],
        [`ip:${ip}`, ADDRESS_THROTTLE],
      ];
    },

    /** Only the client address's counter (when no account is known yet). */
    addressKey(ip: string): ThrottleKeys {
      return [[`ip:${ip}`, ADDRESS_THROTTLE]];
    },

    /** @throws RateLimitedError while any of the keys is blocked. */
    async refuseIfBlocked(tx: Stores, keys: ThrottleKeys, now: number): Promise<void> {
      let wait = 0;
      for (const [key] of keys)
        wait = Math.max(wait, retryAfterSeconds(await tx.signInThrottle.get(key), now) ?? 0);
      if (wait > 0) throw new RateLimitedError(wait, 'Too many sign-in attempts. Try again later.');
    },

    /** Counts the failure under every key and audits it (when the tenant is known), in one transaction. */
    async recordFailure(keys: ThrottleKeys, now: number, audit: FailedAttempt): Promise<void> {
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
    },
  };
}

export type SignInAttempts = ReturnType<typeof makeSignInAttempts>;
