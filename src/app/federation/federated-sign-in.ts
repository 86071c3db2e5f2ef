import { AUDIT_ACTIVITIES as A, type AuditActivity } from '../../domain/audit/activities.js';
import { auditDraft } from '../../domain/audit/draft.js';
import type { Initiator, TargetResource } from '../../domain/audit/entry.js';
import { addedProperties, groupTarget, userProperties, userTarget } from '../../domain/audit/targets.js';
import { INVALID_CREDENTIALS, SignInRefused } from '../../domain/authn/sign-in-errors.js';
import type { User } from '../../domain/directory/types.js';
import {
  amrFromExternal,
  displayNameOf,
  groupChanges,
  upnForNewUser,
  userKeyOf,
  type UserKey,
} from '../../domain/federation/external-claims.js';
import type { Clock } from '../../domain/time/clock.js';
import type { AttemptContext } from '../authn/sign-in.js';
import type { Stores, UnitOfWork } from '../ports.js';
import type { FederationPolicy } from './ports.js';

/** Claims of a validated ID token (or access token), as the issuer sent them. */
export type ExternalClaims = Record<string, unknown>;

/** Who signed in through an external issuer, for the interaction to finish with. */
export interface FederatedSignInResult {
  userId: string;
  tenantId: string;
  /** Elevate's `amr` (see `amrFromExternal`). */
  amr: string[];
  /** The issuer's `auth_time` (epoch seconds), or now when it sent none. */
  authTimeSeconds: number;
}

const MAX_SUBJECT_LENGTH = 255;

const subjectOf = (claims: ExternalClaims): string | undefined => {
  const sub = claims.sub;
  return typeof sub === 'string' && sub.length > 0 && sub.length <= MAX_SUBJECT_LENGTH ? sub : undefined;
};

const findByKey = (tx: Stores, tenantId: string, key: UserKey | undefined) =>
  key === undefined
    ? Promise.resolve(undefined)
    : key.kind === 'id'
      ? tx.users.get(tenantId, key.value)
      : tx.users.getByUpn(tenantId, key.value);

/** Why a sign-in was refused, for the audit entry (never shown to the browser). */
class Refusal extends Error {
  constructor(
    readonly reason: string,
    readonly user?: User,
  ) {
    super(reason);
  }
}

/**
 * Sign-in and API access through a trusted external OpenID Connect issuer. The external identity
 * (issuer id + `sub`) is linked to one directory user the first time it is seen: to the user the
 * configured claim names, or, with `onFirstSignIn: create`, to a user created for it (portal
 * sign-in only). Every later sign-in follows the link, whatever the claims say then. Each portal
 * sign-in also synchronises membership of the mapped groups. Everything one sign-in changes
 * (user, link, memberships, the audit entries) commits in one transaction; a refusal changes
 * nothing but its own audit entry.
 */
