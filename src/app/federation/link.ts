import { AUDIT_ACTIVITIES as A } from '../../domain/audit/activities.js';
import { addedProperties, userProperties, userTarget } from '../../domain/audit/targets.js';
import type { User } from '../../domain/directory/types.js';
import {
  displayNameOf,
  upnForNewUser,
  userKeyOf,
  type UserKey,
} from '../../domain/federation/external-claims.js';
import type { Stores } from '../ports.js';
import { attemptEntry, signerOf, type Attempt } from './attempt.js';

/** Why a sign-in was refused, for the audit entry (never shown to the browser). */
export class Refusal extends Error {
  constructor(
    readonly reason: string,
    readonly user?: User,
  ) {
    super(reason);
  }
}

const findByKey = (tx: Stores, tenantId: string, key: UserKey | undefined) =>
  key === undefined
    ? Promise.resolve(undefined)
    : key.kind === 'id'
      ? tx.users.get(tenantId, key.value)
      : tx.users.getByUpn(tenantId, key.value);

const text = (value: unknown, max: number): string | null =>
  typeof value === 'string' && value.length > 0 ? value.slice(0, max) : null;

/** A directory user made from the claims at a first portal sign-in (`onFirstSignIn: create`). */
async function createUser(tx: Stores, a: Attempt, claims: Record<string, unknown>, key: UserKey | undefined) {
  const upn = upnForNewUser(claims, key);
  if (upn === undefined) throw new Refusal('no user principal name in the claims');
  if ((await tx.users.getByUpn(a.issuer.tenantId, upn)) !== undefined) {
    throw new Refusal('the user principal name belongs to another user');
  }
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
  await tx.audit.append(
    attemptEntry(a, signerOf(a, user), A.userCreate, [
      userTarget(user, addedProperties(userProperties(user))),
    ]),
  );
  return user;
}

/**
 * The directory user the external identity (issuer + `subject`) is: the linked one; else, first
 * sight, the user the issuer's `userClaim` names (or, when `create`, a new one), linked now and
 * audited. A disabled user is returned (the caller refuses it) but not linked. `undefined` when
 * no user matches.
 */
export async function linkedUser(
  tx: Stores,
  a: Attempt,
  subject: string,
  claims: Record<string, unknown>,
  create: boolean,
): Promise<User | undefined> {
  const { issuer } = a;
  const existing = await tx.externalIdentities.find(issuer.id, subject);
  if (existing !== undefined) return tx.users.get(issuer.tenantId, existing.userId);
  const key = userKeyOf(claims, issuer.userClaim);
  const user =
    (await findByKey(tx, issuer.tenantId, key)) ??
    (create ? await createUser(tx, a, claims, key) : undefined);
  if (user === undefined || !user.accountEnabled) return user;
  const inserted = await tx.externalIdentities.insert({
    issuerId: issuer.id,
    subject,
    tenantId: issuer.tenantId,
    userId: user.id,
    createdAt: a.now,
    lastSignInAt: null,
  });
  if (inserted) {
    const identity = [{ issuer: issuer.id, subject }];
    await tx.audit.append(
      attemptEntry(a, signerOf(a, user), A.externalIdentityLink, [
        userTarget(user, addedProperties([['Identities', identity]])),
      ]),
    );
    return user;
  }
  // Another first sign-in linked this identity at the same time: its link counts.
  const won = await tx.externalIdentities.find(issuer.id, subject);
  return won === undefined ? undefined : tx.users.get(issuer.tenantId, won.userId);
}
