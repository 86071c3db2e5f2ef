import { UnauthenticatedError } from '../../domain/shared/errors.js';
import type { UnitOfWork } from '../ports.js';
import type { HoldingsLookup } from '../authzen/holdings.js';
import type { Caller } from './caller.js';

/** The verified claims the edge hands over (see identity's token verifier). */
export interface VerifiedClaims {
  kind: 'app' | 'user';
  tenantId: string;
  objectId: string;
  appId?: string | null;
  roles: string[];
  amr?: string[];
  /** The token's `auth_time`, epoch seconds as JWTs carry it. */
  authTimeSeconds?: number | null;
  acrs?: readonly string[];
  externalAcrValues?: readonly string[];
}

/**
 * Turns verified token claims into a Caller, checking that the principal still exists and is
 * enabled *now*: a disabled or deleted account loses access at once, not when its token expires.
 * An application may use a permission only while its token names it (`roles`, fixed at issuance)
 * *and* it still holds it now, read live like a user's roles: a revoked permission fails on the
 * next request and an old token cannot give it back to itself; a permission granted later needs a
 * new token, as in Entra.
 * @throws UnauthenticatedError
 */
export function makeCallerResolver(deps: { uow: UnitOfWork; holdings?: HoldingsLookup | undefined }) {
  /**
   * The account as committed, from the holdings index (kept current on commit, ADR 0031);
   * undefined when it cannot say or does not know the account, and the database is asked.
   */
  const fromMemory = (claims: VerifiedClaims, id: string) => {
    const account = deps.holdings?.account?.(claims.tenantId, id);
    const kind = claims.kind === 'app' ? 'servicePrincipal' : 'user';
    if (!account || account.kind !== kind) return undefined;
    if (!account.enabled) return { live: undefined };
    return { live: { appPermissions: claims.kind === 'app' ? account.appPermissions : [] } };
  };
  return async (
    claims: VerifiedClaims,
    ctx: {
      ip: string | null;
      userAgent: string | null;
      requestId?: string | null;
      clientOrigin?: string | null;
    },
  ): Promise<Caller> => {
    const id = claims.objectId.toLowerCase();
    const known = fromMemory(claims, id);
    const live = known
      ? known.live
      : await deps.uow.run(async (tx) => {
          if (claims.kind === 'app') {
            const sp = await tx.servicePrincipals.get(claims.tenantId, id);
            return sp?.accountEnabled === true ? { appPermissions: sp.appPermissions } : undefined;
          }
          const user = await tx.users.get(claims.tenantId, id);
          return user?.accountEnabled === true ? { appPermissions: [] } : undefined;
        });
    if (live === undefined)
      throw new UnauthenticatedError('The principal of this token is disabled or no longer exists.');
    return {
      kind: claims.kind,
      tenantId: claims.tenantId,
      id,
      appId: claims.appId ?? null,
      appPermissions: claims.roles.filter((p) => live.appPermissions.includes(p)),
      amr: claims.amr ?? [],
      authTimeMs: claims.authTimeSeconds == null ? null : claims.authTimeSeconds * 1000,
      ...(claims.kind === 'user'
        ? { acrs: claims.acrs ?? [], externalAcrValues: claims.externalAcrValues ?? [] }
        : {}),
      ipAddress: ctx.ip,
      userAgent: ctx.userAgent,
      ...(ctx.clientOrigin ? { clientOrigin: ctx.clientOrigin } : {}),
      correlationId: ctx.requestId ?? null,
    };
  };
}
