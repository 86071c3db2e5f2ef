import type { User } from '../../domain/directory/types.js';
import {
  displayNameOf,
  upnForNewUser,
  userKeyOf,
  type UserKey,
} from '../../domain/federation/external-claims.js';
import { externalIdentityLinked, federatedUserCreated } from '../../domain/federation/federation-events.js';
import type { Stores } from '../ports.js';
import { attemptActor, type Attempt } from './attempt.js';

/**
 * Why no user may sign in through an external identity, for the audit entry (never shown to the
 * browser); `user` when one was found (a disabled account). Returned, not thrown: it is decided
 * before anything is written, so the sign-in records the refusal in the same transaction.
 */
export interface NoUser {
  refused: string;
  user?: User;
}

export const NO_MATCH: NoUser = { refused: 'no directory user matches the external identity' };

export const isNoUser = (found: User | NoUser): found is NoUser => 'refused' in found;

const findByKey = (tx: Stores, tenantId: string, key: UserKey | undefined) =>
  key === undefined
    ? Promise.resolve(undefined)
    : key.kind === 'id'
      ? tx.users.get(tenantId, key.value)
      : tx.users.getByUpn(tenantId, key.value);

const text = (value: unknown, max: number): string | null =>
  typeof value === 'string' && value.length > 0 ? value.slice(0, max) : null;

/** A directory user made from the claims at a first portal sign-in (`onFirstSignIn: create`). */
async function createUser(
  tx: Stores,
  a: Attempt,
  claims: Record<string, unknown>,
  key: UserKey | undefined,
): Promise<User | NoUser> {
  const upn = upnForNewUser(claims, key);
  if (upn === undefined) return { refused: 'no user principal name in the claims' };
  if ((await tx.users.getByUpn(a.issuer.tenantId, upn)) !== undefined)
    return { refused: 'the user principal name belongs to another user' };
  const user: User = {
    id: a.newId(),
    tenantId: a.issuer.tenantId,
    displayName: displayNameOf(claims, upn),
    userPrincipalName: upn,
    mail: typeof claims.email === 'string' && claims.email.length <= 256 ? claims.email : null,
    givenName: text(claims.given_name, 64),
    surname: text(claims.family_name, 64),
    jobTitle: null,
    accountEnabled: true,
    passwordHash: null,
    passwordMustChange: false,
    createdAt: a.now,
    modifiedAt: a.now,
    version: 1,
  };
  await tx.users.insert(user);
  tx.events.record(attemptActor(a, user), a.now, federatedUserCreated(user, a.issuer.id));
  return user;
}

/** The linked user, or `NO_MATCH` when the link names a user that no longer exists. */
const userOf = async (tx: Stores, tenantId: string, userId: string): Promise<User | NoUser> =>
  (await tx.users.get(tenantId, userId)) ?? NO_MATCH;

/**
 * The directory user the external identity (issuer + `subject`) is: the linked one; else, first
 * sight, the user the issuer's `userClaim` names (or, when `create`, a new one), linked now and
 * recorded. A disabled user is returned (the caller refuses it) but not linked. When there is no
 * user, why (`NoUser`), with nothing written.
 */
export async function linkedUser(
  tx: Stores,
  a: Attempt,
  subject: string,
  claims: Record<string, unknown>,
  create: boolean,
): Promise<User | NoUser> {
  const { issuer } = a;
  const existing = await tx.externalIdentities.find(issuer.id, subject);
  if (existing !== undefined) return userOf(tx, issuer.tenantId, existing.userId);
  const key = userKeyOf(claims, issuer.userClaim);
  const user =
    (await findByKey(tx, issuer.tenantId, key)) ?? (create ? await createUser(tx, a, claims, key) : NO_MATCH);
  if (isNoUser(user) || !user.accountEnabled) return user;
  const inserted = await tx.externalIdentities.insert({
    issuerId: issuer.id,
    subject,
    tenantId: issuer.tenantId,
    userId: user.id,
    createdAt: a.now,
    lastSignInAt: null,
  });
  if (inserted) {
    tx.events.record(attemptActor(a, user), a.now, externalIdentityLinked(user, issuer.id, subject));
    return user;
  }
  // Another first sign-in linked this identity at the same time: its link counts.
  const won = await tx.externalIdentities.find(issuer.id, subject);
  return won === undefined ? NO_MATCH : userOf(tx, issuer.tenantId, won.userId);
}
