import { AUDIT_ACTIVITIES as A } from '../../domain/audit/activities.js';
import { userTarget } from '../../domain/audit/targets.js';
import { INVALID_CREDENTIALS, SignInRefused } from '../../domain/authn/sign-in-errors.js';
import type { User } from '../../domain/directory/types.js';
import { amrFromExternal, userKeyOf } from '../../domain/federation/external-claims.js';
import type { Clock } from '../../domain/time/clock.js';
import type { AttemptContext } from '../sign-in/sign-in.js';
import type { UnitOfWork } from '../ports.js';
import { attemptEntry, signerOf } from './attempt.js';
import { syncMappedGroups } from './group-sync.js';
import { linkedUser, Refusal } from './link.js';
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
  const attempt = (issuer: FederationPolicy, claims: ExternalClaims | undefined, ctx: AttemptContext) => ({
    issuer,
    now: deps.clock.now(),
    ctx,
    amr: claims === undefined ? [] : amrFromExternal(claims.amr, claims.acr, issuer),
    newId: deps.newId,
  });

  /**
   * Records a refused sign-in through `issuer` (an error answer, an invalid ID token, no user):
   * one `Sign-in failure` entry and nothing else.
   */
  async function refused(
    issuer: FederationPolicy,
    reason: string,
    claims: ExternalClaims | undefined,
    ctx: AttemptContext,
    user?: User,
  ): Promise<void> {
    const a = attempt(issuer, undefined, ctx);
    const named = claims === undefined ? undefined : userKeyOf(claims, issuer.userClaim);
    const upn = user?.userPrincipalName ?? (named?.kind === 'upn' ? named.value : null);
    const target = userTarget({
      id: user?.id ?? null,
      displayName: user?.displayName ?? null,
      userPrincipalName: upn,
    });
    await deps.uow.run((tx) =>
      tx.audit.append(
        attemptEntry(a, signerOf(a, user, upn), A.signInFailure, [target], {
          result: 'failure',
          resultReason: `${issuer.displayName}: ${reason}`.slice(0, 500),
        }),
      ),
    );
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
      const a = attempt(issuer, claims, ctx);
      const authTime = claims.auth_time;
      const authTimeSeconds = Math.floor(
        typeof authTime === 'number' && Number.isFinite(authTime) ? authTime : a.now / 1000,
      );
      const subject = subjectOf(claims);
      try {
        if (subject === undefined) throw new Refusal('the ID token has no usable subject');
        return await deps.uow.run(async (tx) => {
          const user = await linkedUser(tx, a, subject, claims, issuer.onFirstSignIn === 'create');
          if (user === undefined) throw new Refusal('no directory user matches the external identity');
          if (!user.accountEnabled) throw new Refusal('account disabled', user);
          const by = signerOf(a, user);
          await syncMappedGroups(tx, a, user, claims, by);
          await tx.externalIdentities.touch(issuer.id, subject, a.now);
          await tx.audit.append(attemptEntry(a, by, A.signInFederated, [userTarget(user)]));
          return { userId: user.id, tenantId: user.tenantId, amr: [...a.amr], authTimeSeconds };
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
     * the user the configured claim names, linked now. API tokens never create users, and a
     * disabled user gets no link.
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
      const a = attempt(issuer, claims, ctx);
      const user = await deps.uow.run((tx) => linkedUser(tx, a, subject, claims, false));
      return user?.id;
    },
  };
}

export type FederatedSignIn = ReturnType<typeof makeFederatedSignIn>;
