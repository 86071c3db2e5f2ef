import { randomBytes } from 'node:crypto';
import { passkeyMethod } from '../../domain/authn/amr.js';
import { INVALID_PASSKEY, SignInRefused } from '../../domain/authn/sign-in-errors.js';
import { challengeOf, userHandleOf } from '../../domain/authn/webauthn.js';
import type { Clock } from '../../domain/time/clock.js';
import type { UnitOfWork } from '../ports.js';
import type { AssertionResponse, CeremonyOptions, WebAuthnRelyingParty } from './method-ports.js';
import type { AttemptContext, SignInAttempts, ThrottleKeys } from './sign-in-attempts.js';

/** How long a sign-in or registration challenge stays usable. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

/** A user who proved possession of a passkey (with user verification). */
export interface PasskeyVerified {
  userId: string;
  tenantId: string;
  userPrincipalName: string;
  /** `hwk` (device-bound) or `swk` (backed up, synced). */
  method: 'hwk' | 'swk';
}

/**
 * Which interaction asks, and for whom: the user (and tenant) who proved a password, or null for a
 * passwordless sign-in, where the credential names the user.
 */
export interface PasskeyAttempt {
  interactionUid: string;
  userId: string | null;
  tenantId: string | null;
}

/**
 * Passkey steps of the sign-in pages. `passkeyOptions` stores a single-use challenge bound to the
 * interaction (and user, after a password); `passkey` verifies the assertion outside any
 * transaction, then consumes the challenge and advances the signature counter by compare-and-set
 * in one. A refusal (unknown or spent challenge, unknown credential, someone else's credential,
 * bad signature, origin or RP id, missing user verification, counter that did not increase)
 * changes only the throttling counters (`passkey:<user id>`, from the address, the address) and adds a
 * `Sign-in failure` audit entry.
 */
export function makePasskeySignIn(deps: {
  uow: UnitOfWork;
  clock: Clock;
  relyingParty: WebAuthnRelyingParty;
  attempts: SignInAttempts;
}) {
  const { attempts } = deps;
  return {
    /** Options for `navigator.credentials.get()`: the user's credentials, or none (discoverable). */
    async passkeyOptions(input: PasskeyAttempt): Promise<CeremonyOptions> {
      const now = deps.clock.now();
      const challenge = randomBytes(32).toString('base64url');
      const allow = await deps.uow.run(async (tx) => {
        await tx.webauthnChallenges.insert(
          {
            challenge,
            purpose: 'authentication',
            userId: input.userId,
            interactionUid: input.interactionUid,
            expiresAt: now + CHALLENGE_TTL_MS,
          },
          now,
        );
        if (input.userId === null) return [];
        const credentials = await tx.passkeys.listForUser(input.userId);
        return credentials.map((c) => ({ id: c.credentialId, transports: c.transports }));
      });
      return deps.relyingParty.requestOptions({ challenge, allow });
    },

    /** @throws SignInRefused(`invalidPasskey`); RateLimitedError while blocked. */
    async passkey(
      input: PasskeyAttempt & { response: AssertionResponse },
      ctx: AttemptContext,
    ): Promise<PasskeyVerified> {
      const now = deps.clock.now();
      const { response } = input;
      const challenge = challengeOf(response.response.clientDataJSON);
      const found = await deps.uow.run(async (tx) => {
        const credential = await tx.passkeys.getByCredentialId(response.id);
        const ownerId = input.userId ?? credential?.userId;
        const keys: ThrottleKeys = attempts.keys(ownerId === undefined ? null : `passkey:${ownerId}`, ctx.ip);
        await attempts.refuseIfBlocked(tx, keys, now);
        // After a password the attempt is the signed-in user's, whoever the credential belongs to.
        const user =
          input.userId !== null
            ? await tx.users.get(input.tenantId ?? '', input.userId)
            : credential === undefined
              ? undefined
              : await tx.users.get(credential.tenantId, credential.userId);
        const stored =
          challenge === undefined
            ? undefined
            : await tx.webauthnChallenges.find(challenge, 'authentication', now);
        let reason: string | undefined;
        if (
          stored === undefined ||
          stored.interactionUid !== input.interactionUid ||
          stored.userId !== input.userId
        )
          reason = 'unknown or spent challenge';
        else if (credential === undefined || user === undefined) reason = 'unknown credential';
        else if (credential.userId !== user.id) reason = "another user's credential";
        else if (!user.accountEnabled) reason = 'account disabled';
        else if (response.response.userHandle && response.response.userHandle !== userHandleOf(user.id))
          reason = 'user handle does not match';
        return { keys, credential, user, reason };
      });
      const { keys, credential, user } = found;
      const refuse = async (reason: string): Promise<never> => {
        await attempts.recordFailure(keys, now, {
          tenantId: user?.tenantId,
          user,
          upn: user?.userPrincipalName ?? '',
          reason,
          ctx,
        });
        throw new SignInRefused('invalidPasskey', INVALID_PASSKEY);
      };
      if (
        found.reason !== undefined ||
        credential === undefined ||
        user === undefined ||
        challenge === undefined
      )
        return refuse(found.reason ?? 'unknown credential');
      const verified = await deps.relyingParty
        .verifyAssertion(response, challenge, credential)
        .catch((e: unknown) => (e instanceof Error ? e : new Error('verification failed')));
      if (verified instanceof Error) return refuse(`passkey not verified: ${verified.message.slice(0, 200)}`);
      const recorded = await deps.uow
        .run(async (tx) => {
          if (!(await tx.webauthnChallenges.consume(challenge, 'authentication', now))) return false;
          const moved = await tx.passkeys.recordUse(credential.id, credential.counter, {
            counter: verified.counter,
            backedUp: verified.backedUp,
            lastUsedAt: now,
          });
          if (!moved) throw new CounterRace();
          await attempts.succeeded(tx, attempts.keys(`passkey:${user.id}`, ctx.ip));
          return true;
        })
        .catch((e: unknown) => {
          if (e instanceof CounterRace) return false;
          throw e;
        });
      if (!recorded) return refuse('challenge or counter already used');
      return {
        userId: user.id,
        tenantId: user.tenantId,
        userPrincipalName: user.userPrincipalName,
        method: passkeyMethod(verified.backedUp),
      };
    },
  };
}

/** Rolls back the consumed challenge when another assertion moved the counter first. */
class CounterRace extends Error {}
