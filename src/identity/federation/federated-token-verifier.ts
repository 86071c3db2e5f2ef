import { decodeJwt, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import { amrFromExternal, type ClaimRules } from '../../domain/federation/external-claims.js';
import type { Clock } from '../../domain/time/clock.js';
import type { AccessTokenClaims } from '../tokens/access-token-claims.js';
import type { ExternalKeySet } from './external-key-set.js';
import { tokenRejection } from '../tokens/token-rejection.js';
import { BEARER, MAX_TOKEN_LENGTH, rejectionFor, type TokenVerifier } from '../tokens/token-verifier.js';

/** One trusted external issuer, as the token check needs it. */
export interface TrustedTokenIssuer extends ClaimRules {
  id: string;
  /** Must equal the token's `iss` exactly. */
  issuer: string;
  /** Must be among the token's `aud`. */
  audience: string;
  /** The Elevate tenant its users belong to. */
  tenantId: string;
  keys: ExternalKeySet;
}

/** Asymmetric signatures only: no `none`, and no HMAC with a key anyone holding the JWKS knows. */
const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/**
 * Elevate's own verifier, extended to access tokens of trusted external issuers. The unverified
 * `iss` only chooses which check runs: a token naming a trusted issuer is verified with that
 * issuer's keys (from its discovery document and JWKS), its `aud` against the configured
 * audience, `exp`/`nbf` against the injected clock with the same tolerance as ours; every other
 * token goes to the local verifier, which refuses any issuer but Elevate. `amr` is mapped
 * (`amrFromExternal`) so step-up works as for our own tokens; `auth_time` is taken as sent.
 */
export function withTrustedIssuers(
  local: TokenVerifier,
  issuers: readonly TrustedTokenIssuer[],
  clock: Clock,
  clockToleranceSeconds = 60,
): TokenVerifier {
  if (issuers.length === 0) return local;
  const byIssuer = new Map(issuers.map((i) => [i.issuer, i]));
  const trustedFor = (token: string): TrustedTokenIssuer | undefined => {
    try {
      const iss = decodeJwt(token).iss;
      return typeof iss === 'string' ? byIssuer.get(iss) : undefined;
    } catch {
      return undefined;
    }
  };

  return {
    async verify(authorizationHeader) {
      const token = BEARER.exec(authorizationHeader?.trim() ?? '')?.[1];
      const trusted = token === undefined || token.length > MAX_TOKEN_LENGTH ? undefined : trustedFor(token);
      if (token === undefined || trusted === undefined) return local.verify(authorizationHeader);
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, trusted.keys.getKey, {
          algorithms: ASYMMETRIC_ALGORITHMS,
          issuer: trusted.issuer,
          audience: trusted.audience,
          clockTolerance: clockToleranceSeconds,
          currentDate: new Date(clock.now()),
          requiredClaims: ['exp', 'sub'],
        }));
      } catch (error) {
        throw rejectionFor(error) ?? error;
      }
      return externalClaims(payload, trusted);
    },
  };
}

function externalClaims(payload: JWTPayload, issuer: TrustedTokenIssuer): AccessTokenClaims {
  if (payload.cnf !== undefined) throw tokenRejection('senderConstrained');
  const sub = payload.sub;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 255) throw tokenRejection('claims');
  const authTime = payload.auth_time;
  if (authTime !== undefined && (typeof authTime !== 'number' || !Number.isFinite(authTime))) {
    throw tokenRejection('claims');
  }
  return {
    tenantId: issuer.tenantId,
    objectId: '',
    roles: [],
    kind: 'user',
    amr: amrFromExternal(payload.amr, payload.acr, issuer),
    ...(typeof authTime === 'number' ? { authTimeSeconds: authTime } : {}),
    external: { issuerId: issuer.id },
    raw: payload,
  };
}
