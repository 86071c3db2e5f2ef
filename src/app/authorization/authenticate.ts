import { UnauthenticatedError } from '../../domain/shared/errors.js';
import type { FederationPolicy } from '../federation/ports.js';
import type { Caller } from './caller.js';
import type { makeCallerResolver } from './resolve-caller.js';

/** A verified access token, as the identity layer's verifier hands it over. */
export interface VerifiedAccessToken {
  kind: 'app' | 'user';
  tenantId: string;
  objectId: string;
  appId?: string;
  roles: string[];
  amr?: string[];
  /** The token's `auth_time`, epoch seconds as JWTs carry it. */
  authTimeSeconds?: number;
  /** Set for a trusted external issuer's token: the user is found through its link. */
  external?: { issuerId: string };
  raw: Record<string, unknown>;
}

const CONTEXT_VALUE = /^[\x21-\x7e]{1,256}$/;
const MAX_CONTEXT_VALUES = 20;

const contextValues = (value: unknown): string[] =>
  (typeof value === 'string' ? [value] : Array.isArray(value) ? value : [])
    .filter((v): v is string => typeof v === 'string' && CONTEXT_VALUE.test(v))
    .slice(0, MAX_CONTEXT_VALUES);

/**
 * What a token says about authentication contexts (ADR 0021). Elevate's own `acrs` name its
 * contexts; a trusted external issuer's `acr` and `acrs` are its own vocabulary, kept apart and
 * matched only against the values a context lists as satisfying it (`externalAcrValues`), never
 * taken as Elevate context ids.
 */
function contextClaims(claims: VerifiedAccessToken, external: boolean) {
  if (claims.kind !== 'user') return {};
  if (!external) return { acrs: contextValues(claims.raw.acrs), externalAcrValues: [] };
  return {
    acrs: [],
    externalAcrValues: [...new Set([...contextValues(claims.raw.acr), ...contextValues(claims.raw.acrs)])],
  };
}

/** Where the request came from, for the caller and its audit entries. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
  requestId: string;
  /** What the client says it is (`x-elevate-origin`); a claim, recorded as such (ADR 0036). */
  clientOrigin?: string | null;
}

/**
 * Who is calling: verifies the bearer token (Elevate's own or a trusted issuer's), finds the
 * directory user a trusted issuer's token belongs to (linking it on first sight), and resolves the
 * live caller — enabled now, with the permissions it holds now (invariant 8). The HTTP layer's
 * authentication hook calls this for every protected route.
 * @throws UnauthenticatedError (`InvalidAuthenticationToken`)
 */
export function makeAuthenticate(deps: {
  verify: (authorization: string | undefined) => Promise<VerifiedAccessToken>;
  trustedIssuers: ReadonlyMap<string, FederationPolicy>;
  linkedUser: (
    issuer: FederationPolicy,
    claims: Record<string, unknown>,
    origin: RequestOrigin,
  ) => Promise<string | undefined>;
  resolveCaller: ReturnType<typeof makeCallerResolver>;
}) {
  return async function authenticate(
    authorization: string | undefined,
    origin: RequestOrigin,
  ): Promise<Caller> {
    const claims = await deps.verify(authorization);
    let objectId = claims.objectId;
    const issuer = claims.external && deps.trustedIssuers.get(claims.external.issuerId);
    if (issuer) {
      const userId = await deps.linkedUser(issuer, claims.raw, origin);
      if (userId === undefined)
        throw new UnauthenticatedError('The principal of this token is disabled or no longer exists.');
      objectId = userId;
    }
    return deps.resolveCaller(
      {
        kind: claims.kind,
        tenantId: claims.tenantId,
        objectId,
        appId: claims.appId ?? null,
        roles: claims.roles,
        amr: claims.amr ?? [],
        authTimeSeconds: claims.authTimeSeconds ?? null,
        ...contextClaims(claims, claims.external !== undefined),
      },
      origin,
    );
  };
}
