import { AUDIT_ACTIVITIES as A, type AuditActivity } from '../audit/activities.js';
import type { Initiator } from '../audit/entry.js';
import { userTarget } from '../audit/targets.js';
import type { DomainEvent } from '../events/domain-event.js';

/**
 * The person at the sign-in pages as their entries name them, as initiator and as target alike. A
 * refused attempt may know only the name typed in (`id` null, the principal name as entered).
 */
export interface Signer {
  id: string | null;
  displayName: string | null;
  userPrincipalName: string | null;
}

/** A signer who is a known directory user. */
export type SignedInUser = Signer & { id: string };

/** The signer as an entry's initiator (Graph's `userIdentity`; an empty id when unknown). */
export const signerInitiator = (s: Signer, ipAddress: string): Initiator => ({
  user: { id: s.id ?? '', displayName: s.displayName, userPrincipalName: s.userPrincipalName, ipAddress },
  app: null,
});

/** Every step of a local sign-in is done. Audit only. */
export const userSignedIn = (user: SignedInUser): DomainEvent => ({
  type: 'signIn.succeeded',
  audit: [{ activity: A.signInSuccess, targets: [userTarget(user)] }],
});

/** A sign-in step was refused (`reason` is for the log, never shown). Audit only. */
export const signInFailed = (who: Signer, reason: string): DomainEvent => ({
  type: 'signIn.failed',
  audit: [{ activity: A.signInFailure, targets: [userTarget(who)], result: 'failure', resultReason: reason }],
});

/** A recovery code was spent as the second factor. Audit only. */
export const recoveryCodeUsed = (user: SignedInUser, remaining: number): DomainEvent => ({
  type: 'signIn.recoveryCodeUsed',
  audit: [
    {
      activity: A.recoveryCodeUse,
      targets: [userTarget(user)],
      additionalDetails: [{ key: 'RemainingRecoveryCodes', value: String(remaining) }],
    },
  ],
});

/** A kind of sign-in method, in Graph's words (`#microsoft.graph.<kind>AuthenticationMethod`). */
export type SignInMethod = 'password' | 'softwareOath' | 'fido2' | 'recoveryCodes';

/** What consumers of `signIn.methodChanged` read: whose methods, which ones, and how. */
export interface MethodChange {
  userId: string;
  change: 'registered' | 'deleted' | 'updated';
  methods: SignInMethod[];
  /** The method's id, when the change is about one passkey. */
  methodId?: string;
}

/** How the `Method` detail of an entry names each kind. */
const METHOD_NAMES: Record<Exclude<SignInMethod, 'password'>, string> = {
  softwareOath: 'Authenticator app (TOTP)',
  fido2: 'Passkey (FIDO2)',
  recoveryCodes: 'Recovery codes',
};

/** One method of a user, as a registration or removal names it. */
export interface OneMethod {
  kind: Exclude<SignInMethod, 'password'>;
  /** The passkey's id (Graph's method id) and the name its owner gave it. */
  passkey?: { id: string; displayName: string };
}

function methodChanged(
  user: SignedInUser,
  activity: AuditActivity,
  details: { key: string; value: string }[],
  payload: MethodChange,
): DomainEvent {
  return {
    type: 'signIn.methodChanged',
    audit: [
      {
        activity,
        targets: [userTarget(user)],
        ...(details.length > 0 ? { additionalDetails: details } : {}),
      },
    ],
    payload: { ...payload },
  };
}

const changeOf = (user: SignedInUser, change: MethodChange['change'], m: OneMethod): MethodChange => ({
  userId: user.id,
  change,
  methods: [m.kind],
  ...(m.passkey === undefined ? {} : { methodId: m.passkey.id }),
});

/** The user registered a method (a confirmed authenticator app, a passkey, new recovery codes). */
export const methodRegistered = (user: SignedInUser, m: OneMethod): DomainEvent =>
  methodChanged(
    user,
    A.securityInfoRegister,
    [{ key: 'Method', value: METHOD_NAMES[m.kind] }],
    changeOf(user, 'registered', m),
  );

/** The user removed one of their methods. */
export const methodDeleted = (user: SignedInUser, m: OneMethod): DomainEvent =>
  methodChanged(
    user,
    A.securityInfoDelete,
    [
      {
        key: 'Method',
        value:
          m.passkey === undefined
            ? METHOD_NAMES[m.kind]
            : `${METHOD_NAMES[m.kind]}: ${m.passkey.displayName}`,
      },
    ],
    changeOf(user, 'deleted', m),
  );

/** An administrator removed every second factor of the user (`removed` of them). */
export const methodsReset = (user: SignedInUser, removed: number): DomainEvent =>
  methodChanged(user, A.securityInfoReset, [{ key: 'RemovedMethods', value: String(removed) }], {
    userId: user.id,
    change: 'deleted',
    methods: ['softwareOath', 'fido2', 'recoveryCodes'],
  });

/** The user replaced their password (the forced change after an administrator set one). */
export const passwordChanged = (user: SignedInUser): DomainEvent =>
  methodChanged(user, A.userChangePassword, [], {
    userId: user.id,
    change: 'updated',
    methods: ['password'],
  });
