import { AUDIT_ACTIVITIES as A } from '../audit/activities.js';
import {
  addedProperties,
  groupTarget,
  userProperties,
  userTarget,
  type TargetName,
} from '../audit/targets.js';
import type { User } from '../directory/types.js';
import type { DomainEvent } from '../events/domain-event.js';
import { signInFailed, type SignedInUser, type Signer } from '../sign-in/sign-in-events.js';

/** A trusted issuer as its entries name it. */
export interface Issuer {
  id: string;
  displayName: string;
}

/** Every entry about a federated sign-in names the identity provider (the configured issuer id). */
function viaIssuer(issuerId: string, event: DomainEvent): DomainEvent {
  return {
    ...event,
    audit: event.audit.map((a) => ({
      ...a,
      additionalDetails: [...(a.additionalDetails ?? []), { key: 'identityProvider', value: issuerId }],
    })),
  };
}

/** A portal sign-in through the issuer completed. Audit only. */
export const federatedSignIn = (user: SignedInUser, issuerId: string): DomainEvent =>
  viaIssuer(issuerId, {
    type: 'signIn.succeeded',
    audit: [{ activity: A.signInFederated, targets: [userTarget(user)] }],
  });

/** A sign-in through the issuer was refused (`reason` is for the log, never shown). Audit only. */
export const federatedSignInFailed = (who: Signer, issuer: Issuer, reason: string): DomainEvent =>
  viaIssuer(issuer.id, signInFailed(who, `${issuer.displayName}: ${reason}`.slice(0, 500)));

/**
 * A directory user was made from the claims of a first sign-in (`onFirstSignIn: create`): the same
 * fact as a user created through the directory. Audit only, like `directory.userCreated` for now.
 */
export const federatedUserCreated = (user: User, issuerId: string): DomainEvent =>
  viaIssuer(issuerId, {
    type: 'directory.userCreated',
    audit: [{ activity: A.userCreate, targets: [userTarget(user, addedProperties(userProperties(user)))] }],
  });

/** The external identity (issuer + subject) now is this directory user. */
export const externalIdentityLinked = (
  user: SignedInUser,
  issuerId: string,
  subject: string,
): DomainEvent => ({
  ...viaIssuer(issuerId, {
    type: 'federation.linked',
    audit: [
      {
        activity: A.externalIdentityLink,
        targets: [userTarget(user, addedProperties([['Identities', [{ issuer: issuerId, subject }]]]))],
      },
    ],
  }),
  payload: { userId: user.id, issuerId, subject },
});

/**
 * A sign-in made the user a member of exactly the mapped groups the issuer's claim names: one
 * entry per group joined, then per group left.
 */
export const groupMembershipSynced = (
  user: SignedInUser,
  issuerId: string,
  added: readonly TargetName[],
  removed: readonly TargetName[],
): DomainEvent => {
  const member = userTarget(user);
  return {
    ...viaIssuer(issuerId, {
      type: 'federation.groupMembershipSynced',
      audit: [
        ...added.map((g) => ({ activity: A.groupAddMember, targets: [member, groupTarget(g)] })),
        ...removed.map((g) => ({ activity: A.groupRemoveMember, targets: [member, groupTarget(g)] })),
      ],
    }),
    payload: {
      userId: user.id,
      issuerId,
      addedGroupIds: added.map((g) => g.id),
      removedGroupIds: removed.map((g) => g.id),
    },
  };
};
