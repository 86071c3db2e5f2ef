import { INVALID_CREDENTIALS, SignInRefused } from '../../domain/authn/sign-in-errors.js';
import type { User } from '../../domain/directory/types.js';
import { amrFromExternal, userKeyOf } from '../../domain/federation/external-claims.js';
import { federatedSignIn, federatedSignInFailed } from '../../domain/federation/federation-events.js';
import type { DomainEvent } from '../../domain/events/domain-event.js';
import type { Clock } from '../../domain/time/clock.js';
import { recordBreakGlassUse } from '../alerts/break-glass.js';
import { recordRefusal } from '../events/event-log.js';
import { retryOnConflict } from '../pim/retry.js';
import type { Actor } from '../events/ports.js';
import { signerActor, type AttemptContext } from '../sign-in/sign-in-attempts.js';
import type { UnitOfWork } from '../ports.js';
import { attemptActor, type Attempt } from './attempt.js';
import { syncMappedGroups } from './group-sync.js';
import { isNoUser, linkedUser, type NoUser } from './link.js';
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
 * A refused sign-in through `issuer` as its actor and event: one `Sign-in failure` entry naming
 * the user when one was found, else the name the claims gave (no `amr`: nothing was proven).
 */
function refusal(
  a: Attempt,
  why: NoUser,
  claims: ExternalClaims | undefined,
): { actor: Actor; event: DomainEvent } {
  const named = claims === undefined ? undefined : userKeyOf(claims, a.issuer.userClaim);
  const who = {
    id: why.user?.id ?? null,
    displayName: why.user?.displayName ?? null,
    userPrincipalName: why.user?.userPrincipalName ?? (named?.kind === 'upn' ? named.value : null),
  };
  return {
    actor: signerActor(a.issuer.tenantId, who, a.ctx, []),
    event: federatedSignInFailed(who, a.issuer, why.refused),
  };
}

/**
 * Sign-in and API access through a trusted external OpenID Connect issuer. The external identity
 * (issuer id + `sub`) is linked to one directory user the first time it is seen: to the user the
 * configured claim names, or, with `onFirstSignIn: create`, to a user created for it (portal
 * sign-in only). Every later sign-in follows the link, whatever the claims say then. Each portal
 * sign-in also synchronises membership of the mapped groups. Everything one sign-in changes
 * (user, link, memberships, the events that become audit entries) commits in one transaction; a
 * refusal is decided before anything is written and changes nothing but its own audit entry,
 * recorded in that same transaction.
 */
export function makeFederatedSignIn(deps: { uow: UnitOfWork; clock: Clock; newId: () => string }) {
  const attempt = (issuer: FederationPolicy, claims: ExternalClaims | undefined, ctx: AttemptContext) => ({
    issuer,
    now: deps.clock.now(),
    ctx,
    amr: claims === undefined ? [] : amrFromExternal(claims.amr, claims.acr, issuer),
    newId: deps.newId,
  });

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
      // Reruns when a break-glass use's alert scan lost a compare-and-set to another scan.
      const user = await retryOnConflict(() =>
        deps.uow.run(async (tx): Promise<User | NoUser> => {
          // Refused before anything is written: the refusal is recorded in this same transaction.
          const refuse = (why: NoUser) => {
            const { actor, event } = refusal(a, why, claims);
            tx.events.record(actor, a.now, event);
            return why;
          };
          if (subject === undefined) return refuse({ refused: 'the ID token has no usable subject' });
          const found = await linkedUser(tx, a, subject, claims, issuer.onFirstSignIn === 'create');
          if (isNoUser(found)) return refuse(found);
          if (!found.accountEnabled) return refuse({ refused: 'account disabled', user: found });
          await syncMappedGroups(tx, a, found, claims);
          await tx.externalIdentities.touch(issuer.id, subject, a.now);
          await tx.signInActivity.record(found.tenantId, found.id, a.now);
          tx.events.record(
            attemptActor(a, found),
            a.now,
            federatedSignIn(found, issuer.id),
            ...(await recordBreakGlassUse(tx, found.tenantId, found.id, 'federated', a.now, deps.newId)),
          );
          return found;
        }),
      );
      if (isNoUser(user)) throw new SignInRefused('invalidCredentials', INVALID_CREDENTIALS);
      return { userId: user.id, tenantId: user.tenantId, amr: [...a.amr], authTimeSeconds };
    },

    /**
     * Records a sign-in through `issuer` refused before any transaction (an error answer, an
     * invalid ID token): one `Sign-in failure` entry and nothing else.
     */
    async refused(
      issuer: FederationPolicy,
      reason: string,
      claims: ExternalClaims | undefined,
      ctx: AttemptContext,
      user?: User,
    ): Promise<void> {
      const a = attempt(issuer, undefined, ctx);
      const { actor, event } = refusal(a, { refused: reason, user }, claims);
      await recordRefusal(deps.uow, actor, a.now, event);
    },

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
      return isNoUser(user) ? undefined : user.id;
    },
  };
}

export type FederatedSignIn = ReturnType<typeof makeFederatedSignIn>;
