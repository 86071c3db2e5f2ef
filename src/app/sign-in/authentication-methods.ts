import { randomBytes } from 'node:crypto';
import { newRecoveryCode, RECOVERY_CODE_COUNT, recoveryCodeHash } from '../../domain/authn/recovery-codes.js';
import { challengeOf, singletonMethodId } from '../../domain/authn/webauthn.js';
import type { User } from '../../domain/directory/types.js';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../../domain/shared/errors.js';
import { methodDeleted, methodRegistered } from '../../domain/sign-in/sign-in-events.js';
import type { Clock } from '../../domain/time/clock.js';
import type { Caller } from '../authorization/caller.js';
import type { Stores, UnitOfWork } from '../ports.js';
import type {
  CeremonyOptions,
  PasskeyCredential,
  RegistrationResponse,
  WebAuthnRelyingParty,
} from './method-ports.js';
import { mfaRequiredFor } from './mfa-requirement.js';
import { CHALLENGE_TTL_MS } from './passkey-sign-in.js';

/** Graph's fixed id of every user's password method. */
export const PASSWORD_METHOD_ID = '28c10230-6103-485e-b985-444c60001490';
export const totpMethodId = (userId: string) => singletonMethodId('softwareOath', userId);
export const recoveryCodesMethodId = (userId: string) => singletonMethodId('recoveryCodes', userId);

/** One sign-in method of a user, as `GET /me/authentication/methods` lists it. */
export type AuthenticationMethod =
  | { kind: 'password'; id: string; createdAt: number }
  | { kind: 'softwareOath'; id: string; createdAt: number }
  | { kind: 'fido2'; credential: PasskeyCredential }
  | { kind: 'recoveryCodes'; id: string; createdAt: number; remaining: number };

export const NOT_VERIFIED = 'The security key response could not be verified. Start the registration again.';

/**
 * The signed-in user's own sign-in methods: passkey registration (options, then the attestation),
 * recovery codes, the list, and removal. A user never removes their last durable second factor
 * (authenticator app or passkey) while MFA is required for them (`mfaRequiredFor`); per-user
 * changes serialize on the user row's version (compare-and-set), so two removals at once cannot
 * both pass that check. Every change is audited.
 */