export function makeFederatedSignIn(deps: { uow: UnitOfWork; clock: Clock; newId: () => string }) {
  const initiator = (user: User | undefined, upn: string | null, ctx: AttemptContext): Initiator => ({
    user: {
      id: user?.id ?? '',
      displayName: user?.displayName ?? null,
      userPrincipalName: user?.userPrincipalName ?? upn,
      ipAddress: ctx.ip,
    },
    app: null,
  });

  const entry = (
    tenantId: string,
    now: number,
    by: Initiator,
    ctx: AttemptContext,
    amr: readonly string[],
    activity: AuditActivity,
    targets: TargetResource[],
    issuer: FederationPolicy,
    result: { result?: 'failure'; resultReason?: string } = {},
  ) =>
    auditDraft({
      id: deps.newId(),
      tenantId,
      now,
      activity,
      initiatedBy: by,
      context: { userAgent: ctx.userAgent, amr, correlationId: null },
      targets,
      additionalDetails: [{ key: 'identityProvider', value: issuer.id }],
      ...result,
    });

  /** Links the identity in `tx`, audited; returns false if another sign-in linked it first. */
  async function link(
    tx: Stores,
    issuer: FederationPolicy,
    subject: string,
    user: User,
    now: number,
    by: Initiator,
    ctx: AttemptContext,
    amr: readonly string[],
  ): Promise<void> {
    const inserted = await tx.externalIdentities.insert({
      issuerId: issuer.id,
      subject,
      tenantId: issuer.tenantId,
      userId: user.id,
      createdAt: now,
      lastSignInAt: null,
    });
    if (!inserted) return;
    await tx.audit.append(
      entry(
        issuer.tenantId,
        now,
        by,
        ctx,
        amr,
        A.externalIdentityLink,
        [userTarget(user, addedProperties([['Identities', [{ issuer: issuer.id, subject }]]]))],
        issuer,
      ),
    );
  }

  /** The linked user, or the one the claim names (linked now); `undefined` when none. */
  async function linkedUser(
    tx: Stores,
    issuer: FederationPolicy,
    subject: string,
    claims: ExternalClaims,
    now: number,
    ctx: AttemptContext,
    amr: readonly string[],
    create: boolean,
  ): Promise<User | undefined> {
    const existing = await tx.externalIdentities.find(issuer.id, subject);
    if (existing !== undefined) return tx.users.get(issuer.tenantId, existing.userId);
    const key = userKeyOf(claims, issuer.userClaim);
    let user = await findByKey(tx, issuer.tenantId, key);
    if (user === undefined && create) {
      const upn = upnForNewUser(claims, key);
      if (upn === undefined) throw new Refusal('no user principal name in the claims');
      if ((await tx.users.getByUpn(issuer.tenantId, upn)) !== undefined) {
        throw new Refusal('the user principal name belongs to another user');
      }
      const email = typeof claims.email === 'string' && claims.email.length <= 256 ? claims.email : null;
      user = {
        id: deps.newId(),
        tenantId: issuer.tenantId,
        displayName: displayNameOf(claims, upn),
        userPrincipalName: upn,
        mail: email,
        givenName: typeof claims.given_name === 'string' ? claims.given_name.slice(0, 64) : null,
        surname: typeof claims.family_name === 'string' ? claims.family_name.slice(0, 64) : null,
        jobTitle: null,
        accountEnabled: true,
        passwordHash: null,
        passwordMustChange: false,
        createdAt: now,
        modifiedAt: now,
        version: 1,
      };
      await tx.users.insert(user);
      await tx.audit.append(
        entry(
          issuer.tenantId,
          now,
          initiator(user, upn, ctx),
          ctx,
          amr,
          A.userCreate,
          [userTarget(user, addedProperties(userProperties(user)))],
          issuer,
        ),
      );
    }
    if (user === undefined) return undefined;
    // A disabled account is refused by the caller; it gets no link either.
    if (!user.accountEnabled) return user;
    await link(tx, issuer, subject, user, now, initiator(user, null, ctx), ctx, amr);
    // Two first sign-ins at once: the link that won is the one that counts.
    const won = await tx.externalIdentities.find(issuer.id, subject);
    return won?.userId === user.id ? user : tx.users.get(issuer.tenantId, won?.userId ?? '');
  }

  async function syncGroups(
    tx: Stores,
    issuer: FederationPolicy,
    user: User,
    claims: ExternalClaims,
    now: number,
    by: Initiator,
    ctx: AttemptContext,
    amr: readonly string[],
  ): Promise<void> {
    if (issuer.groupsClaim === undefined || Object.keys(issuer.groupMap).length === 0) return;
    const current = await tx.groups.groupsOf(issuer.tenantId, user.id);
    const changes = groupChanges(claims[issuer.groupsClaim], issuer.groupMap, current);
    const member = userTarget(user);
    for (const groupId of changes.add) {
      const group = await tx.groups.get(issuer.tenantId, groupId);
      if (group === undefined) continue; // a map entry naming a deleted group: nothing to do
      await tx.groups.addMember(issuer.tenantId, { groupId, memberId: user.id, memberType: 'user' }, now);
      await tx.audit.append(
        entry(issuer.tenantId, now, by, ctx, amr, A.groupAddMember, [member, groupTarget(group)], issuer),
      );
    }
    for (const groupId of changes.remove) {
      const group = await tx.groups.get(issuer.tenantId, groupId);
      if (group === undefined || !(await tx.groups.removeMember(issuer.tenantId, groupId, user.id))) continue;
      await tx.audit.append(
        entry(issuer.tenantId, now, by, ctx, amr, A.groupRemoveMember, [member, groupTarget(group)], issuer),
      );
    }
  }

  /**
   * Records a refused sign-in through `issuer` (bad ID token, error from the issuer, no user):
   * one `Sign-in failure` entry and nothing else.
   */
  async function refused(
    issuer: FederationPolicy,
    reason: string,
    claims: ExternalClaims | undefined,
    ctx: AttemptContext,
    user?: User,
  ): Promise<void> {
    const now = deps.clock.now();
    const named = claims === undefined ? undefined : userKeyOf(claims, issuer.userClaim);
    const upn = user?.userPrincipalName ?? (named?.kind === 'upn' ? named.value : null);
    await deps.uow.run(async (tx) => {
      await tx.audit.append(
        entry(
          issuer.tenantId,
          now,
          initiator(user, upn, ctx),
          ctx,
          [],
          A.signInFailure,
          [
            userTarget({
              id: user?.id ?? null,
              displayName: user?.displayName ?? null,
              userPrincipalName: upn,
            }),
          ],
          issuer,
          { result: 'failure', resultReason: `${issuer.displayName}: ${reason}`.slice(0, 500) },
        ),
      );
    });
  }

  return {
    /**
     * A portal sign-in with the claims of a validated ID token: links (or creates) the user,
     * synchronises mapped groups, records the sign-in.
     * @throws SignInRefused(`invalidCredentials`) when no enabled user can be found or made;
     *   the refusal is audited as a `Sign-in failure`.
     */
    async signIn(
      issuer: FederationPolicy,
      claims: ExternalClaims,
      ctx: AttemptContext,
    ): Promise<FederatedSignInResult> {
      const now = deps.clock.now();
      const amr = amrFromExternal(claims.amr, claims.acr, issuer);
      const authTime = claims.auth_time;
      const authTimeSeconds =
        typeof authTime === 'number' && Number.isFinite(authTime)
          ? Math.floor(authTime)
          : Math.floor(now / 1000);
      const subject = subjectOf(claims);
      try {
        if (subject === undefined) throw new Refusal('the ID token has no usable subject');
        return await deps.uow.run(async (tx) => {
          const user = await linkedUser(
            tx,
            issuer,
            subject,
            claims,
            now,
            ctx,
            amr,
            issuer.onFirstSignIn === 'create',
          );
          if (user === undefined) throw new Refusal('no directory user matches the external identity');
          if (!user.accountEnabled) throw new Refusal('account disabled', user);
          const by = initiator(user, null, ctx);
          await syncGroups(tx, issuer, user, claims, now, by, ctx, amr);
          await tx.externalIdentities.touch(issuer.id, subject, now);
          await tx.audit.append(
            entry(issuer.tenantId, now, by, ctx, amr, A.signInFederated, [userTarget(user)], issuer),
          );
          return { userId: user.id, tenantId: user.tenantId, amr, authTimeSeconds };
        });
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        await refused(issuer, error.reason, claims, ctx, error.user);
        throw new SignInRefused('invalidCredentials', INVALID_CREDENTIALS);
      }
    },

    refused,

    /**
     * The directory user an access token from `issuer` stands for: the linked one, or (first sight)
     * the user the configured claim names, linked now. API tokens never create users.
     * @returns the user id, or `undefined` when no user matches.
     */
    async apiUser(
      issuer: FederationPolicy,
      claims: ExternalClaims,
      ctx: AttemptContext,
    ): Promise<string | undefined> {
      const subject = subjectOf(claims);
      if (subject === undefined) return undefined;
      const known = await deps.uow.run((tx) => tx.externalIdentities.find(issuer.id, subject));
      if (known !== undefined) return known.userId;
      const now = deps.clock.now();
      const amr = amrFromExternal(claims.amr, claims.acr, issuer);
      const user = await deps.uow.run((tx) => linkedUser(tx, issuer, subject, claims, now, ctx, amr, false));
      return user?.id;
    },
  };
}

export type FederatedSignIn = ReturnType<typeof makeFederatedSignIn>;
