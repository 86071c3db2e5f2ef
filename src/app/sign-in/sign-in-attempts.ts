import {
  countFailure as counted,
  signInThrottleKeys,
  throttledFor,
  type SignInThrottleKeys,
} from '../../domain/authn/throttle.js';
import { INVALID_CODE, SignInRefused } from '../../domain/authn/sign-in-errors.js';
import type { User } from '../../domain/directory/types.js';
import { RateLimitedError } from '../../domain/shared/errors.js';
import { signerInitiator, signInFailed, type Signer } from '../../domain/sign-in/sign-in-events.js';
import type { Actor } from '../events/ports.js';
import type { Stores, UnitOfWork } from '../ports.js';

/** Where an attempt comes from: for throttling per address and for the audit entry. */
export interface AttemptContext {
  ip: string;
  userAgent: string | null;
}

/**
 * The person at the sign-in pages as the actor of what their attempt records: no token yet, so
 * the initiator, address, user agent and the methods used (`amr`) come from the attempt itself.
 */
export const signerActor = (
  tenantId: string,
  who: Signer,
  ctx: AttemptContext,
  amr: readonly string[],
): Actor => ({
  tenantId,
  initiatedBy: signerInitiator(who, ctx.ip),
  context: { userAgent: ctx.userAgent, amr, correlationId: null },
});

export type ThrottleKeys = SignInThrottleKeys;

/** Whole seconds the attempt under `keys` must wait, or null when it may be made now. */
export async function throttleWait(tx: Stores, keys: ThrottleKeys, now: number): Promise<number | null> {
  const subject = keys.subject === null ? undefined : await tx.signInThrottle.get(keys.subject);
  return throttledFor({ subject, pair: await tx.signInThrottle.get(keys.pair) }, now);
}

/** Counts one failure under every key of the attempt (`domain/authn/throttle.ts`). */
export async function countThrottledFailure(tx: Stores, keys: ThrottleKeys, now: number): Promise<void> {
  const store = tx.signInThrottle;
  const next = counted(
    {
      subject: keys.subject === null ? undefined : await store.get(keys.subject),
      pair: await store.get(keys.pair),
      address: await store.get(keys.address),
    },
    now,
  );
  if (keys.subject !== null) await store.put(keys.subject, next.subject, now);
  await store.put(keys.pair, next.pair, now);
  await store.put(keys.address, next.address, now);
}

/** A success clears the subject's counter and the pair's; the address keeps its count. */
export async function clearThrottle(tx: Stores, keys: ThrottleKeys): Promise<void> {
  if (keys.subject !== null) await tx.signInThrottle.clear(keys.subject);
  await tx.signInThrottle.clear(keys.pair);
}

/** What a refused attempt is recorded with. */
export interface FailedAttempt {
  tenantId: string | undefined;
  user: User | undefined;
  upn: string;
  reason: string;
  ctx: AttemptContext;
}

/** What a step decided in its transaction: whose attempt it was, and why it was refused, if it was. */
interface StepDecision {
  user: User | undefined;
  refused?: string;
}

/**
 * Throttling and failure auditing shared by every sign-in step (password, TOTP, passkey, recovery
 * code): counters per subject (`account:<upn>`, `totp:<user id>`, …), per subject and client
 * address, and per address (`domain/authn/throttle.ts`), with exponential back-off, and one
 * `Sign-in failure` audit entry per refusal. A step that decides in
 * one transaction (a one-time code) counts and records its refusal there, nothing else having been
 * written; one that decides outside (a password hash, a signature) counts it in a transaction of its
 * own (`recordFailure`).
 */
export function makeSignInAttempts(deps: { uow: UnitOfWork }) {
  /** @throws RateLimitedError while the subject or the subject from this address is blocked. */
  async function refuseIfBlocked(tx: Stores, keys: ThrottleKeys, now: number): Promise<void> {
    const wait = await throttleWait(tx, keys, now);
    if (wait !== null) throw new RateLimitedError(wait, 'Too many sign-in attempts. Try again later.');
  }

  /** Counts the failure under every key and records it (when the tenant is known), in `tx`. */
  async function countFailure(tx: Stores, keys: ThrottleKeys, now: number, failed: FailedAttempt) {
    await countThrottledFailure(tx, keys, now);
    if (failed.tenantId === undefined) return;
    const who: Signer = {
      id: failed.user?.id ?? null,
      displayName: failed.user?.displayName ?? null,
      userPrincipalName: failed.upn,
    };
    tx.events.record(
      signerActor(failed.tenantId, who, failed.ctx, []),
      now,
      signInFailed(who, failed.reason),
    );
  }

  /**
   * One step decided in one transaction (`decide`): refused while blocked (`RateLimitedError`).
   * When `decide` names a reason, it wrote nothing, so the failure is counted and recorded in that
   * same transaction, and `refusal()` is thrown after commit.
   */
  async function decideStep(
    keys: ThrottleKeys,
    now: number,
    attempt: { tenantId: string; ctx: AttemptContext },
    decide: (tx: Stores) => Promise<StepDecision>,
    refusal: () => Error,
  ): Promise<void> {
    const wasRefused = await deps.uow.run(async (tx) => {
      await refuseIfBlocked(tx, keys, now);
      const { user, refused } = await decide(tx);
      if (refused === undefined) return false;
      const upn = user?.userPrincipalName ?? '';
      await countFailure(tx, keys, now, { ...attempt, user, upn, reason: refused });
      return true;
    });
    if (wasRefused) throw refusal();
  }

  return {
    /** The keys of an attempt on `subject` (null: it names no one, e.g. an unknown passkey) from `ip`. */
    keys: signInThrottleKeys,

    refuseIfBlocked,

    /** Clears the counters of a successful attempt, in `tx`. */
    succeeded: clearThrottle,

    /**
     * A one-time code as the second factor (authenticator-app code or recovery code): both spend
     * one budget, `totp:<user id>` (cleared when a code is accepted), and are refused alike.
     * `check` says why the code is refused, or `undefined` when it was accepted (and used).
     * @throws SignInRefused(`invalidCode`); RateLimitedError while blocked.
     */
    async oneTimeCode(
      step: { tenantId: string; userId: string; ctx: AttemptContext; now: number },
      check: (tx: Stores, user: User | undefined) => Promise<string | undefined>,
    ): Promise<void> {
      const { tenantId, userId, ctx, now } = step;
      const keys = signInThrottleKeys(`totp:${userId}`, ctx.ip);
      await decideStep(
        keys,
        now,
        { tenantId, ctx },
        async (tx) => {
          const user = await tx.users.get(tenantId, userId);
          const refused = await check(tx, user);
          if (refused === undefined) await clearThrottle(tx, keys);
          return { user, refused };
        },
        () => new SignInRefused('invalidCode', INVALID_CODE),
      );
    },

    /** `countFailure` in a transaction of its own. */
    async recordFailure(keys: ThrottleKeys, now: number, failed: FailedAttempt): Promise<void> {
      await deps.uow.run((tx) => countFailure(tx, keys, now, failed));
    },
  };
}

export type SignInAttempts = ReturnType<typeof makeSignInAttempts>;