export function makeAuthenticationMethods(deps: {
  uow: UnitOfWork;
  clock: Clock;
  newId: () => string;
  relyingParty: WebAuthnRelyingParty;
}) {
  const ownUser = async (tx: Stores, caller: Caller): Promise<User> => {
    if (caller.kind !== 'user') throw new ForbiddenError('Only a signed-in user has security info.');
    const user = await tx.users.get(caller.tenantId, caller.id);
    if (user === undefined) throw new NotFoundError();
    return user;
  };
  /** Removal guard: the last durable second factor stays while MFA is required. */
  async function guardLastFactor(tx: Stores, user: User, removing: 'totp' | 'passkey', now: number) {
    const totp = (await tx.factors.getTotp(user.id))?.confirmed === true ? 1 : 0;
    const passkeys = (await tx.passkeys.listForUser(user.id)).length;
    const left = totp + passkeys - 1;
    if (left <= 0 && (await mfaRequiredFor(tx, user.tenantId, user.id, now))) {
      throw new BadRequestError(
        'lastSecondFactorRequired',
        `Multi-factor authentication is required for this user: register another method before removing this ${removing === 'totp' ? 'authenticator app' : 'passkey'}.`,
      );
    }
    // Serializes method changes of one user (compare-and-set on the user row's version).
    await tx.users.update(user, user.version);
  }

  return {
    /** `PublicKeyCredentialCreationOptions` (JSON) with a stored, single-use, 5-minute challenge. */
    async fido2CreationOptions(caller: Caller): Promise<CeremonyOptions> {
      const now = deps.clock.now();
      const challenge = randomBytes(32).toString('base64url');
      const { user, exclude } = await deps.uow.run(async (tx) => {
        const user = await ownUser(tx, caller);
        await tx.webauthnChallenges.insert(
          {
            challenge,
            purpose: 'registration',
            userId: user.id,
            interactionUid: null,
            expiresAt: now + CHALLENGE_TTL_MS,
          },
          now,
        );
        const existing = await tx.passkeys.listForUser(user.id);
        return { user, exclude: existing.map((c) => ({ id: c.credentialId, transports: c.transports })) };
      });
      return deps.relyingParty.creationOptions({
        challenge,
        userId: user.id,
        userName: user.userPrincipalName,
        userDisplayName: user.displayName,
        exclude,
      });
    },

    /**
     * Verifies the attestation (outside any transaction), then consumes the challenge and stores the
     * credential. @throws BadRequestError(`invalidAuthenticatorResponse`), ConflictError when the
     * credential is already registered.
     */
    async registerFido2(
      caller: Caller,
      input: { displayName: string; credential: RegistrationResponse },
    ): Promise<PasskeyCredential> {
      const now = deps.clock.now();
      const challenge = challengeOf(input.credential.response.clientDataJSON);
      const found = await deps.uow.run(async (tx) => {
        await ownUser(tx, caller);
        return challenge === undefined
          ? undefined
          : tx.webauthnChallenges.find(challenge, 'registration', now);
      });
      if (challenge === undefined || found === undefined || found.userId !== caller.id)
        throw new BadRequestError('invalidAuthenticatorResponse', NOT_VERIFIED);
      const verified = await deps.relyingParty.verifyRegistration(input.credential, challenge).catch(() => {
        throw new BadRequestError('invalidAuthenticatorResponse', NOT_VERIFIED);
      });
      return deps.uow.run(async (tx) => {
        const user = await ownUser(tx, caller);
        if (!(await tx.webauthnChallenges.consume(challenge, 'registration', now)))
          throw new BadRequestError('invalidAuthenticatorResponse', NOT_VERIFIED);
        if ((await tx.passkeys.getByCredentialId(verified.credentialId)) !== undefined)
          throw new ConflictError('This security key is already registered.', 'authenticationMethodExists');
        const credential: PasskeyCredential = {
          id: deps.newId(),
          userId: user.id,
          tenantId: user.tenantId,
          displayName: input.displayName,
          createdAt: now,
          lastUsedAt: null,
          ...verified,
        };
        await tx.passkeys.insert(credential);
        tx.events.record({ caller }, now, methodRegistered(user, { kind: 'fido2', passkey: credential }));
        return credential;
      });
    },

    /** Ten new one-time codes, returned once; the previous ones stop working. */
    async generateRecoveryCodes(caller: Caller): Promise<{ codes: string[]; createdAt: number }> {
      const now = deps.clock.now();
      const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => newRecoveryCode());
      await deps.uow.run(async (tx) => {
        const user = await ownUser(tx, caller);
        await tx.recoveryCodes.replace(
          user.id,
          user.tenantId,
          codes.map((c) => recoveryCodeHash(user.id, c)),
          now,
        );
        tx.events.record({ caller }, now, methodRegistered(user, { kind: 'recoveryCodes' }));
      });
      return { codes, createdAt: now };
    },

    async list(caller: Caller): Promise<AuthenticationMethod[]> {
      return deps.uow.run(async (tx) => {
        const user = await ownUser(tx, caller);
        const methods: AuthenticationMethod[] = [];
        if (user.passwordHash !== null)
          methods.push({ kind: 'password', id: PASSWORD_METHOD_ID, createdAt: user.createdAt });
        const totp = await tx.factors.getTotp(user.id);
        if (totp?.confirmed === true)
          methods.push({ kind: 'softwareOath', id: totpMethodId(user.id), createdAt: totp.createdAt });
        for (const credential of await tx.passkeys.listForUser(user.id))
          methods.push({ kind: 'fido2', credential });
        const codes = await tx.recoveryCodes.summary(user.id);
        if (codes !== undefined)
          methods.push({
            kind: 'recoveryCodes',
            id: recoveryCodesMethodId(user.id),
            createdAt: codes.createdAt,
            remaining: codes.remaining,
          });
        return methods;
      });
    },

    /** @throws NotFoundError (not the caller's), BadRequestError(`lastSecondFactorRequired`) */
    async deleteFido2(caller: Caller, id: string): Promise<void> {
      const now = deps.clock.now();
      await deps.uow.run(async (tx) => {
        const user = await ownUser(tx, caller);
        const credential = (await tx.passkeys.listForUser(user.id)).find((c) => c.id === id.toLowerCase());
        if (credential === undefined) throw new NotFoundError();
        await guardLastFactor(tx, user, 'passkey', now);
        await tx.passkeys.delete(user.id, credential.id);
        tx.events.record({ caller }, now, methodDeleted(user, { kind: 'fido2', passkey: credential }));
      });
    },

    /** @throws NotFoundError (not the caller's), BadRequestError(`lastSecondFactorRequired`) */
    async deleteSoftwareOath(caller: Caller, id: string): Promise<void> {
      const now = deps.clock.now();
      await deps.uow.run(async (tx) => {
        const user = await ownUser(tx, caller);
        const totp = await tx.factors.getTotp(user.id);
        if (totp?.confirmed !== true || id.toLowerCase() !== totpMethodId(user.id)) throw new NotFoundError();
        await guardLastFactor(tx, user, 'totp', now);
        await tx.factors.deleteTotp(user.id);
        tx.events.record({ caller }, now, methodDeleted(user, { kind: 'softwareOath' }));
      });
    },
  };
}

export type AuthenticationMethods = ReturnType<typeof makeAuthenticationMethods>;
